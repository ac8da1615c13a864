#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Misbehaving guests. g1 is a worker whose progress (trapped MMIO reads a second, timed by its own
# virtual counter) is measured next to each misbehaving g2, in the same
# boot, against the worker next to an idle g2 and next to a busy but
# well-behaved g2 (a second worker). The emulated board's four cores share
# the machine's two, so any busy neighbour costs the worker host time: a
# misbehaving neighbour must cost it no more than half again what a busy
# well-behaved one does. pinvm's VmRSS must not grow while g2 misbehaves.
. /test/lib.sh

SETTLE=6

# worker_rate FILE: g1's mean trapped reads a second, after two warm-up rounds.
worker_rate() {
	sed -n 's/.*\[g1\] work: n=\([0-9]*\) ticks=\([0-9]*\) freq=\([0-9]*\)$/\1 \2 \3/p' "$1" |
		awk 'NR > 2 { sum += $1 * $3 / $2; n++ } END { if (n) printf "%d\n", sum / n; else print 0 }'
}

# stopped_after N RESTARTS: RESTARTS is N and g2 shows as stopped (the
# status file is rewritten once a second).
stopped_after() {
	[ "$2" -eq "$1" ] && wait_until 3 grep -q '^guest=g2 .*state=stopped' /run/pinvm/status
}

rss_kb() {
	sed -n 's/^VmRSS: *\([0-9]*\) kB/\1/p' "/proc/$1/status"
}

# run_neighbour NAME [SECONDS]: g1 works next to g2 = NAME for SECONDS
# (default SETTLE); sets RATE, GROWTH (kB of VmRSS gained) and OUTF.
run_neighbour() {
	OUTF=/tmp/misbehave-$1.out
	start "misbehave-$1"
	wait_for "$OUTF" '\[g1\] work:' 15
	sleep 1
	rss0=$(rss_kb "$PID")
	sleep "${2:-$SETTLE}"
	GROWTH=$(($(rss_kb "$PID") - rss0))
	RATE=$(worker_rate "$OUTF")
}

# max_gap FILE: the longest time, in seconds, between two of g1's rounds
# (pinvm -t puts the time in front of each console line).
max_gap() {
	grep '\[g1\] work:' "$1" |
		awk 'NR > 2 { if ($1 - last > gap) gap = $1 - last } { last = $1 } END { printf "%.2f\n", gap }'
}

# judge NAME: the worker never stalled (a round at least every 2 s), never
# restarted, and pinvm's memory grew by 512 kB at most. Its rate against
# the idle and the busy neighbour is reported, not judged: on this
# emulated board it measures the emulator's cost of g2's exits as much as
# pinvm's.
judge() {
	ratio=$(awk "BEGIN { printf \"%.3f\", $RATE / $BUSY }")
	idle=$(awk "BEGIN { printf \"%.3f\", $RATE / $BASE }")
	gap=$(max_gap "$OUTF")
	metric "misbehave_${1}_worker_reads_per_s" "$RATE (idle neighbour: $BASE, ratio $idle; busy neighbour: $BUSY, ratio $ratio)"
	metric "misbehave_${1}_worker_longest_gap_s" "$gap"
	metric "misbehave_${1}_rss_growth_kb" "$GROWTH"
	expect "misbehave $1: the worker never stalls (longest gap between rounds $gap s)" \
		"gap $gap s, rate $RATE" awk "BEGIN { exit !($gap > 0 && $gap <= 2) }"
	expect "misbehave $1: pinvm's memory does not grow ($GROWTH kB)" "VmRSS +$GROWTH kB" \
		[ "$GROWTH" -le 512 ]
	expect "misbehave $1: the worker never restarted" "$(count "$OUTF" '\[g1\] boot')" \
		[ "$(count "$OUTF" '\[g1\] boot')" -eq 1 ]
}

test_misbehave() {
	run_neighbour baseline
	BASE=$RATE
	stop TERM
	run_neighbour busy
	BUSY=$RATE
	stop TERM
	metric misbehave_worker_reads_per_s_alone "$BASE next_to_a_busy_worker=$BUSY"
	expect "misbehave: the worker measures its baselines" "idle $BASE, busy $BUSY" \
		[ "$BASE" -gt 0 -a "$BUSY" -gt 0 ]
	[ "$BASE" -gt 0 ] || BASE=1
	[ "$BUSY" -gt 0 ] || BUSY=1

	run_neighbour storm 25
	resets=$(status_of g2 resets)
	metric misbehave_storm_resets "$resets in about 26 s"
	judge storm
	expect "misbehave storm: hundreds of resets" "resets=$resets" [ "${resets:-0}" -ge 200 ]
	stop TERM
	expect "misbehave storm: pinvm stops cleanly" "exit $RC" [ "$RC" -eq 0 ]

	start misbehave-storm-limit
	expect "misbehave storm, restart-limit 50: g2 stopped, saying why" "$(tail -n 3 /tmp/misbehave-storm-limit.err)" \
		wait_for /tmp/misbehave-storm-limit.err "g2: more than 50 resets within a minute \(restart-limit\): stopped" 20
	restarts=$(grep -c 'g2: reset (PSCI SYSTEM_RESET): reloading' /tmp/misbehave-storm-limit.err)
	expect "misbehave storm, restart-limit 50: exactly 50 restarts, then stopped" \
		"$restarts restarts; $(grep '^guest=g2' /run/pinvm/status | cut -c1-120)" \
		stopped_after 50 "$restarts"
	expect "misbehave storm, restart-limit 50: the others go on" "$(tail -n 2 /tmp/misbehave-storm-limit.out)" \
		wait_until 5 sh -c "[ \$(grep -c '\[g3\] tick' /tmp/misbehave-storm-limit.out) -ge 5 ]"
	stop TERM

	run_neighbour spin
	judge spin
	expect "misbehave spin: g2 spins with interrupts masked" "$(grep '\[g2\]' $OUTF | tail -n 1)" \
		grep -q '\[g2\] spinning with interrupts masked' "$OUTF"
	expect "misbehave spin: g2 is still running" "$(status_of g2 state)" \
		[ "$(status_of g2 state)" = running ]
	stop TERM
	expect "misbehave spin: SIGTERM still stops every guest, exit 0" "exit $RC" [ "$RC" -eq 0 ]

	run_neighbour hammer
	denied=$(status_of g2 denied)
	lines=$(grep -c 'g2: denied' /tmp/misbehave-hammer.err)
	metric misbehave_hammer_denied "$denied logged=$lines"
	judge hammer
	expect "misbehave hammer: thousands of refusals" "denied=$denied" [ "${denied:-0}" -ge 5000 ]
	expect "misbehave hammer: the log is rate-limited" "$lines lines for $denied refusals" \
		[ "$lines" -le $(((SETTLE + 20) * 10)) ]
	stop TERM

	run_neighbour undef
	judge undef
	expect "misbehave undef: g2 takes its undefined-instruction exceptions" "$(grep '\[g2\]' $OUTF | tail -n 1)" \
		grep -q '\[g2\] undef: rounds=[0-9]* exceptions=' "$OUTF"
	expect "misbehave undef: g2 is still running" "$(status_of g2 state)" \
		[ "$(status_of g2 state)" = running ]
	stop TERM
}

test_misbehave
exit 0
