# SPDX-License-Identifier: GPL-2.0-only
#
# pinvm: make <board>_defconfig && make
#
# Configuration follows Linux and Buildroot: *_defconfig, menuconfig,
# nconfig, oldconfig, olddefconfig, savedefconfig, with Debian's
# kconfig-frontends. Everything built lands in build/ (or O=DIR, with
# its own DIR/.config, as in Linux and Buildroot).

MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
# A recipe that fails leaves no half-made target that a rerun would trust.
.DELETE_ON_ERROR:

ifneq ($(O),)
BUILD		:= $(patsubst %/,%,$(O))
KCONFIG_CONFIG	?= $(BUILD)/.config
else
BUILD		:= build
KCONFIG_CONFIG	?= .config
endif
KCONFIG		:= Kconfig
# Every kconfig tool reads and writes $(KCONFIG_CONFIG).
KCONF		:= KCONFIG_CONFIG=$(KCONFIG_CONFIG)
# What selects the build is the make's own; a make in another tree (a
# board or Buildroot check) must not inherit it.
unexport O BUILD KCONFIG_CONFIG IN_TEST_BUILD TEST_BASE_CONFIG TOP_BUILD
DEFAULT_DEFCONFIG := qemu_virt_defconfig
VERSION		:= $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

KCONFIG_AUTOCONFIG := $(BUILD)/include/config/auto.conf
KCONFIG_AUTOHEADER := $(BUILD)/include/generated/autoconf.h

CONFIG_TARGETS	:= %_defconfig menuconfig nconfig oldconfig olddefconfig \
		   savedefconfig
# The test goals run in the test build, O=$(BUILD)/test (test/test-build.mk).
TEST_GOALS	:= unit build-checks system fuzz fuzz-ci lint check
NO_CONFIG_TARGETS := deps clean distclean help kconfig-doc $(CONFIG_TARGETS)

.PHONY: all deps clean distclean help check unit build-checks system run bench \
	install lint \
	menuconfig nconfig oldconfig olddefconfig savedefconfig kconfig-doc

all: $(BUILD)/pinvm

# Quiet like Linux: "  CC core/bus.o"; V=1 shows every command.
ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

# --- dependencies: Debian packages --------------------------------------
# Checking is not installing. Every target first checks (one dpkg-query)
# that the packages it needs are installed, and stops with the line to
# run when not; only make deps, and make run, make check and make bench
# (which set a fresh machine up), install what is missing.
# The unit tests link the host's own libfdt and libgpiod: name their
# architecture, or the arm64 copies the -dev packages pull in would do.
HOST_ARCH  := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEPS_KCONFIG := kconfig-frontends-nox
DEPS_BUILD := make gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
	      binutils-aarch64-linux-gnu device-tree-compiler \
	      libfdt1:$(HOST_ARCH) libgpiod2:$(HOST_ARCH) \
	      libsodium-dev:$(HOST_ARCH) $(DEPS_KCONFIG) \
	      libfdt-dev:arm64 libgpiod-dev:arm64 libsodium-dev:arm64 \
	      libseccomp-dev:arm64 libseccomp-dev:$(HOST_ARCH) qemu-user
# The emulated board's image: QEMU, and for the modules built from
# Debian's kernel sources (board/common/build-modules.sh) patch and xz.
DEPS_BOARD := qemu-system-arm cpio gzip file ipxe-qemu patch xz-utils
DEPS_TEST  := clang libclang-rt-14-dev openssl cppcheck clang-tidy valgrind
DEPS_ALL   := $(DEPS_BUILD) $(DEPS_BOARD) $(DEPS_TEST)
DEPS_INSTALL_GOALS := deps run check bench
DEPS_STAMP := deps-checked

