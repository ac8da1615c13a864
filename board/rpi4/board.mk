# SPDX-License-Identifier: GPL-2.0-only
# Raspberry Pi 4 Model B. `make image` writes the board image (the root
# file system overlay for the SD card's Raspberry Pi OS or Debian, with
# pinvm and the demo firmware built for the Pi 4's GICv2); docs/boards.md
# says how to install it, and board/rpi4/cmdline holds the host kernel
# arguments that isolate the guests' cores.
#
# The same image also boots on QEMU 10's model of the board (raspi4b, from
# Debian's bookworm-backports, unpacked into build/host/qemu10): `make
# emulated` makes what that needs, `make run` boots it. The system tests
# boot it too (test/system/boots, the rpi4 line).

include board/common/emulated.mk

BOARD_FIRMWARE	:= $(BUILD)/guests/demo-spi-rpi4.bin $(BUILD)/guests/demo.elf \
		   $(BUILD)/guests/demo-gpio-rpi4.bin

QEMU10_DIR	:= $(HOST_DIR)/qemu10
QEMU10		:= $(QEMU10_DIR)/root/usr/bin/qemu-system-aarch64
PI4_DTB		:= $(HOST_DIR)/bcm2711-rpi-4-b.dtb
EMULATED_DTB	:= $(BUILD)/image/rpi4-emulated.dtb
RUN_SECONDS ?= $(shell [ -t 0 ] || echo 30)

$(QEMU10): board/rpi4/fetch-qemu.sh | $(DEPS_STAMP)
	sh board/rpi4/fetch-qemu.sh $(QEMU10_DIR)

# Debian's own Pi 4 tree, with what QEMU's model lacks switched off.
$(EMULATED_DTB): $(PI4_DTB) board/rpi4/pi4-dtb.sh | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) DTB $@
	$(Q)sh board/rpi4/pi4-dtb.sh $< $@

.PHONY: emulated run
emulated: $(INITRAMFS) $(HOST_IMAGE) $(EMULATED_DTB) $(QEMU10)

run: emulated
	QEMU10_DIR=$(QEMU10_DIR) \
	QEMU_TIMEOUT=$(if $(RUN_SECONDS),$$(($(RUN_SECONDS) + 180)),0) \
	sh board/rpi4/run.sh $(HOST_IMAGE) $(EMULATED_DTB) $(INITRAMFS) \
		"$(if $(RUN_SECONDS),pinvm.seconds=$(RUN_SECONDS))"
