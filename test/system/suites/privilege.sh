#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Least privilege: every thread of a running pinvm is under a seccomp
# filter, with no capability left, and a call outside a thread's filter
# ends pinvm with one line naming the thread and the call (fault
# injection: PINVM_FAULT=seccomp-vcpu / seccomp-main makes that thread call
# getppid once the guests run). Landlock keeps each thread off root's
# files (PINVM_FAULT=landlock: each thread, once confined, tries to open
# them for writing and says what it got).
. /test/lib.sh

# status_field TASK_DIR FIELD: a line of /proc/<pid>/task/<tid>/status.
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "$1/status" 2>/dev/null
}

test_least_privilege() {
	start three
	expect "privilege: guests run under their filters" "no '[g3] tick 3' in 60 s" \
		wait_for /tmp/three.out "^ *[0-9.]+ \[g3\] tick 3$" 60
	expect "privilege: pinvm says what it kept and filters" "stderr: $(cat /tmp/three.err)" \
		wait_for /tmp/three.err "least privilege: capabilities kept: none; seccomp allow-lists: vcpu" 10
	line=$(grep 'least privilege:' /tmp/three.err)
	set -- $(echo "$line" | sed -n 's/.*vcpu \([0-9]*\) syscalls + \([0-9]*\) ioctls, gpio-events \([0-9]*\) + \([0-9]*\), main \([0-9]*\) + \([0-9]*\).*/\1 \2 \3 \4 \5 \6/p')
	metric seccomp_vcpu_syscalls "${1:-?}"
	metric seccomp_vcpu_ioctls "${2:-?}"
	metric seccomp_gpio_events_syscalls "${3:-?}"
	metric seccomp_gpio_events_ioctls "${4:-?}"
	metric seccomp_main_syscalls "${5:-?}"
	metric seccomp_main_ioctls "${6:-?}"
	threads=0
	for t in /proc/$PID/task/*; do
		comm=$(cat "$t/comm" 2>/dev/null)
		[ -n "$comm" ] || continue
		threads=$((threads + 1))
		sc=$(status_field "$t" Seccomp)
		nnp=$(status_field "$t" NoNewPrivs)
		eff=$(status_field "$t" CapEff)
		prm=$(status_field "$t" CapPrm)
		bnd=$(status_field "$t" CapBnd)
		expect "privilege: thread $comm runs under a seccomp filter" \
			"Seccomp: $sc, NoNewPrivs: $nnp" [ "$sc" = 2 -a "$nnp" = 1 ]
		expect "privilege: thread $comm has no capabilities" \
			"CapEff $eff CapPrm $prm CapBnd $bnd" \
			[ "$eff" = 0000000000000000 -a "$prm" = 0000000000000000 -a \
			  "$bnd" = 0000000000000000 ]
	done
	expect "privilege: main and three vCPU threads checked" "$threads threads" \
		[ "$threads" -eq 4 ]
	expect "privilege: guests keep running" "g1 stopped ticking" \
		wait_until 10 ticks_reach /tmp/three.out g1 6
	stop TERM
	expect "privilege: SIGTERM exits 0 under the filters" "exit status $RC" \
		[ "$RC" -eq 0 ]
}

test_seccomp_violation() {
	for which in vcpu main; do
		case $which in
		vcpu) thread='vcpu-g[123]' ;;
		main) thread=main ;;
		esac
		export PINVM_FAULT=seccomp-$which
		pinvm_start sc three -t
		unset PINVM_FAULT
		expect "seccomp $which: a forbidden call ends pinvm" \
			"still running after 30 s" wait_until 30 not_running
		running && kill -KILL "$PID"
		wait "$PID"
		RC=$?
		expect "seccomp $which: pinvm died of SIGSYS" "exit status $RC" \
			[ "$RC" -eq 159 ]
		expect "seccomp $which: one clear line names the thread and the call" \
			"stderr: $(tail -n 3 /tmp/sc.err)" \
			error_line /tmp/sc.err "seccomp: thread $thread " "(getppid)"
	done
}

# Each thread kind (the two vCPU threads, the GPIO driver's gpio-events,
# main) cannot write /etc, the start-up script or a block device; the
# guests still run and the status file is still written. Before Landlock
# every one of these opened (uid 0 owns them).
test_landlock() {
	# A block device node: the kernel checks Landlock before its driver.
	[ -b /dev/ram0 ] || mknod /dev/ram0 b 1 0
	rm -f /etc/pinvm-probe
	export PINVM_FAULT=landlock
	pinvm_start ll gpio -t -s /tmp/ll/status
	unset PINVM_FAULT
	expect "landlock: pinvm confines its threads' files" "stderr: $(grep 'least privilege' /tmp/ll.err)" \
		wait_for /tmp/ll.err "least privilege: .*; files: landlock ABI [0-9]+" 30
	metric landlock_abi "$(sed -n 's/.*files: landlock ABI \([0-9]*\).*/\1/p' /tmp/ll.err)"
	for thread in vcpu-g1 vcpu-g2 gpio-events main; do
		for target in /etc/pinvm-probe /etc/init.d/S50pinvm /dev/ram0; do
			expect "landlock: thread $thread cannot open $target for writing" \
				"$(grep "landlock probe: thread $thread: $target:" /tmp/ll.err)" \
				grep -q "landlock probe: thread $thread: $target: open for writing: Permission denied" /tmp/ll.err
		done
	done
	expect "landlock: no thread could write any of them" "$(grep WRITABLE /tmp/ll.err)" \
		not grep -q WRITABLE /tmp/ll.err
	expect "landlock: /etc/pinvm-probe was never made" "$(ls -l /etc/pinvm-probe 2>&1)" \
		[ ! -e /etc/pinvm-probe ]
	expect "landlock: the guests run (a vCPU thread re-requests GPIO lines)" \
		"$(grep '\[g1\]' /tmp/ll.out | tail -n 3)" \
		wait_for /tmp/ll.out "\[g1\] " 30
	expect "landlock: main still writes its status file" "$(cat /tmp/ll/status 2>&1)" \
		wait_for /tmp/ll/status "state=running" 10
	stop TERM
	expect "landlock: SIGTERM exits 0, lines given back" "exit status $RC" \
		[ "$RC" -eq 0 ]
	expect "landlock: the final status file written" "$(head -n 1 /tmp/ll/status)" \
		grep -q "state=exited" /tmp/ll/status
}

test_least_privilege
test_seccomp_violation
test_landlock
exit 0