# What the goals need: configuring needs kconfig-frontends, building
# pinvm the build packages, anything else (image, tests) all of them.
DEPS_GOALS := $(or $(MAKECMDGOALS),all)
ifeq ($(filter-out clean distclean help,$(DEPS_GOALS)),)
DEPS_NEEDED :=
else ifeq ($(filter-out $(CONFIG_TARGETS),$(DEPS_GOALS)),)
DEPS_NEEDED := $(DEPS_KCONFIG)
else ifeq ($(filter-out all install $(BUILD)/% kconfig-doc,$(DEPS_GOALS)),)
DEPS_NEEDED := $(DEPS_BUILD)
else
DEPS_NEEDED := $(DEPS_ALL)
endif

.PHONY: $(DEPS_STAMP)
deps: $(DEPS_STAMP)
# NO_DEPS=1: another build system (Buildroot) provides the toolchain and
# libraries; check and install nothing.
ifeq ($(NO_DEPS),1)
$(DEPS_STAMP): ; @:
else ifneq ($(filter $(DEPS_INSTALL_GOALS),$(DEPS_GOALS)),)
$(DEPS_STAMP):
	@sh board/common/install-deps.sh $(DEPS_ALL)
else ifneq ($(DEPS_NEEDED),)
$(DEPS_STAMP):
	@sh board/common/check-deps.sh $(DEPS_NEEDED)
else
$(DEPS_STAMP): ; @:
endif

# --- configuration ------------------------------------------------------
%_defconfig: $(DEPS_STAMP)
	@test -f configs/$@ || { echo "No such board configuration: configs/$@"; \
		echo "Boards: $$(cd configs && ls)"; exit 1; }
	@mkdir -p $(dir $(KCONFIG_CONFIG))
	$(KCONF) kconfig-conf --defconfig=configs/$@ $(KCONFIG)

menuconfig: $(DEPS_STAMP)
	$(KCONF) kconfig-mconf $(KCONFIG)

nconfig: $(DEPS_STAMP)
	$(KCONF) kconfig-nconf $(KCONFIG)

oldconfig: $(DEPS_STAMP)
	$(KCONF) kconfig-conf --oldconfig $(KCONFIG)

olddefconfig: $(DEPS_STAMP)
	$(KCONF) kconfig-conf --olddefconfig $(KCONFIG)

SAVED_DEFCONFIG := $(if $(O),$(BUILD)/)defconfig
savedefconfig: $(DEPS_STAMP) $(KCONFIG_CONFIG)
	$(KCONF) kconfig-conf --savedefconfig=$(SAVED_DEFCONFIG) $(KCONFIG)
	@echo "Wrote $(SAVED_DEFCONFIG); copy it to configs/<board>_defconfig to keep it."

# No configuration yet: the embedded default board, as a newcomer expects.
# (The test build makes its own: test/test.mk.)
ifeq ($(IN_TEST_BUILD),)
$(KCONFIG_CONFIG): | $(DEPS_STAMP)
	@echo "No $(KCONFIG_CONFIG): using configs/$(DEFAULT_DEFCONFIG)"
	@mkdir -p $(dir $@)
	$(KCONF) kconfig-conf --defconfig=configs/$(DEFAULT_DEFCONFIG) $(KCONFIG)
endif

KCONFIG_FILES := $(KCONFIG) $(wildcard board/*/Kconfig board/*/Kconfig.board \
		   core/*/Kconfig drivers/Kconfig drivers/*/Kconfig)
$(KCONFIG_AUTOCONFIG) $(KCONFIG_AUTOHEADER) &: $(KCONFIG_CONFIG) $(KCONFIG_FILES) | $(DEPS_STAMP)
	@mkdir -p $(dir $(KCONFIG_AUTOCONFIG)) $(dir $(KCONFIG_AUTOHEADER))
	@# Symbols new since .config was made take their defaults, as with
	@# olddefconfig; the build never stops to ask.
	$(Q)$(KCONF) kconfig-conf --olddefconfig $(KCONFIG) > /dev/null
	@# This kconfig writes include/config/ below the working directory.
	$(Q)cd $(BUILD) && srctree=$(CURDIR) KCONFIG_CONFIG=$(abspath $(KCONFIG_CONFIG)) \
		KCONFIG_AUTOCONFIG=include/config/auto.conf \
		KCONFIG_AUTOHEADER=include/generated/autoconf.h \
		kconfig-conf --silentoldconfig $(CURDIR)/$(KCONFIG)
	@touch $(KCONFIG_AUTOCONFIG) $(KCONFIG_AUTOHEADER)

