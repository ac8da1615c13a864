# SPDX-License-Identifier: GPL-2.0-only
# make image: what goes onto the board, in build/image/:
#   rootfs/         the root file system overlay, as a directory
#   rootfs.tar.gz   the same as a tarball, to unpack onto the board's root
#   and what the board adds (qemu-virt: initramfs.cpio.gz, bootable).
# The overlay holds pinvm, its start-up script and /etc files, the guests'
# firmware (from CONFIG_IMAGE_FIRMWARE_DIR) and, for guests that can be
# updated, their firmware already in slot a.

IMAGE_TAR	:= $(IMAGE_OUT)/rootfs.tar.gz
# A firmware directory under build/ is in this build's output directory
# (O=, e.g. build/test for the tests).
FIRMWARE_DIR	:= $(patsubst build/%,$(BUILD)/%,$(call unquote,$(CONFIG_IMAGE_FIRMWARE_DIR)))

ifneq ($(filter image,$(MAKECMDGOALS)),)
ifeq ($(wildcard $(KCONFIG_CONFIG)),)
$(error make image: no board is configured; run make <board>_defconfig first \
	(boards: $(patsubst %_defconfig,%,$(notdir $(wildcard configs/*_defconfig)))))
endif
endif

.PHONY: image $(IMAGE_ROOT)
$(IMAGE_ROOT): $(BUILD)/pinvm $(DTB) $(PINVM_SIGN) $(BOARD_FIRMWARE) \
		rootfs/etc/init.d/S50pinvm rootfs/etc/default/pinvm \
		board/common/install-firmware.sh
	@test -n "$(BOARD)" || { echo "make image: CONFIG_BOARD_NAME is not set: choose a board with make <board>_defconfig" >&2; exit 1; }
	@test -n "$(FIRMWARE_DIR)" || { echo "make image: CONFIG_IMAGE_FIRMWARE_DIR is not set: set it (make menuconfig, \"Board image\") to the directory holding the guests' firmware named in $(CONFIG_PARTITION_DTS)" >&2; exit 1; }
	$(quiet) IMAGE $@
	$(Q)rm -rf $@
	$(call install-monitor,$@)
	$(Q)$(STRIP) $@/usr/sbin/pinvm
	$(Q)install -D -m 0644 board/$(BOARD)/cmdline $@/etc/pinvm/cmdline
	$(Q)echo "$(BOARD) 1.0" > $@/etc/hwrevision
	$(Q)sh board/common/install-firmware.sh $(DTB) "$(FIRMWARE_DIR)" $@ \
		$(call unquote,$(CONFIG_IMAGE_DIR)) $(call unquote,$(CONFIG_UPDATE_DIR)) \
		$(PINVM_SIGN)

$(IMAGE_TAR): $(IMAGE_ROOT)
	$(quiet) TAR $@
	$(Q)tar -C $< --owner=0 --group=0 --sort=name -czf $@ .

image: $(IMAGE_TAR) $(BOARD_IMAGES)
	@echo "image: $(IMAGE_ROOT)/ and $(IMAGE_TAR)$(if $(BOARD_IMAGES), and $(BOARD_IMAGES))"
