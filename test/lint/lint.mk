# SPDX-License-Identifier: GPL-2.0-only
# make lint: cppcheck and clang-tidy on core/ and drivers/ (part of make check).

.PHONY: lint
lint: $(KCONFIG_AUTOHEADER) $(UPDATE_KEY_H) | $(DEPS_STAMP)
	@sh test/lint/run.sh $(BUILD)
