#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# System tests, run by init inside the emulated board (busybox sh), with
# pinvm, the test guests (/test/guests) and partitions (/test/partitions).
# Prints "PASS: name", "FAIL: name: why" and "METRIC: name=value" lines for
# test/system/run.sh, then "BOARD-TESTS-DONE".

G=/test/guests
P=/test/partitions
PID=

pass() { echo "PASS: $1"; }
not() { ! "$@" 2>/dev/null; }
fail() { echo "FAIL: $1: $2"; }

# expect NAME WHY COMMAND...: pass when the command succeeds.
expect() {
	_what=$1 _why=$2
	shift 2
	if "$@"; then pass "$_what"; else fail "$_what" "$_why"; fi
}

# wait_until SECONDS COMMAND...: poll every 0.1 s until the command succeeds.
wait_until() {
	_n=$(($1 * 10))
	shift
	while [ $_n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_n=$((_n - 1))
	done
	return 1
}

# wait_for FILE PATTERN SECONDS: until a line matches (grep -E).
wait_for() {
	wait_until "$3" grep -qE "$2" "$1"
}

running() { kill -0 "$PID" 2>/dev/null; }
not_running() { ! running; }
# ticks_reach FILE GUEST N: the guest's last tick is N or more.
ticks_reach() { [ "$(last_tick "$1" "$2")" -ge "$3" ]; }
# count_reaches FILE PATTERN N
count_reaches() { [ "$(count "$1" "$2")" -ge "$3" ]; }

# The files go first: a check must never read the previous run's lines.
start() {
	rm -f "/tmp/$1.out" "/tmp/$1.err"
	pinvm -t -p "$P/$1.dtb" -i "$G" > "/tmp/$1.out" 2> "/tmp/$1.err" &
	PID=$!
}

# stop SIGNAL: stop pinvm, RC = its exit status (bounded wait).
stop() {
	kill -"$1" "$PID" 2>/dev/null
	wait_until 10 not_running || kill -KILL "$PID"
	wait "$PID"
	RC=$?
}

# The vCPU thread of a guest, from pinvm's "running on core" line.
tid_of() {
	sed -n "s/.*pinvm: $2: running on core [0-9]* (vcpu thread \([0-9]*\)).*/\1/p" "$1"
}

last_tick() {
	grep "\[$2\] tick" "$1" | tail -n 1 | sed 's/.*tick //'
}

count() {
	grep -c "$2" "$1"
}

# Ticks of a guest are 1, 2, 3, ... without a gap or a restart.
ticks_contiguous() {
	grep "\[$2\] tick" "$1" | sed 's/.*tick //' |
		awk 'BEGIN { ok = 1 } $1 != NR { ok = 0 } END { exit !ok }'
}

# --- three guests, each pinned to its own core ---------------------------
test_three_guests() {
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
		echo "METRIC: first_console_line_s_$g=$first"
	done
	rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$PID/status)
	# Guest RAM is populated up front: 3 guests x 2 MiB.
	echo "METRIC: vmrss_kb=$rss"
	echo "METRIC: vmrss_minus_guest_ram_kb=$((rss - 3 * 2048))"
	for g in g1 g2 g3; do
		expect "three: $g ticks in order" "ticks not 1, 2, 3, ..." \
			ticks_contiguous /tmp/three.out $g
	done
	stop TERM
	expect "three: SIGTERM exits 0" "exit status $RC" [ "$RC" -eq 0 ]
	expect "three: SIGTERM logged" "no 'stopping all guests'" \
		grep -q "Terminated: stopping all guests" /tmp/three.err
}

# --- one guest resets; the others keep running --------------------------
test_reset() {
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
}

# --- one guest powers off; the others keep running ----------------------
test_off() {
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
}

# --- every guest powers off: pinvm exits 0 by itself ---------------------
test_all_off() {
	start alloff
	expect "alloff: pinvm exits by itself" "still running after 60 s" \
		wait_until 60 not_running
	wait "$PID"
	RC=$?
	expect "alloff: exit status 0" "exit status $RC" [ "$RC" -eq 0 ]
	expect "alloff: says so" "no 'all guests have stopped'" \
		grep -q "all guests have stopped" /tmp/alloff.err
	expect "alloff: both guests powered off" "not both" \
		[ "$(count /tmp/alloff.err 'powered off')" -eq 2 ]
}

# run_error NAME PATTERN COMMAND...: fails at start with one clear line.
run_error() {
	name=$1
	pattern=$2
	shift 2
	"$@" > /tmp/err.out 2> /tmp/err.err
	rc=$?
	expect "$name: non-zero exit" "exit status $rc" [ $rc -ne 0 ]
	expect "$name: one-line error" "stderr: $(cat /tmp/err.err)" \
		[ "$(wc -l < /tmp/err.err)" -eq 1 ]
	expect "$name: names the fault" "stderr: $(cat /tmp/err.err)" \
		grep -qE "$pattern" /tmp/err.err
	expect "$name: no guest output" "$(cat /tmp/err.out)" [ ! -s /tmp/err.out ]
	expect "$name: no guest started" "a vCPU thread ran" \
		not grep -q "running on core" /tmp/err.err
}

test_errors() {
	run_error "bad partition" \
		"^pinvm: error: $P/bad.dtb: /pinvm/g3: cpu: core 1 is already given to /pinvm/g1$" \
		pinvm -p "$P/bad.dtb" -i "$G"

	mv /dev/kvm /dev/kvm.hidden
	run_error "no /dev/kvm" \
		"^pinvm: error: cannot open /dev/kvm: No such file or directory" \
		pinvm -p "$P/three.dtb" -i "$G"
	mv /dev/kvm.hidden /dev/kvm

	mkdir -p /tmp/images
	cp "$G"/* /tmp/images/
	rm /tmp/images/ticker.elf
	run_error "image gone" \
		"^pinvm: error: $P/three.dtb: /pinvm/g2: image: cannot read /tmp/images/ticker.elf: No such file or directory$" \
		pinvm -p "$P/three.dtb" -i /tmp/images

	run_error "truncated partition" "^pinvm: error: /tmp/cut.dtb: truncated" \
		sh -c "head -c 200 $P/three.dtb > /tmp/cut.dtb && exec pinvm -p /tmp/cut.dtb -i $G"

	pinvm --check > /tmp/check.out 2>&1
	expect "built-in partition validates" "$(cat /tmp/check.out)" \
		grep -q "3 guests, valid" /tmp/check.out
}

. /test/passthrough-tests.sh
. /test/linux-tests.sh
. /test/gpio-tests.sh
. /test/update-tests.sh
. /test/misbehave-tests.sh
. /test/seccomp-tests.sh

echo "board: $(uname -r), $(nproc) cpus, $(cat /sys/devices/system/cpu/online) online"
if [ "$1" = linux ]; then
	test_linux_dtb
	test_linux_rtc
	test_linux_reboot
	test_linux_gpio
	echo "BOARD-TESTS-DONE"
	exit 0
fi
if [ "$1" = gpio ]; then
	test_gpio
	echo "BOARD-TESTS-DONE"
	exit 0
fi
if [ "$1" = misbehave ]; then
	test_isolation
	test_misbehave
	echo "BOARD-TESTS-DONE"
	exit 0
fi
if [ "$1" = update ]; then
	test_updates
	echo "BOARD-TESTS-DONE"
	exit 0
fi
test_three_guests
test_reset
test_off
test_all_off
test_errors
test_bytes_and_claim
test_deny
test_direct
test_eperm
test_least_privilege
test_seccomp_violation
echo "BOARD-TESTS-DONE"
