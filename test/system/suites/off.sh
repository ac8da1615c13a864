#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# One guest powers off (PSCI SYSTEM_OFF): its vCPU thread ends, the others
# keep running and pinvm with them.
. /test/lib.sh

start off
expect "off: g1 powers off" "no power-off within 60 s" \
	wait_for /tmp/off.err "g1: powered off \(PSCI SYSTEM_OFF\)" 60
tid=$(tid_of /tmp/off.err g1)
t0=$(last_tick /tmp/off.out g2)
u0=$(last_tick /tmp/off.out g3)
wait_until 10 ticks_reach /tmp/off.out g3 $((u0 + 3))
t1=$(last_tick /tmp/off.out g2)
u1=$(last_tick /tmp/off.out g3)
expect "off: g1 printed its last line" "no 'powering off'" \
	grep -q "\[g1\] powering off" /tmp/off.out
expect "off: g1's vCPU thread ended" "thread $tid still there" \
	[ -n "$tid" -a ! -d "/proc/$PID/task/$tid" ]
expect "off: g2 kept running" "ticks $t0 -> $t1" [ "$t1" -ge $((t0 + 3)) ]
expect "off: g3 kept running" "ticks $u0 -> $u1" [ "$u1" -ge $((u0 + 3)) ]
expect "off: pinvm still running" "pinvm exited" kill -0 "$PID"
stop TERM
expect "off: SIGTERM exits 0" "exit status $RC" [ "$RC" -eq 0 ]
exit 0
