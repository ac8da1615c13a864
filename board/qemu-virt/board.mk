# SPDX-License-Identifier: GPL-2.0-only
# qemu-virt: the host image and `make run` on the emulated board.

HOST_DIR	:= $(BUILD)/host
HOST_IMAGE	:= $(HOST_DIR)/Image
HOST_BUSYBOX	:= $(HOST_DIR)/busybox
ROOTFS_DIR	:= $(BUILD)/rootfs
INITRAMFS	:= $(BUILD)/initramfs.cpio.gz
DEMO_IMAGES	:= $(BUILD)/guests/demo.bin $(BUILD)/guests/demo.elf

export QEMU_CPUS   := $(CONFIG_QEMU_VIRT_CPUS)
export QEMU_MEMORY := $(CONFIG_QEMU_VIRT_MEMORY)
export QEMU_CPU    := $(call unquote,$(CONFIG_QEMU_VIRT_CPU_MODEL))

# Interactive on a terminal (Ctrl-A X ends it); otherwise, or with
# RUN_SECONDS=N, pinvm is stopped after N seconds and the board powers off.
RUN_SECONDS ?= $(shell [ -t 0 ] || echo 30)

$(HOST_IMAGE) $(HOST_BUSYBOX) &: board/qemu-virt/fetch-host.sh | $(DEPS_STAMP)
	sh board/qemu-virt/fetch-host.sh $(HOST_DIR)

# The host's root file system: busybox, init, pinvm and the demo guests.
.PHONY: $(ROOTFS_DIR)
$(ROOTFS_DIR): $(BUILD)/pinvm $(HOST_BUSYBOX) rootfs/init $(DEMO_IMAGES)
	rm -rf $@ && mkdir -p $@/bin $@/usr/sbin $@/lib/pinvm/guests
	cp $(HOST_BUSYBOX) $@/bin/busybox
	ln -s busybox $@/bin/sh
	cp rootfs/init $@/init
	$(STRIP) -o $@/usr/sbin/pinvm $(BUILD)/pinvm
	cp $(DEMO_IMAGES) $@/lib/pinvm/guests/

$(INITRAMFS): $(ROOTFS_DIR)
	cd $< && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9 > $(CURDIR)/$@

.PHONY: image run
image: $(INITRAMFS)

run: $(INITRAMFS) $(HOST_IMAGE)
	QEMU_TIMEOUT=$(if $(RUN_SECONDS),$$(($(RUN_SECONDS) + 120)),0) \
	sh board/qemu-virt/run.sh $(HOST_IMAGE) $(INITRAMFS) \
		"$(if $(RUN_SECONDS),pinvm.seconds=$(RUN_SECONDS))"
