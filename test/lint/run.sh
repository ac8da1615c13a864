#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Static analysis of the monitor's sources: run.sh BUILD
#   cppcheck   --enable=warning,performance,portability, suppressions in
#              test/lint/cppcheck.supp
#   clang-tidy the checks in .clang-tidy, as the arm64 monitor is built
#              (--target=aarch64-linux-gnu, so core/mmio.h's asm is parsed)
# Any finding fails the run.
set -u
build=$1
jobs=$(nproc 2>/dev/null || echo 2)
srcs=$(ls core/*.c core/*/*.c drivers/*.c drivers/*/*.c)
nr=$(echo "$srcs" | wc -w)
failed=0

# __CPPCHECK__: see IS_ENABLED() in core/pinvm.h.
if cppcheck -q --enable=warning,performance,portability --error-exitcode=1 \
	--inline-suppr --suppressions-list=test/lint/cppcheck.supp \
	-D_GNU_SOURCE -D__CPPCHECK__ \
	--include="$build/include/generated/autoconf.h" \
	-I core -I drivers -I "$build/include" --std=c11 -j "$jobs" \
	$srcs > "$build/lint-cppcheck.log" 2>&1; then
	echo "lint: cppcheck: $nr files, no findings"
else
	cat "$build/lint-cppcheck.log"
	echo "lint: cppcheck: FAILED"
	failed=1
fi

echo "$srcs" | tr ' ' '\n' | xargs -P "$jobs" -I{} \
	clang-tidy -quiet {} -- --target=aarch64-linux-gnu \
	-isystem /usr/aarch64-linux-gnu/include -std=gnu11 -D_GNU_SOURCE \
	-Icore -Icore/loader -Icore/update -Idrivers -I"$build/include" \
	-include "$build/include/generated/autoconf.h" \
	> "$build/lint-clang-tidy.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! grep -q 'warning:\|error:' "$build/lint-clang-tidy.log"; then
	echo "lint: clang-tidy: $nr files, no findings"
else
	grep -v '^[0-9]* warnings\? generated\.$' "$build/lint-clang-tidy.log"
	echo "lint: clang-tidy: FAILED"
	failed=1
fi
[ $failed -eq 0 ]
