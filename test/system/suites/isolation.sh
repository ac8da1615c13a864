#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Isolation: g1 reads and writes other guests' RAM and devices, the
# board's PL061 and every 256 MiB of the first 4 GiB but its own RAM; every
# probe aborts, pinvm counts each refused access, g2 and g3 tick on.
. /test/lib.sh

test_isolation() {
	start probe
	expect "isolation: every probe of other guests' RAM and devices, and of the address space, aborts" \
		"$(grep '\[g1\]' /tmp/probe.out | tail -n 3)" \
		wait_for /tmp/probe.out '\[g1\] probe: probes=22 aborted=22$' 20
	expect "isolation: pinvm counted every refused access" "$(status_of g1 denied)" \
		wait_until 3 sh -c "[ \"\$(sed -n 's/^guest=g1 .*denied=\([0-9]*\).*/\1/p' /run/pinvm/status)\" = 44 ]"
	# All three start at once, and g1's probes take well under a second:
	# g2 and g3 are given the time for three ticks, not sampled at once.
	for g in g2 g3; do
		expect "isolation: $g ticks on, untouched" "$(grep "\[$g\]" /tmp/probe.out | tail -n 2)" \
			wait_until 5 ticked_on /tmp/probe.out $g
	done
	stop TERM
}

test_isolation
exit 0
