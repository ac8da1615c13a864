# SPDX-License-Identifier: GPL-2.0-only
# libFuzzer targets (clang, ASan + UBSan) for what comes from the field.
#   make fuzz-ci     each target for FUZZ_CI_SECONDS (part of make check)
#   make fuzz        each target for FUZZ_SECONDS (default 600)

FUZZ_CC		:= clang
FUZZ_CFLAGS	:= -g -O1 -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=all $(COMMON_CFLAGS) -Idrivers
FUZZ_DIR	:= $(BUILD)/fuzz
FUZZ_TARGETS	:= bundle state partition loader mmio gpio
FUZZ_SECONDS	?= 600
FUZZ_CI_SECONDS	?= 20

# Per target: its sources, and its libraries when not just libsodium.
fuzz-bundle-srcs := test/fuzz/fuzz_bundle.c core/update/bundle.c core/names.c \
		    core/log.c
fuzz-state-srcs	 := test/fuzz/fuzz_state.c core/update/update_state.c \
		    core/update/bundle.c core/names.c core/log.c
# The parser, the drivers' checks and the loaders: what the unit tests link.
fuzz-partition-srcs := test/fuzz/fuzz_partition.c $(UNIT_SRCS)
fuzz-partition-libs := $(UNIT_LDLIBS)
fuzz-loader-srcs := test/fuzz/fuzz_loader.c $(UNIT_SRCS)
fuzz-loader-libs := $(UNIT_LDLIBS)
# The exit dispatch with KVM stubbed, as test/bench/dispatch.c.
fuzz-mmio-srcs	 := test/fuzz/fuzz_mmio.c core/vcpu.c $(UNIT_SRCS)
fuzz-mmio-libs	 := $(UNIT_LDLIBS)
# The PL061 model on a fake line backend, the driver as core attaches it.
fuzz-gpio-srcs	 := test/fuzz/fuzz_gpio.c $(UNIT_SRCS)
fuzz-gpio-libs	 := $(UNIT_LDLIBS)
FUZZ_KEY_HEX	 = $(shell grep -v '^\#' test/fuzz/fuzz-key.pub)

$(FUZZ_DIR)/fuzz_%: test/fuzz/fuzz_%.c test/fuzz/fuzz_images.h core/vcpu.c \
		$(UNIT_SRCS) $(wildcard core/*.h core/*/*.h drivers/*.h drivers/*/*.h) \
		$(KCONFIG_AUTOHEADER) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) FUZZCC $@
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -DFUZZ_KEY_HEX='"$(FUZZ_KEY_HEX)"' \
		-o $@ $(fuzz-$*-srcs) $(or $(fuzz-$*-libs),-lsodium)

FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz fuzz-ci
fuzz: $(FUZZ_BINS)
	@sh test/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-ci: $(FUZZ_BINS)
	@sh test/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_CI_SECONDS) $(FUZZ_TARGETS)