# Test goals alone need no configuration here: they make their own.
ifeq ($(filter $(NO_CONFIG_TARGETS),$(MAKECMDGOALS)),)
ifneq ($(IN_TEST_BUILD)$(filter-out $(TEST_GOALS),$(or $(MAKECMDGOALS),all)),)
-include $(KCONFIG_AUTOCONFIG)
endif
endif

unquote = $(patsubst "%",%,$(1))
CROSS_COMPILE ?= $(call unquote,$(CONFIG_CROSS_COMPILE))
BOARD := $(call unquote,$(CONFIG_BOARD_NAME))

# --- the monitor (arm64, static) --------------------------------------
CC		:= $(CROSS_COMPILE)gcc
STRIP		:= $(CROSS_COMPILE)strip
WARNINGS	:= -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Werror
COMMON_CFLAGS	:= -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -Icore -Icore/loader -Icore/update \
		   -I$(BUILD)/include \
		   -include $(KCONFIG_AUTOHEADER)
# CFLAGS and LDFLAGS are the caller's (Buildroot passes its own); pinvm's
# own flags come first, so the caller's optimisation level wins.
CFLAGS		?= -O2
LDFLAGS		?=
PINVM_CFLAGS	:= $(COMMON_CFLAGS) -DPINVM_VERSION='"$(VERSION)"' \
		   $(call unquote,$(CONFIG_EXTRA_CFLAGS))
LDLIBS		:= -lfdt -lgpiod $(if $(CONFIG_UPDATE),-lsodium) -lpthread
HOSTCC		:= gcc
# Runs an arm64 program of the build's on the build machine: qemu-user,
# unless the machine is arm64 itself (Buildroot passes its host-qemu's).
TARGET_RUN	?= $(if $(filter aarch64 arm64,$(shell uname -m)),,qemu-aarch64)

include core/objects.mk drivers/objects.mk

OBJS := $(addprefix $(BUILD)/obj/,$(core-y) $(drivers-y))
DTB  := $(BUILD)/partition.dtb

# The monitor carries its seccomp filters built (core/sandbox_rules.c): a
# first link, with the allow-lists and libseccomp, writes them as C (pinvm
# filter source); the monitor links that table instead, without either.
FILTERS_STAGE	:= $(BUILD)/pinvm-filters
FILTERS_C	:= $(BUILD)/sandbox_filters.c
RULES_OBJ	:= $(BUILD)/obj/core/sandbox_rules.o
MONITOR_OBJS	:= $(filter-out $(RULES_OBJ),$(OBJS)) \
		   $(if $(CONFIG_SECCOMP),$(BUILD)/obj/core/sandbox_carried.o \
		   $(BUILD)/obj/sandbox_filters.o)

$(BUILD)/pinvm: $(MONITOR_OBJS)
	$(quiet) LD $@
	$(Q)$(CC) -static $(LDFLAGS) -o $@ $(MONITOR_OBJS) $(LDLIBS)

$(FILTERS_STAGE): $(OBJS)
	$(quiet) LD $@
	$(Q)$(CC) -static $(LDFLAGS) -o $@ $(OBJS) \
		$(filter-out -lpthread,$(LDLIBS)) -lseccomp -lpthread

