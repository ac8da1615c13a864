# SPDX-License-Identifier: GPL-2.0-only
# qemu-virt: the host's kernel and busybox, the bootable initramfs of
# make image, and make run.

HOST_DIR	:= $(BUILD)/host
HOST_IMAGE	:= $(HOST_DIR)/Image
HOST_BUSYBOX	:= $(HOST_DIR)/busybox
HOST_KVERSION	:= $(HOST_DIR)/kernel-version
# The modules Debian's kernel lacks for passthrough (VFIO no-IOMMU,
# vfio-platform, vfio-amba), built from Debian's sources for the ABI in
# $(HOST_KVERSION) into $(HOST_DIR)/modules/<abi>/; the stamp names it.
HOST_MODULES	:= $(HOST_DIR)/modules/stamp
INITRAMFS	:= $(BUILD)/image/initramfs.cpio.gz
INITRAMFS_ROOT	:= $(BUILD)/image/initramfs
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

$(HOST_IMAGE) $(HOST_BUSYBOX) $(HOST_KVERSION) &: board/qemu-virt/fetch-host.sh | $(DEPS_STAMP)
	sh board/qemu-virt/fetch-host.sh $(HOST_DIR)

# Rebuilt when the kernel's ABI changes (fetch-host.sh rewrites the file;
# the script does nothing when its stamp already names that ABI).
$(HOST_MODULES): $(HOST_KVERSION) board/qemu-virt/build-modules.sh \
		$(wildcard board/common/linux-patches/*/*.patch) | $(DEPS_STAMP)
	sh board/qemu-virt/build-modules.sh $(HOST_KVERSION) $(HOST_DIR)/modules

# The image's root file system plus busybox, the kernel's modules for
# passthrough (loaded by /etc/init.d/S10modules) and the board's /init.
$(INITRAMFS): $(IMAGE_ROOT) $(HOST_BUSYBOX) $(HOST_MODULES) rootfs/init \
		rootfs/etc/init.d/S10modules
	$(quiet) CPIO $@
	$(Q)rm -rf $(INITRAMFS_ROOT)
	$(Q)cp -a $(IMAGE_ROOT) $(INITRAMFS_ROOT)
	$(Q)install -D -m 0755 $(HOST_BUSYBOX) $(INITRAMFS_ROOT)/bin/busybox
	$(Q)ln -s busybox $(INITRAMFS_ROOT)/bin/sh
	$(Q)abi=$$(sed 's/^linux-image-//' $(HOST_KVERSION)) && \
		mkdir -p $(INITRAMFS_ROOT)/lib/modules/$$abi && \
		cp -a $(HOST_DIR)/modules/$$abi $(INITRAMFS_ROOT)/lib/modules/$$abi/pinvm
	$(Q)install -D -m 0755 rootfs/etc/init.d/S10modules \
		$(INITRAMFS_ROOT)/etc/init.d/S10modules
	$(Q)install -m 0755 rootfs/init $(INITRAMFS_ROOT)/init
	$(Q)cd $(INITRAMFS_ROOT) && find . | LC_ALL=C sort | \
		cpio -o -H newc --quiet -R 0:0 | gzip -9 > $(CURDIR)/$@

.PHONY: run
run: $(INITRAMFS) $(HOST_IMAGE)
	QEMU_TIMEOUT=$(if $(RUN_SECONDS),$$(($(RUN_SECONDS) + 120)),0) \
	sh board/qemu-virt/run.sh $(HOST_IMAGE) $(INITRAMFS) \
		"$(if $(RUN_SECONDS),pinvm.seconds=$(RUN_SECONDS))"
