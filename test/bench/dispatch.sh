#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Instructions per dispatched MMIO exit of pinvm's userspace path, from the
# exit reason to the device access, counted by callgrind on the host-native
# harness (test/bench/dispatch.c). Usage: dispatch.sh HARNESS
set -eu
harness=$1
n=100000
for dir in write read; do
	out=$(mktemp)
	valgrind --tool=callgrind --toggle-collect=vcpu_handle_exit \
		--callgrind-out-file="$out" "$harness" $dir $n > /dev/null 2>&1
	ir=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$out")
	rm -f "$out"
	echo "dispatch-$dir: $((ir / n)) instructions per exit ($ir for $n exits)"
done