$(FILTERS_C): $(FILTERS_STAGE)
	$(quiet) FILTERS $@
	$(Q)$(TARGET_RUN) $(FILTERS_STAGE) filter source $@.tmp || { \
		echo "Cannot run the arm64 $(FILTERS_STAGE) here$(if $(TARGET_RUN), with $(TARGET_RUN)):" \
		     "install qemu-user (make deps), or set TARGET_RUN to what runs it" >&2; \
		rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

$(BUILD)/obj/sandbox_filters.o: $(FILTERS_C)
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(PINVM_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.c $(KCONFIG_AUTOHEADER) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(PINVM_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/core/partition_blob.o: core/partition_blob.S $(DTB)
	@mkdir -p $(dir $@)
	$(quiet) AS $<
	$(Q)$(CC) -DPARTITION_DTB='"$(DTB)"' -c -o $@ $<

# dtc warnings are errors: a partition that dtc doubts is not built.
DTC := dtc
DTC_FLAGS := -I dts -O dtb -i dts -i $(dir $(call unquote,$(CONFIG_PARTITION_DTS)))
$(DTB): $(call unquote,$(CONFIG_PARTITION_DTS)) $(wildcard dts/*.dtsi) \
		$(KCONFIG_AUTOCONFIG) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) DTC $<
	$(Q)$(DTC) $(DTC_FLAGS) -o $@ $< 2> $@.log; \
		ret=$$?; cat $@.log >&2; \
		if [ $$ret -ne 0 ] || [ -s $@.log ]; then rm -f $@; \
		echo "dtc: $< has errors or warnings (treated as errors)" >&2; exit 1; fi

-include $(OBJS:.o=.d)

# --- field update: pinvm-sign (build machine) and the board's key -------
PINVM_SIGN	:= $(BUILD)/tools/pinvm-sign
SIGN_SRCS	:= core/update/pinvm_sign.c core/update/bundle.c core/file.c \
		   core/update/update_state.c core/log.c core/names.c

$(PINVM_SIGN): $(SIGN_SRCS) $(wildcard core/*.h core/*/*.h) $(KCONFIG_AUTOHEADER) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) HOSTCC $@
	$(Q)$(HOSTCC) -O2 $(COMMON_CFLAGS) $(HOST_CFLAGS) -o $@ $(SIGN_SRCS) \
		$(HOST_LDFLAGS) -lsodium

DEV_KEY		:= $(BUILD)/keys/development
UPDATE_KEY	:= $(or $(call unquote,$(CONFIG_UPDATE_PUBLIC_KEY)),$(DEV_KEY).pub)
UPDATE_KEY_H	:= $(BUILD)/include/generated/update_key.h

# A board without its own key gets a development key, made once per tree.
$(DEV_KEY).pub $(DEV_KEY).sec &: | $(PINVM_SIGN)
	@mkdir -p $(dir $@)
	$(quiet) KEYGEN $(DEV_KEY).sec
	$(Q)$(PINVM_SIGN) keygen $(DEV_KEY).sec $(DEV_KEY).pub > /dev/null

$(UPDATE_KEY_H): $(UPDATE_KEY) $(KCONFIG_AUTOCONFIG)
	@test -f "$<" || { echo "CONFIG_UPDATE_PUBLIC_KEY: $< does not exist" >&2; exit 1; }
	$(if $(call unquote,$(CONFIG_UPDATE_PUBLIC_KEY)),,@echo "warning: pinvm trusts the development update key $(DEV_KEY).pub (set CONFIG_UPDATE_PUBLIC_KEY for the field)" >&2)
	$(quiet) GEN $@
	$(Q)key=$$(grep -v '^#' $< | tr -d ' \n'); \
		echo "$$key" | grep -Eqx '[0-9a-f]{64}' || \
		{ echo "$<: not a pinvm update public key (pinvm-sign keygen)" >&2; exit 1; }; \
		printf '#define UPDATE_PUBLIC_KEY_HEX "%s"\n' "$$key" > $@

$(BUILD)/obj/core/update/update.o: $(UPDATE_KEY_H)

# make install DESTDIR=<root>: the monitor and its start-up script, as a
# package (Buildroot) installs them; make image adds guest firmware.
define install-monitor
	$(Q)install -D -m 0755 $(BUILD)/pinvm $(1)/usr/sbin/pinvm
	$(Q)install -D -m 0755 rootfs/etc/init.d/S50pinvm $(1)/etc/init.d/S50pinvm
	$(Q)install -D -m 0644 rootfs/etc/default/pinvm $(1)/etc/default/pinvm
endef

install: $(BUILD)/pinvm
	$(quiet) INSTALL $(DESTDIR)/usr/sbin/pinvm
	$(call install-monitor,$(DESTDIR))

# make image's outputs (board/common/image.mk); a board's own image rules
# (board.mk) build on them, and give image.mk their firmware.
IMAGE_OUT	:= $(BUILD)/image
IMAGE_ROOT	:= $(IMAGE_OUT)/rootfs

include rootfs/guests/lib/lib.mk
include rootfs/guests/demo/guests.mk
include test/guests/guests.mk
include board/$(or $(BOARD),qemu-virt)/board.mk
include board/common/image.mk
ifneq ($(IN_TEST_BUILD),)
include test/test.mk
include test/fuzz/fuzz.mk
include test/lint/lint.mk
endif
include test/test-build.mk
include test/bench/bench.mk

# docs/kconfig.md is made from the Kconfig files (the build checks fail
# when it is stale).
kconfig-doc:
	$(Q)sh docs/kconfig-doc.sh $(KCONFIG) docs/kconfig-header.md > docs/kconfig.md.tmp
	$(Q)mv docs/kconfig.md.tmp docs/kconfig.md
	@echo "Wrote docs/kconfig.md"

clean:
	rm -rf $(BUILD)/obj $(BUILD)/pinvm $(FILTERS_STAGE) $(FILTERS_C) $(BUILD)/*.dtb \
		$(BUILD)/unit $(BUILD)/boards \
		$(BUILD)/guests $(BUILD)/rootfs $(BUILD)/*.cpio.gz $(BUILD)/test

distclean:
	rm -rf $(BUILD) $(KCONFIG_CONFIG) $(KCONFIG_CONFIG).old $(SAVED_DEFCONFIG)

help:
	@echo "pinvm — a per-board VMM for ARM64 edge devices"
	@echo
	@echo "  make run                  boot the emulated board with its demo guests"
	@echo "                            (qemu-virt; rpi4: the Pi 4 image on QEMU 10's raspi4b)"
	@echo "  make emulated             rpi4: what make run boots (QEMU 10, the Pi 4 tree)"
	@echo "  make check                all tests, in build/test (your .config + test/configs/test.config):"
	@echo "                            unit, build-checks, fuzz-ci, lint, system"
	@echo "  make <board>_defconfig    configure for a board: $$(cd configs && ls | tr '\n' ' ')"
	@echo "  make menuconfig / nconfig / oldconfig / olddefconfig / savedefconfig"
	@echo "  make                      build build/pinvm"
	@echo "  make unit                 host unit tests (ASan/UBSan)"
	@echo "  make build-checks         the build, board image and Buildroot package checks"
	@echo "  make system               system tests on the emulated board"
	@echo "  make fuzz                 the libFuzzer targets, FUZZ_SECONDS (600) each"
	@echo "  make lint                 cppcheck and clang-tidy on core/ and drivers/"
	@echo "  make bench                size, MMIO exits, interrupt latency, start-up,"
	@echo "                            guest-to-guest link"
	@echo "  make bench-startup        the start-up section alone"
	@echo "  make bench-shmem          the link section alone"
	@echo "  make deps                 install the Debian packages (run, check, bench do it too;"
	@echo "                            other targets only check, and say what to install)"
	@echo "  make kconfig-doc          write docs/kconfig.md from the Kconfig files"
	@echo "  make O=DIR ...            build in DIR, with DIR/.config"
	@echo "  make clean / distclean"
