# SPDX-License-Identifier: GPL-2.0-only
# libFuzzer targets (clang, ASan + UBSan) for what comes from the field.
#   make fuzz-ci     each target for FUZZ_CI_SECONDS (part of make check)
#   make fuzz        each target for FUZZ_SECONDS (default 600)

FUZZ_CC		:= clang
FUZZ_CFLAGS	:= -g -O1 -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=all $(COMMON_CFLAGS)
FUZZ_DIR	:= $(BUILD)/fuzz
FUZZ_TARGETS	:= bundle state
FUZZ_SECONDS	?= 600
FUZZ_CI_SECONDS	?= 20

fuzz-bundle-srcs := test/fuzz/fuzz_bundle.c core/bundle.c core/log.c
fuzz-state-srcs	 := test/fuzz/fuzz_state.c core/update_state.c core/bundle.c core/log.c
FUZZ_KEY_HEX	 = $(shell grep -v '^\#' test/fuzz/fuzz-key.pub)

$(FUZZ_DIR)/fuzz_%: test/fuzz/fuzz_%.c core/bundle.c core/update_state.c \
		core/log.c $(wildcard core/*.h) $(KCONFIG_AUTOHEADER) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) FUZZCC $@
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -DFUZZ_KEY_HEX='"$(FUZZ_KEY_HEX)"' \
		-o $@ $(fuzz-$*-srcs) -lsodium

FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz fuzz-ci
fuzz: $(FUZZ_BINS)
	@sh test/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-ci: $(FUZZ_BINS)
	@sh test/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_CI_SECONDS) $(FUZZ_TARGETS)
