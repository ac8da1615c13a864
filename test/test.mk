# SPDX-License-Identifier: GPL-2.0-only
# make check = make unit + make build-checks + make fuzz-ci + make lint +
# make system, in the test build (test/test-build.mk).

SANITIZE	:= -fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_CFLAGS	:= -O1 -g $(COMMON_CFLAGS) $(SANITIZE) -Itest/unit -Idrivers
UNIT_LDLIBS	:= -l:libfdt.so.1 -l:libgpiod.so.2 -lsodium -lseccomp -lpthread
UNIT_DIR	:= $(BUILD)/unit
UNIT_SRCS	:= $(core-portable-y:.o=.c) $(drivers-y:.o=.c)
UNIT_TESTS	:= $(patsubst test/unit/%.c,%,$(wildcard test/unit/test_*.c))
UNIT_DTS	:= $(wildcard test/unit/partitions/*.dts)
UNIT_DTBS	:= $(UNIT_DTS:test/unit/partitions/%.dts=$(UNIT_DIR)/partitions/%.dtb)

$(UNIT_DIR)/partitions/%.dtb: test/unit/partitions/%.dts $(wildcard dts/*.dtsi) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) DTC $<
	$(Q)$(DTC) -I dts -O dtb -i dts -i test/unit/partitions -o $@ $< 2> $@.log; \
		ret=$$?; cat $@.log >&2; [ $$ret -eq 0 ] && [ ! -s $@.log ]

$(UNIT_DIR)/%: test/unit/%.c $(wildcard test/unit/*.h) $(UNIT_SRCS) $(wildcard core/*.h core/*/*.h) \
		$(KCONFIG_AUTOHEADER) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) HOSTCC $@
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_SRCS) $(UNIT_LDLIBS)

# The seccomp test installs filters in forked children: ASan's runtime makes
# system calls of its own there (and a filtered child could not report a
# leak), so this one test is built with UBSan only.
$(UNIT_DIR)/test_seccomp: test/unit/test_seccomp.c test/unit/unit.h $(UNIT_SRCS) \
		$(wildcard core/*.h core/*/*.h) $(KCONFIG_AUTOHEADER) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) HOSTCC $@
	$(Q)$(HOSTCC) -O1 -g $(COMMON_CFLAGS) -fsanitize=undefined \
		-fno-sanitize-recover=all -Itest/unit -Idrivers -o $@ $< \
		$(UNIT_SRCS) $(UNIT_LDLIBS)

# The field-update service with the control socket, on a fake guest: the
# test defines monitor_restart() and the guest calls update.c makes.
UPDATE_TEST_SRCS := core/update/update.c core/update/control.c
$(UNIT_DIR)/test_update: test/unit/test_update.c test/unit/unit.h $(UNIT_SRCS) \
		$(UPDATE_TEST_SRCS) $(wildcard core/*.h core/*/*.h) $(KCONFIG_AUTOHEADER) \
		$(UPDATE_KEY_H) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) HOSTCC $@
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(UPDATE_TEST_SRCS) $(UNIT_SRCS) \
		$(UNIT_LDLIBS)

# The control socket alone: the test stands for field update's
# update_request().
$(UNIT_DIR)/test_control: test/unit/test_control.c test/unit/unit.h $(UNIT_SRCS) \
		core/update/control.c $(wildcard core/*.h core/*/*.h) \
		$(KCONFIG_AUTOHEADER) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) HOSTCC $@
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< core/update/control.c \
		$(UNIT_SRCS) $(UNIT_LDLIBS)

