################################################################################
#
# pinvm
#
################################################################################

# SPDX-License-Identifier: GPL-2.0-only
#
# pinvm is built from the source tree that holds this BR2_EXTERNAL tree
# (board/buildroot/ in it). Host requirement: its configuration uses
# kconfig-frontends (kconfig-conf, kconfig-mconf, kconfig-nconf) from the
# build machine, e.g. Debian's kconfig-frontends-nox; Buildroot has no
# package for them.

# A fixed version: pinvm's Makefile would otherwise ask git, and find the
# Buildroot tree that the build directory is in.
PINVM_VERSION = 0.1
PINVM_SITE = $(BR2_EXTERNAL_PINVM_PATH)/../..
PINVM_SITE_METHOD = local
PINVM_LICENSE = GPL-2.0
PINVM_LICENSE_FILES = LICENSE
# libfdt (dtc), dtc itself for the partition, libseccomp for the
# threads' filters (built into pinvm at build time: its first link runs
# under host-qemu's user mode), and libsodium for the host tool
# pinvm-sign (the development update key).
PINVM_DEPENDENCIES = dtc host-dtc libgpiod libsodium host-libsodium libseccomp \
	host-qemu

PINVM_KCONFIG_DEFCONFIG = $(call qstrip,$(BR2_PACKAGE_PINVM_DEFCONFIG))_defconfig
PINVM_KCONFIG_EDITORS = menuconfig nconfig

# NO_DEPS=1: pinvm's Makefile installs no Debian packages. It adds its
# own flags before CFLAGS and always links statically.
PINVM_MAKE_OPTS = \
	NO_DEPS=1 \
	VERSION=$(PINVM_VERSION) \
	CROSS_COMPILE="$(TARGET_CROSS)" \
	CC="$(TARGET_CC)" \
	CFLAGS="$(TARGET_CFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS)" \
	DTC="$(HOST_DIR)/bin/dtc" \
	TARGET_RUN="$(HOST_DIR)/bin/qemu-aarch64" \
	HOSTCC="$(HOSTCC)" \
	HOST_CFLAGS="$(HOST_CFLAGS)" \
	HOST_LDFLAGS="$(HOST_LDFLAGS)"

PINVM_KCONFIG_OPTS = $(PINVM_MAKE_OPTS)

PINVM_UPDATE_PUBLIC_KEY = $(call qstrip,$(BR2_PACKAGE_PINVM_UPDATE_PUBLIC_KEY))
ifneq ($(PINVM_UPDATE_PUBLIC_KEY),)
define PINVM_SET_UPDATE_KEY
	$(call KCONFIG_SET_OPT,CONFIG_UPDATE_PUBLIC_KEY,"$(abspath $(PINVM_UPDATE_PUBLIC_KEY))",$(@D)/.config)
endef
endif

define PINVM_KCONFIG_FIXUP_CMDS
	$(PINVM_SET_UPDATE_KEY)
endef

define PINVM_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(PINVM_MAKE_OPTS)
endef

# /usr/sbin/pinvm, /etc/init.d/S50pinvm and /etc/default/pinvm
define PINVM_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(PINVM_MAKE_OPTS) \
		install DESTDIR=$(TARGET_DIR)
endef

define PINVM_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(@D)/rootfs/etc/init.d/S50pinvm \
		$(TARGET_DIR)/etc/init.d/S50pinvm
endef

$(eval $(kconfig-package))
