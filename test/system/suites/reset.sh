#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# One guest resets (PSCI SYSTEM_RESET) and restarts with its image
# reloaded; the others keep running without a gap; SIGINT stops all.
. /test/lib.sh

start reset
expect "reset: g1 resets" "no reset within 60 s" \
	wait_for /tmp/reset.err "g1: reset \(PSCI SYSTEM_RESET\)" 60
t0=$(last_tick /tmp/reset.out g2)
u0=$(last_tick /tmp/reset.out g3)
# Two more resets of g1 while g2 and g3 tick on.
wait_until 60 count_reaches /tmp/reset.err 'g1: reset' 3
sleep 1
resets=$(count /tmp/reset.err 'g1: reset')
boots=$(count /tmp/reset.out '\[g1\] boot 1')
t1=$(last_tick /tmp/reset.out g2)
u1=$(last_tick /tmp/reset.out g3)
expect "reset: g1 restarted three times" "$resets resets, $boots boots" \
	[ "$resets" -ge 3 -a "$boots" -ge 4 ]
expect "reset: g1 image reloaded on each reset" "a boot saw stale .data" \
	[ "$(count /tmp/reset.out '\[g1\] boot [2-9]')" -eq 0 ]
expect "reset: g2 kept running" "ticks $t0 -> $t1" \
	[ "${t1:-0}" -ge $((${t0:-0} + 3)) ]
expect "reset: g3 kept running" "ticks $u0 -> $u1" \
	[ "${u1:-0}" -ge $((${u0:-0} + 3)) ]
for g in g2 g3; do
	expect "reset: $g never restarted" "boots or tick gaps seen" \
		[ "$(count /tmp/reset.out "\[$g\] boot")" -eq 1 ]
	expect "reset: $g ticks in order" "ticks not 1, 2, 3, ..." \
		ticks_contiguous /tmp/reset.out $g
done
stop INT
expect "reset: SIGINT exits 0" "exit status $RC" [ "$RC" -eq 0 ]
exit 0
