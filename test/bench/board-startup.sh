#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside the emulated board (8 cores): the start-up benchmark. Six
# programs run the same guest, which powers off at once: the bare floor,
# the floor with pinvm's VM shape (floor --shape, and --shape-core) and
# pinvm with 1, 3 and 7 guests. A warm-up round (round 0, not counted),
# then ROUNDS rounds, each running the six in an order rotated by one
# place from the round before, each under the timer (/test/startup: fork/exec/wait4, peak RSS),
# while tracefs records execs, forks, exits and guest entries and exits
# on the monotonic clock. Prints per run, for test/bench/startup.sh,
#   STARTUP ROUND PROGRAM GUESTS ENTERED FIRST_US ALL_US WHOLE_US TEARDOWN_US RSS_KIB STATUS EXEC_US
# FIRST and ALL: exec to the first guest's and to the last guest's first
# entry; WHOLE: fork to reaped; TEARDOWN: the last guest exit (its
# power-off) to reaped; EXEC: fork to exec. "-" where the trace lacks
# the event.
#   board-startup.sh ROUNDS
rounds=${1:-24}
t=/sys/kernel/tracing
d=/test/startup-images
programs="floor shape shape-core shape-3 shape-7 pinvm-1 pinvm-3 pinvm-7"

# The command line for PROGRAM.
cmdline_of() {
	case $1 in
	floor) echo "/test/floor $d/startup-guest.bin 1" ;;
	shape) echo "/test/floor $d/startup-guest.bin 1 --shape" ;;
	shape-core) echo "/test/floor $d/startup-guest.bin 1 --shape-core" ;;
	shape-[37]) echo "/test/floor $d/startup-guest.bin 1 --shape ${1#shape-}" ;;
	pinvm-*) echo "/usr/sbin/pinvm -p $d/startup-${1#pinvm-}.dtb -i $d" ;;
	esac
}

guests() {
	case $1 in
	pinvm-*) echo "${1#pinvm-}" ;;
	shape-[37]) echo "${1#shape-}" ;;
	*) echo 1 ;;
	esac
}

# rotate N: the programs, starting at the (N mod their number)th.
rotate() {
	n=$1
	# shellcheck disable=SC2086 # one word a program
	set -- $programs
	n=$((n % $#))
	while [ "$n" -gt 0 ]; do
		set -- "$@" "$1"
		shift
		n=$((n - 1))
	done
	echo "$@"
}

trace_setup() {
	[ -d $t/events ] || mount -t tracefs nodev $t || return 1
	for e in kvm/kvm_entry kvm/kvm_exit sched/sched_process_exec \
		sched/sched_process_fork sched/sched_process_exit; do
		[ -d $t/events/$e ] || { echo "STARTUP-SKIP no $e tracepoint"; return 1; }
	done
	echo 0 > $t/tracing_on
	# The clock of CLOCK_MONOTONIC, which the timer reads.
	echo mono > $t/trace_clock
	echo 512 > $t/buffer_size_kb
	echo > $t/trace
	for e in kvm/kvm_entry kvm/kvm_exit sched/sched_process_exec \
		sched/sched_process_fork sched/sched_process_exit; do
		echo 1 > $t/events/$e/enable
	done
	echo 1 > $t/tracing_on
}

# run ROUND PROGRAM: one timed run, its line to /tmp/runs.
run() {
	# shellcheck disable=SC2046 # one word an argument
	line=$(/test/startup 0 "/tmp/$2.log" $(cmdline_of "$2"))
	echo "$1 $2 $(guests "$2") $line" >> /tmp/runs
	case $line in
	*" 0") ;;
	*) echo "STARTUP-FAIL round $1 $2: $line"; tail -n 5 "/tmp/$2.log" ;;
	esac
}

echo "STARTUP-INFO cores online: $(cat /sys/devices/system/cpu/online)," \
	"isolated: $(cat /sys/devices/system/cpu/isolated)," \
	"nohz_full: $(cat /sys/devices/system/cpu/nohz_full 2>/dev/null)"
if ! trace_setup; then
	echo "BOARD-TESTS-DONE"
	exit 0
fi
rm -f /tmp/runs
r=0
while [ $r -le "$rounds" ]; do
	for p in $(rotate $r); do
		run $r "$p"
		# What the last run left to the kernel's workers settles first.
		sleep 0.1
	done
	r=$((r + 1))
done
echo 0 > $t/tracing_on
cat $t/trace > /tmp/trace
echo "STARTUP-INFO $(grep -c . /tmp/trace) trace lines, $(grep -c kvm_entry /tmp/trace) guest entries"
grep -q "LOST.*EVENTS" /tmp/trace && echo "STARTUP-FAIL the trace lost events"

# Each run's figures, from its line and the trace.
awk -f /test/startup-trace.awk /tmp/runs /tmp/trace

# Peak RSS, untimed, tracing off: three sampled runs of each program
# (startup --rss), "STARTUP-RSS-RUN PROGRAM PEAK_KIB STATUS" each.
for r in 1 2 3; do
	for p in $programs; do
		# shellcheck disable=SC2046 # one word an argument
		set -- $(/test/startup 0 "/tmp/$p.log" --rss $(cmdline_of "$p"))
		echo "STARTUP-RSS-RUN $p $3 $4"
		sleep 0.1
	done
done
echo "BOARD-TESTS-DONE"
