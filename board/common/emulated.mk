# SPDX-License-Identifier: GPL-2.0-only
# The emulated boards' host (qemu-virt, and the Pi 4 under QEMU's raspi4b
# model): Debian's arm64 kernel, busybox, the modules passthrough needs,
# and a bootable initramfs of the board image plus those.

HOST_DIR	:= $(BUILD)/host
HOST_IMAGE	:= $(HOST_DIR)/Image
HOST_BUSYBOX	:= $(HOST_DIR)/busybox
HOST_KVERSION	:= $(HOST_DIR)/kernel-version
# The kernel package's own SP805 watchdog module, for the Linux test guest.
HOST_WDT_MODULE	:= $(HOST_DIR)/guest-modules/sp805_wdt.ko
# The modules Debian's kernel lacks for passthrough (VFIO no-IOMMU,
# vfio-platform, vfio-amba), built from Debian's sources for the ABI in
# $(HOST_KVERSION) into $(HOST_DIR)/modules/<abi>/; the stamp names it.
HOST_MODULES	:= $(HOST_DIR)/modules/stamp
INITRAMFS	:= $(BUILD)/image/initramfs.cpio.gz
INITRAMFS_ROOT	:= $(BUILD)/image/initramfs

# Debian's Pi 4 device tree comes with the kernel package.
$(HOST_IMAGE) $(HOST_BUSYBOX) $(HOST_KVERSION) $(HOST_DIR)/bcm2711-rpi-4-b.dtb &: \
		board/common/fetch-host.sh | $(DEPS_STAMP)
	sh board/common/fetch-host.sh $(HOST_DIR)

$(HOST_WDT_MODULE): $(HOST_KVERSION) board/common/fetch-guest-modules.sh | $(DEPS_STAMP)
	sh board/common/fetch-guest-modules.sh $(HOST_KVERSION) $(dir $@)

# Rebuilt when the kernel's ABI changes (fetch-host.sh rewrites the file;
# the script does nothing when its stamp already names that ABI).
$(HOST_MODULES): $(HOST_KVERSION) board/common/build-modules.sh \
		$(wildcard board/common/linux-patches/*/*.patch) | $(DEPS_STAMP)
	sh board/common/build-modules.sh $(HOST_KVERSION) $(HOST_DIR)/modules

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
