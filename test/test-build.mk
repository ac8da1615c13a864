# SPDX-License-Identifier: GPL-2.0-only
#
# The tests run against a build of their own: the board configuration
# the user chose (KCONFIG_CONFIG, else configs/$(DEFAULT_DEFCONFIG)) plus
# the test hooks of test/configs/test.config, merged with kconfig-merge
# into $(BUILD)/test/.config. The user's .config, and the pinvm make run
# boots, are never changed by them and carry no test hook.
#
#   make unit | build-checks | fuzz | fuzz-ci | lint | system | check
#     = make O=$(BUILD)/test <goal> (test/test.mk, fuzz.mk, lint.mk)

TEST_FRAGMENTS	:= test/configs/test.config

ifeq ($(IN_TEST_BUILD),)
TEST_OUT	:= $(BUILD)/test
TEST_BASE	:= $(or $(wildcard $(KCONFIG_CONFIG)),configs/$(DEFAULT_DEFCONFIG))
TEST_RUN	:= $(filter $(TEST_GOALS),$(MAKECMDGOALS))

.PHONY: $(TEST_GOALS) test-build
$(TEST_GOALS): test-build
	@:

test-build: | $(DEPS_STAMP)
	+$(Q)$(MAKE) --no-print-directory IN_TEST_BUILD=1 O=$(TEST_OUT) \
		BUILD=$(TEST_OUT) KCONFIG_CONFIG=$(TEST_OUT)/.config \
		TEST_BASE_CONFIG=$(TEST_BASE) TOP_BUILD=$(BUILD) $(or $(TEST_RUN),check)
else
# Only the test-build recipe above enters here: by hand, without the base
# configuration, merge.sh would write the merge over its own fragment.
ifeq ($(TEST_BASE_CONFIG),)
$(error IN_TEST_BUILD is set by make's test goals: run make unit, fuzz, system ... instead)
endif
# Made again on every run (it is quick), but replaced only when it
# changes, so an unchanged configuration rebuilds nothing.
.PHONY: test-config-force
$(KCONFIG_CONFIG): $(TEST_FRAGMENTS) test/configs/merge.sh test-config-force | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)sh test/configs/merge.sh $(KCONFIG) $(TEST_BASE_CONFIG) $@ $(TEST_FRAGMENTS)

# What comes from Debian (the emulated board's kernel and busybox, the
# staged swupdate) is the same for both builds: the test build links to
# the user's.
TEST_SHARED	:= $(BUILD)/host $(BUILD)/swupdate
$(TEST_SHARED):
	@mkdir -p $(TOP_BUILD)/$(notdir $@) $(dir $@)
	$(Q)ln -sfn $(abspath $(TOP_BUILD))/$(notdir $@) $@
$(HOST_IMAGE) $(HOST_BUSYBOX) $(HOST_KVERSION) $(HOST_MODULES) \
	$(HOST_DIR)/bcm2711-rpi-4-b.dtb $(HOST_WDT_MODULE) $(QEMU10): | $(BUILD)/host
$(SWUPDATE_ROOT)/usr/bin/swupdate: | $(BUILD)/swupdate
endif
