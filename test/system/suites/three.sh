#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Three guests, each pinned to its own core: each prints, each vCPU thread
# may run and does run only on its core; SIGTERM stops all, exit 0.
. /test/lib.sh

start three
for g in g1 g2 g3; do
	expect "three: $g prints" "no '[$g] tick 3' in 60 s" \
		wait_for /tmp/three.out "^ *[0-9.]+ \[$g\] tick 3$" 60
done
for g in g1 g2 g3; do
	core=${g#g}
	tid=$(tid_of /tmp/three.err $g)
	status=/proc/$PID/task/$tid/status
	allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$status" 2>/dev/null)
	expect "three: $g thread allowed only core $core" \
		"Cpus_allowed_list of thread '$tid' is '$allowed'" \
		[ -n "$tid" -a "$allowed" = "$core" ]
	comm=$(cat "/proc/$PID/task/$tid/comm" 2>/dev/null)
	expect "three: $g thread named" "comm is '$comm'" \
		[ "$comm" = "vcpu-$g" ]
	# The CPU it last ran on (stat field 39), sampled while it runs.
	bad=0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		cpu=$(awk '{ print $39 }' "/proc/$PID/task/$tid/stat")
		[ "$cpu" = "$core" ] || bad="$bad $cpu"
		sleep 0.2
	done
	expect "three: $g thread ran only on core $core" \
		"seen on cpus:$bad" [ "$bad" = 0 ]
	first=$(grep -m 1 "\[$g\]" /tmp/three.out | awk '{ print $1 }')
	metric first_console_line_s_$g "$first"
done
rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$PID/status)
# Guest RAM is populated up front: 3 guests x 2 MiB.
metric vmrss_kb "$rss"
metric vmrss_minus_guest_ram_kb $((rss - 3 * 2048))
for g in g1 g2 g3; do
	expect "three: $g ticks in order" "ticks not 1, 2, 3, ..." \
		ticks_contiguous /tmp/three.out $g
done
stop TERM
expect "three: SIGTERM exits 0" "exit status $RC" [ "$RC" -eq 0 ]
expect "three: SIGTERM logged" "no 'stopping all guests'" \
	grep -q "Terminated: stopping all guests" /tmp/three.err
exit 0