# Every board's partition, checked by test/unit/board_partition.c built once
# per configs/<board>_defconfig against that board's own autoconf.h (its
# vGIC version and drivers), on dts/<name>.dts compiled as the build does.
BOARD_DEFCONFIGS := $(patsubst configs/%_defconfig,%,$(wildcard configs/*_defconfig))
BOARD_DTBS	:= $(patsubst dts/%.dts,$(UNIT_DIR)/boards/%.dtb,$(wildcard dts/*.dts))
BOARD_TESTS	:= $(BOARD_DEFCONFIGS:%=boards/%/board_partition)

# Sources, not targets: without this the Makefile's %_defconfig rule would
# try to "make" configs/<board>_defconfig when it is a prerequisite.
$(wildcard configs/*_defconfig): ;

$(UNIT_DIR)/boards/%.dtb: dts/%.dts $(wildcard dts/*.dtsi) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) DTC $<
	$(Q)$(DTC) -I dts -O dtb -i dts -o $@ $< 2> $@.log; \
		ret=$$?; cat $@.log >&2; [ $$ret -eq 0 ] && [ ! -s $@.log ]

$(UNIT_DIR)/boards/%/include/generated/autoconf.h: configs/%_defconfig $(KCONFIG_FILES) | $(DEPS_STAMP)
	@mkdir -p $(UNIT_DIR)/boards/$*/include/config $(UNIT_DIR)/boards/$*/include/generated
	$(quiet) KCONFIG $@
	$(Q)KCONFIG_CONFIG=$(UNIT_DIR)/boards/$*/.config \
		kconfig-conf --defconfig=$< $(KCONFIG) > /dev/null
	$(Q)cd $(UNIT_DIR)/boards/$* && srctree=$(CURDIR) KCONFIG_CONFIG=.config \
		KCONFIG_AUTOCONFIG=include/config/auto.conf \
		KCONFIG_AUTOHEADER=include/generated/autoconf.h \
		kconfig-conf --silentoldconfig $(CURDIR)/$(KCONFIG) > /dev/null

.PRECIOUS: $(UNIT_DIR)/boards/%/include/generated/autoconf.h
$(UNIT_DIR)/boards/%/board_partition: test/unit/board_partition.c test/unit/unit.h \
		$(UNIT_DIR)/boards/%/include/generated/autoconf.h $(UNIT_SRCS) \
		$(wildcard core/*.h core/*/*.h) $(UPDATE_KEY_H) | $(DEPS_STAMP)
	$(quiet) HOSTCC $@
	$(Q)$(HOSTCC) -O1 -g -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -Icore -Icore/loader -Icore/update \
		-I$(UNIT_DIR)/boards/$*/include -I$(BUILD)/include \
		-include $(UNIT_DIR)/boards/$*/include/generated/autoconf.h \
		$(SANITIZE) -Itest/unit -Idrivers -o $@ $< $(UNIT_SRCS) $(UNIT_LDLIBS)

# The host unit tests; test_fdt and board_partition read the built
# partition and guests. Then the guest library on a bare emulated CPU
# (test/guests/bare.sh).
unit: $(UNIT_TESTS:%=$(UNIT_DIR)/%) $(UNIT_DTBS) $(BUILD)/pinvm guests \
		$(BOARD_TESTS:%=$(UNIT_DIR)/%) $(BOARD_DTBS)
	@sh test/unit/run.sh $(UNIT_DIR) $(UNIT_TESTS) $(BOARD_TESTS)
	@sh test/guests/bare.sh $(BUILD)/guests

# The build, the board image and the Buildroot package (test/build/).
build-checks: $(BUILD)/pinvm guests image
	@sh test/build/run.sh $(BUILD)

# The Linux test guest's initramfs: busybox, test/guests/linux/init, the
# kernel package's sp805_wdt module, the UIO modules build-modules.sh
# makes for the kernel's ABI (Debian leaves uio_pdrv_genirq out) and the
# pinvm,shmem link's program.
LINUX_INITRD	:= $(BUILD)/guests/linux-initrd.cpio.gz
LINUX_SHMEM_UIO	:= $(BUILD)/guests/linux-root/bin/shmem-uio
$(LINUX_SHMEM_UIO): test/guests/linux/shmem-uio.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) CC $@
	$(Q)$(CC) -O2 -static -Wall -Wextra -Werror -o $@ $<

$(LINUX_INITRD): test/guests/linux/init $(HOST_BUSYBOX) $(HOST_MODULES) \
		$(HOST_WDT_MODULE) $(LINUX_SHMEM_UIO)
	@mkdir -p $(BUILD)/guests/linux-root/bin $(BUILD)/guests/linux-root/lib/modules
	$(quiet) CPIO $@
	$(Q)cp $(HOST_BUSYBOX) $(BUILD)/guests/linux-root/bin/busybox
	$(Q)cp $(HOST_WDT_MODULE) $(BUILD)/guests/linux-root/lib/modules/
	$(Q)ln -sf busybox $(BUILD)/guests/linux-root/bin/sh
	$(Q)install -m 0755 test/guests/linux/init $(BUILD)/guests/linux-root/init
	$(Q)abi=$$(sed 's/^linux-image-//' $(HOST_KVERSION)) && \
		cp $(HOST_DIR)/modules/guest-$$abi/*.ko $(BUILD)/guests/linux-root/lib/modules/
	$(Q)cd $(BUILD)/guests/linux-root && find . | LC_ALL=C sort | \
		cpio -o -H newc --quiet | gzip -9 > $(CURDIR)/$@

SYSTEM_DIR	:= $(BUILD)/system
SYSTEM_DTBS	:= $(patsubst test/system/partitions/%.dts,$(SYSTEM_DIR)/partitions/%.dtb,\
		     $(wildcard test/system/partitions/*.dts))

$(SYSTEM_DIR)/partitions/%.dtb: test/system/partitions/%.dts \
		$(wildcard test/system/partitions/*.dtsi) $(wildcard dts/*.dtsi) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) DTC $<
	$(Q)$(DTC) -I dts -O dtb -i dts -i test/system/partitions -o $@ $< 2> $@.log; \
		ret=$$?; cat $@.log >&2; [ $$ret -eq 0 ] && [ ! -s $@.log ]

# The update tests sign their bundles with the development key, or with
# UPDATE_SECRET_KEY when the board has a key of its own.
SIGN_KEY	?= $(or $(UPDATE_SECRET_KEY),$(DEV_KEY).sec)

# Debian's arm64 swupdate and its libraries, for the fleet-agent test. The
# target is touched: the package's own older mtime would restage it each run.
SWUPDATE_ROOT	:= $(BUILD)/swupdate/root
$(SWUPDATE_ROOT)/usr/bin/swupdate: board/common/stage-swupdate.sh | $(DEPS_STAMP)
	$(quiet) STAGE $@
	$(Q)rm -rf $(SWUPDATE_ROOT)
	$(Q)mkdir -p $(BUILD)/swupdate
	$(Q)bash board/common/stage-swupdate.sh $(SWUPDATE_ROOT) $(BUILD)/swupdate/cache \
		> $(BUILD)/swupdate/stage.log
	$(Q)touch $@

# The Pi 4 the system tests boot on QEMU's raspi4b: a test build of its
# own for rpi4_defconfig plus the same test hooks, in $(BUILD)/rpi4, with
# its image, the emulated board's device tree and QEMU 10 (make emulated,
# board/rpi4/board.mk). Its make runs every time and rebuilds only what
# changed.
RPI4_TEST_BUILD	:= $(BUILD)/rpi4
.PHONY: rpi4-test-build
rpi4-test-build: | $(DEPS_STAMP)
	+$(Q)$(MAKE) --no-print-directory IN_TEST_BUILD=1 O=$(RPI4_TEST_BUILD) \
		BUILD=$(RPI4_TEST_BUILD) KCONFIG_CONFIG=$(RPI4_TEST_BUILD)/.config \
		TEST_BASE_CONFIG=configs/rpi4_defconfig TOP_BUILD=$(TOP_BUILD) \
		emulated $(RPI4_TEST_BUILD)/tools/pinvm-sign \
		$(RPI4_TEST_BUILD)/keys/development.sec

system: $(BUILD)/pinvm $(INITRAMFS) $(HOST_IMAGE) $(SYSTEM_DTBS) guests $(LINUX_INITRD) \
		$(PINVM_SIGN) $(SIGN_KEY) $(SWUPDATE_ROOT)/usr/bin/swupdate rpi4-test-build
	@CROSS_COMPILE=$(CROSS_COMPILE) SIGN_KEY=$(SIGN_KEY) sh test/system/run.sh $(BUILD)

check: unit build-checks fuzz-ci lint system
