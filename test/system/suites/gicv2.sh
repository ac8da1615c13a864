#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# On a board booted with gic-version=2, where KVM offers only a vGICv2:
# pinvm, built for a GICv3, must refuse with one line naming the GICv3.
. /test/lib.sh

pinvm -p "$P/three.dtb" -i "$G" > /tmp/gicv2.out 2>&1
rc=$?
lines=$(wc -l < /tmp/gicv2.out)
if [ $rc -ne 0 ] && [ "$lines" -eq 1 ] && error_line /tmp/gicv2.out "" GICv3; then
	pass "KVM without the needed vGIC"
else
	fail "KVM without the needed vGIC" "exit $rc, output: $(cat /tmp/gicv2.out)"
fi
exit 0
