# SPDX-License-Identifier: GPL-2.0-only
# qemu-virt: the host's kernel and busybox, the bootable initramfs of
# make image, and make run.

include board/common/emulated.mk

# make image: the demo firmware of dts/qemu-virt.dts (rootfs/guests/demo/,
# built into CONFIG_IMAGE_FIRMWARE_DIR).
BOARD_FIRMWARE	:= $(BUILD)/guests/demo-rtc.elf $(BUILD)/guests/demo-fwcfg-be.bin \
		   $(BUILD)/guests/demo-gpio.bin
BOARD_IMAGES	:= $(INITRAMFS)

export QEMU_CPUS   := $(CONFIG_QEMU_VIRT_CPUS)
export QEMU_MEMORY := $(CONFIG_QEMU_VIRT_MEMORY)
export QEMU_CPU    := $(call unquote,$(CONFIG_QEMU_VIRT_CPU_MODEL))

# Interactive on a terminal (Ctrl-A X ends it); otherwise, or with
# RUN_SECONDS=N, pinvm is stopped after N seconds and the board powers off.
RUN_SECONDS ?= $(shell [ -t 0 ] || echo 30)

.PHONY: run
run: $(INITRAMFS) $(HOST_IMAGE)
	QEMU_TIMEOUT=$(if $(RUN_SECONDS),$$(($(RUN_SECONDS) + 120)),0) \
	sh board/qemu-virt/run.sh $(HOST_IMAGE) $(INITRAMFS) \
		"$(if $(RUN_SECONDS),pinvm.seconds=$(RUN_SECONDS))"
