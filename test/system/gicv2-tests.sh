#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run inside a board booted with gic-version=2, where KVM offers only a
# vGICv2: pinvm, built for a GICv3, must refuse with one clear line.
out=$(pinvm -p /test/partitions/three.dtb -i /test/guests 2>&1)
rc=$?
lines=$(printf '%s\n' "$out" | wc -l)
if [ $rc -ne 0 ] && [ "$lines" -eq 1 ] &&
   printf '%s\n' "$out" | grep -q "^pinvm: error: KVM on this host cannot give guests a GICv3"; then
	echo "PASS: KVM without the needed vGIC"
else
	echo "FAIL: KVM without the needed vGIC: exit $rc, output: $out"
fi
echo "BOARD-TESTS-DONE"
