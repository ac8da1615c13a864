#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The emulated Raspberry Pi 4's device tree: the kernel package's
# bcm2711-rpi-4-b.dtb with the nodes disabled that QEMU's raspi4b lacks
# and whose probe stops the boot. Usage: pi4-dtb.sh IN.dtb OUT.dtb
#
# QEMU 10's raspi4b does not emulate the HDMI block at 0x7ef00000: an
# access there is a synchronous external abort, and each of these nodes
# has a built-in driver that touches it while the kernel boots (Debian
# 6.1.0-57; each found by booting without it):
#   interrupt-controller@7ef00100  brcmstb-l2 irqchip, probed before the
#                                  console: the boot dies silently
#   clock@7ef00000                 the HDMI clock gates (clk-bcm2711-dvp),
#                                  read by clk_disable_unused: panic
#   i2c@7ef04500, i2c@7ef09500     the HDMI DDC buses (i2c-brcmstb):
#                                  panic in brcmstb_i2c_probe
# The rest of the display (hdmi, pixelvalve, hvs, txp, vec, dsi, v3d and
# the vc4 gpu node) is left as it is: its drivers (vc4, v3d) are modules
# that the test image never loads, and the hdmi nodes would only wait
# for the clock above. QEMU disables pcie, genet, rng200 and thermal in
# the tree itself (it warns about each).
set -eu
in=$1
out=$2
tmp=$out.tmp
cp "$in" "$tmp"

for node in \
	/soc/interrupt-controller@7ef00100 \
	/soc/clock@7ef00000 \
	/soc/i2c@7ef04500 \
	/soc/i2c@7ef09500; do
	fdtput -t s "$tmp" "$node" status disabled
done

# pinvm passes SPI0 through to a guest, so the host must have the device
# (the kernel package's tree leaves it disabled, as the Pi's firmware does
# until dtparam=spi=on). The GPIO controller gpio@7e200000 stays enabled.
fdtput -t s "$tmp" /soc/spi@7e204000 status okay

mv "$tmp" "$out"
