# SPDX-License-Identifier: GPL-2.0-only
#
# A stand-in for Buildroot, enough to drive board/buildroot/package/pinvm/
# pinvm.mk unchanged: the variables Buildroot defines for a package (as
# package/Makefile.in builds them), and kconfig-package as stamp targets
# in the package's build directory, so that $(@D) is that directory as in
# Buildroot. The Debian cross toolchain and arm64 -dev packages stand in
# for Buildroot's toolchain and staging directory.
#
#   make -f harness.mk SRC=<copy of the tree> OUT=<scratch> TOPDIR=<tree> \
#       configure | build | install | check-editors | print-VAR

BR2_EXTERNAL_PINVM_PATH := $(TOPDIR)/board/buildroot
BR2_aarch64 = y
BR2_STATIC_LIBS = y
BR2_INIT_BUSYBOX = y
BR2_PACKAGE_PINVM = y
BR2_PACKAGE_PINVM_DEFCONFIG ?= "qemu_virt"
BR2_PACKAGE_PINVM_UPDATE_PUBLIC_KEY ?= ""

qstrip = $(strip $(subst ",,$(1)))
SED = sed -i -e
INSTALL = install
SHARP_SIGN = \#

HOST_DIR = $(OUT)/host
TARGET_DIR = $(OUT)/target
BR_PATH = $(HOST_DIR)/bin:$(HOST_DIR)/sbin:$(PATH)

# Buildroot's TARGET_CROSS is $(HOST_DIR)/bin/<tuple>-: check.sh puts
# logging wrappers of Debian's aarch64-linux-gnu- tools there.
TARGET_CROSS = $(HOST_DIR)/bin/aarch64-linux-gnu-
TARGET_AR = $(TARGET_CROSS)ar
TARGET_AS = $(TARGET_CROSS)as
TARGET_CC = $(TARGET_CROSS)gcc
TARGET_LD = $(TARGET_CROSS)ld
TARGET_NM = $(TARGET_CROSS)nm
TARGET_STRIP = $(TARGET_CROSS)strip
TARGET_CPPFLAGS = -D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE \
	-D_FILE_OFFSET_BITS=64
TARGET_CFLAGS = $(TARGET_CPPFLAGS) -Os -g0
TARGET_LDFLAGS =
ifeq ($(BR2_STATIC_LIBS),y)
TARGET_CFLAGS += -static
TARGET_LDFLAGS += -static
endif

HOSTCC = gcc
HOSTCC_NOCCACHE = gcc
HOST_CPPFLAGS = -I$(HOST_DIR)/include
HOST_CFLAGS = -O2 $(HOST_CPPFLAGS)
HOST_LDFLAGS = -L$(HOST_DIR)/lib -Wl,-rpath,$(HOST_DIR)/lib

TARGET_MAKE_ENV = PATH=$(BR_PATH)
TARGET_CONFIGURE_OPTS = \
	$(TARGET_MAKE_ENV) \
	AR="$(TARGET_AR)" \
	AS="$(TARGET_AS)" \
	LD="$(TARGET_LD)" \
	NM="$(TARGET_NM)" \
	CC="$(TARGET_CC)" \
	GCC="$(TARGET_CC)" \
	STRIP="$(TARGET_STRIP)" \
	CC_FOR_BUILD="$(HOSTCC)" \
	CFLAGS_FOR_BUILD="$(HOST_CFLAGS)" \
	LDFLAGS_FOR_BUILD="$(HOST_LDFLAGS)" \
	CPPFLAGS="$(TARGET_CPPFLAGS)" \
	CFLAGS="$(TARGET_CFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS)"

# pkg-utils.mk's .config helpers, with an explicit file.
define KCONFIG_MUNGE_DOT_CONFIG
	$(SED) "/\\<$(strip $(1))\\>/d" $(strip $(3))
	echo '$(strip $(2))' >> $(strip $(3))
endef
KCONFIG_ENABLE_OPT = $(call KCONFIG_MUNGE_DOT_CONFIG,$(1),$(1)=y,$(2))
KCONFIG_SET_OPT = $(call KCONFIG_MUNGE_DOT_CONFIG,$(1),$(1)=$(2),$(3))
KCONFIG_DISABLE_OPT = $(call KCONFIG_MUNGE_DOT_CONFIG,$(1),$(SHARP_SIGN) $(1) is not set,$(2))

PKG_KCONFIG_COMMON_OPTS = HOSTCC="$(HOSTCC_NOCCACHE)"

# generic-package / kconfig-package stand-ins. $(1): upper-case name.
define harness-package
$(1)_DIR = $$(SRC)
$(1)_MAKE_ENV ?= $$(TARGET_MAKE_ENV)
$(1)_KCONFIG_MAKE = $$($(1)_MAKE_ENV) $$(MAKE) -C $$($(1)_DIR) \
	$$(PKG_KCONFIG_COMMON_OPTS) $$($(1)_KCONFIG_OPTS)

ifeq ($$(or $$($(1)_KCONFIG_FILE),$$($(1)_KCONFIG_DEFCONFIG)),)
$$(error $(1)_KCONFIG_FILE or $(1)_KCONFIG_DEFCONFIG must be set)
endif
ifneq ($$(and $$($(1)_KCONFIG_FILE),$$($(1)_KCONFIG_DEFCONFIG)),)
$$(error $(1)_KCONFIG_FILE and $(1)_KCONFIG_DEFCONFIG are both set)
endif

# As pkg-kconfig.mk: the defconfig (or the file), the package's fixups,
# then olddefconfig when the package's Makefile offers it.
$$(SRC)/.stamp_kconfig_fixup_done:
	+$$(if $$($(1)_KCONFIG_DEFCONFIG),$$($(1)_KCONFIG_MAKE) $$($(1)_KCONFIG_DEFCONFIG),install -m 0644 -D $$($(1)_KCONFIG_FILE) $$(@D)/.config)
	$$($(1)_KCONFIG_FIXUP_CMDS)
	$$($(1)_KCONFIG_MAKE) -pn config 2> /dev/null | \
		grep -q '^olddefconfig:' || \
		{ echo "harness: the package's Makefile has no olddefconfig" >&2; exit 1; }
	+$$($(1)_KCONFIG_MAKE) olddefconfig
	touch $$@

$$(SRC)/.stamp_built: $$(SRC)/.stamp_kconfig_fixup_done
	+$$($(1)_BUILD_CMDS)
	touch $$@

$$(SRC)/.stamp_target_installed: $$(SRC)/.stamp_built
	+$$($(1)_INSTALL_TARGET_CMDS)
	$$(if $$(filter y,$$(BR2_INIT_BUSYBOX) $$(BR2_INIT_SYSV)),$$($(1)_INSTALL_INIT_SYSV))
	touch $$@

configure: $$(SRC)/.stamp_kconfig_fixup_done
build: $$(SRC)/.stamp_built
install: $$(SRC)/.stamp_target_installed

# pinvm-menuconfig and the other editors: the package's Makefile must
# have the target (checked with -n: no terminal here).
check-editors: $$(SRC)/.stamp_kconfig_fixup_done
	@$$(foreach e,$$($(1)_KCONFIG_EDITORS),$$($(1)_KCONFIG_MAKE) -n $$(e) > /dev/null &&) true
endef

pkgname = $(basename $(notdir $(lastword $(MAKEFILE_LIST))))
kconfig-package = $(call harness-package,$(call UPPERCASE,$(pkgname)))
generic-package = $(kconfig-package)
UPPERCASE = $(shell echo $(1) | tr a-z- A-Z_)

.PHONY: configure build install check-editors
print-%:
	@echo '$($*)'

include $(BR2_EXTERNAL_PINVM_PATH)/external.mk
