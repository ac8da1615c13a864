#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The guest library on a bare emulated CPU: QEMU's virt board with the
# GICv3 at the addresses the test guests are built for, no KVM and no
# pinvm, under -icount, so that the counter follows the instructions and a
# timer fires at the same instruction on every run (what a race between
# the library and its own interrupts needs to be caught every time).
#   bare.sh GUEST_DIR: runs the guests below, each to its last line.
set -u
dir=$1
passed=0
failed=0

# bare GUEST LINE WHY: GUEST.elf prints LINE and powers off within 30 s;
# WHY says what it means when it does not.
bare() {
	out=$(timeout 30 qemu-system-aarch64 -M virt,gic-version=3 \
		-cpu cortex-a57 -m 64 -display none -monitor none \
		-serial stdio -no-reboot -icount shift=0 \
		-kernel "$dir/$1.elf" < /dev/null 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -qxF "$2"; then
		echo "PASS: bare $1: $2"
		passed=$((passed + 1))
	else
		echo "FAIL: bare $1: $2: $3 (exit $rc; it printed: $(printf '%s\n' "$out" | tail -n 3 | tr '\n' '|'))"
		failed=$((failed + 1))
	fi
}

bare sleep-race "sleep-race: wait_for_count done: 2048 waits" \
	"a wait whose IRQ came between its check and its WFI never woke"
echo "unit: bare guests: $passed passed, $failed failed"
[ $failed -eq 0 ]
