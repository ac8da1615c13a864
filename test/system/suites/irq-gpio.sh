#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The board's whole PL061 passed through to a bare-metal guest through
# VFIO (vfio-amba), its interrupt forwarded: two presses of QEMU's power
# button (PL061 line 3: `system_powerdown` on the QEMU monitor, which
# test/system/run.sh types when this prints NEED-POWERDOWN) reach the
# guest as rising edges on SPI 7. The controller holds its output up until
# GPIOIC, so the SPI is level: the second press arrives only if the
# guest's EOI of the first unmasked the host line. The boot keeps the
# host's gpio-pl061 off (initcall_blacklist=pl061_gpio_driver_init).
. /test/lib.sh

GPIO=9030000.pl061
GPIO_HW=39			# GIC INTID: SPI 7

test_irq_gpio() {
	expect "irq gpio: no host driver has the PL061" "driver $(driver_of amba $GPIO)" \
		[ "$(driver_of amba $GPIO)" = none ]
	base=$(irq_count $GPIO_HW)
	pinvm_start button irq-gpio -s /tmp/button.status
	expect_vfio_claim "irq gpio" button /pinvm/g1/gpio $GPIO vfio-amba 7 level
	expect "irq gpio: the guest waits for the button" "$(grep '\[g1\]' /tmp/button.out)" \
		wait_for /tmp/button.out "\[g1\] gpio-wait-irq" 30
	expect "irq gpio: SPI 7 is level in the guest's GIC" "$(grep 'gpio spi' /tmp/button.out)" \
		grep -q "\[g1\] gpio spi 7 trigger level" /tmp/button.out
	echo "NEED-POWERDOWN"
	expect "irq gpio: the first press reached the guest" "$(grep '\[g1\]' /tmp/button.out | tail -n 2)" \
		wait_for /tmp/button.out "\[g1\] gpio-irq 1 mis=0x08 after=0x00" 60
	echo "NEED-POWERDOWN"
	expect "irq gpio: the second too" "$(grep '\[g1\]' /tmp/button.out | tail -n 2)" \
		wait_for /tmp/button.out "\[g1\] gpio-irq 2 mis=0x08 after=0x00" 60
	expect "irq gpio: the guest is done" "$(grep '\[g1\]' /tmp/button.out | tail -n 2)" \
		wait_for /tmp/button.out "\[g1\] gpio done 2" 10
	sleep 1.5
	expect_irq_counted "irq gpio" "$base" $GPIO_HW 2 /pinvm/g1/gpio level \
		/tmp/button.status
	stop TERM
	expect "irq gpio: pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
	expect "irq gpio: the PL061 left without a driver, as it was" "driver $(driver_of amba $GPIO)" \
		[ "$(driver_of amba $GPIO)" = none ]
	expect "irq gpio: VFIO's handler gone" "action '$(irq_action $GPIO_HW)'" \
		not vfio_action $GPIO_HW
}

test_irq_gpio
exit 0
