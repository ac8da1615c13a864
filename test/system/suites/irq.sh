#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The PL031's alarm interrupt forwarded to a bare-metal guest through VFIO
# (vfio-amba) and KVM irqfd: alarms in a row (the level line unmasked by
# each EOI through the resample eventfd), counted alike by the guest, the
# host's /proc/interrupts and pinvm's status file, with no pinvm thread
# but the vCPU's woken for them (tracefs); the trigger pinvm sets, and the
# one a guest sets itself; a reset inside the handler; the partition
# refusals; a killed pinvm's PL031 given back by the next one that does
# not claim it; the /dev/mem fallback without vfio-amba, and
# interrupts-required refusing it.
. /test/lib.sh

RTC=9010000.pl031
RTC_HW=34			# GIC INTID: SPI 2
T=/sys/kernel/tracing

# --- tracefs: which of pinvm's threads an alarm wakes ----------------------

# other_threads PID: the tids of pinvm's threads that are not a vCPU's.
other_threads() {
	for _t in /proc/$1/task/*; do
		case $(cat "$_t/comm" 2>/dev/null) in
		vcpu-*) ;;
		*) echo "${_t##*/}" ;;
		esac
	done
}

# trace_start IRQ TID...: record the host's handler entries of IRQ and
# every wake-up of the threads TID.
trace_start() {
	_irq=$1
	shift
	[ -e $T/trace ] || mount -t tracefs nodev $T
	echo 0 > $T/tracing_on
	echo global > $T/trace_clock
	echo 2048 > $T/buffer_size_kb
	: > $T/trace
	echo "irq == $_irq" > $T/events/irq/irq_handler_entry/filter
	_f=
	for _tid in "$@"; do
		_f="${_f:+$_f || }pid == $_tid"
	done
	echo "$_f" > $T/events/sched/sched_wakeup/filter
	echo 1 > $T/events/irq/irq_handler_entry/enable
	echo 1 > $T/events/sched/sched_wakeup/enable
	echo 1 > $T/tracing_on
}

# trace_stop FILE: the events recorded, as "SECONDS EVENT" lines.
trace_stop() {
	echo 0 > $T/tracing_on
	echo 0 > $T/events/irq/irq_handler_entry/enable
	echo 0 > $T/events/sched/sched_wakeup/enable
	echo 0 > $T/events/irq/irq_handler_entry/filter
	echo 0 > $T/events/sched/sched_wakeup/filter
	awk '/^#/ { next }
		{ for (i = 1; i < NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+:$/) {
				sub(":", "", $i); sub(":", "", $(i + 1))
				print $i, $(i + 1); break
			} }' $T/trace > "$1"
	: > $T/trace
}

# woken_after FILE: how many handler entries had a wake-up of one of the
# traced threads within 1 ms after them. The main thread wakes once a
# second for the status file; a thread on the interrupt's path would be
# woken from the handler itself, microseconds after its entry.
woken_after() {
	awk '$2 == "irq_handler_entry" { irq[n++] = $1 }
		$2 == "sched_wakeup" { w[m++] = $1 }
		END {
			for (i = 0; i < n; i++)
				for (j = 0; j < m; j++)
					if (w[j] >= irq[i] && w[j] - irq[i] < 0.001) {
						bad++; break
					}
			print bad + 0
		}' "$1"
}

# --- the checks ----------------------------------------------------------

# host_irq FILE NODE SPI TRIGGER: the host IRQ pinvm's log says it forwards
# from NODE's interrupt 0 to guest SPI SPI.
host_irq() {
	sed -n "s|.*$2: interrupt 0: host IRQ \([0-9]*\) -> guest SPI $3 ($4)\$|\1|p" "$1"
}

# alarms_in_boot FILE N: how many alarms g1 printed in its Nth boot.
alarms_in_boot() {
	awk -v b="$2" '/\[g1\] boot / { boot++ } /\[g1\] alarm [0-9]/ && boot == b { n++ }
		END { print n + 0 }' "$1"
}

test_alarm() {
	base=$(irq_count $RTC_HW)
	before=$(driver_of amba $RTC)
	pinvm_start alarm irq-alarm -t -s /tmp/alarm.status
	expect "alarm: pinvm claims the PL031 through VFIO" "$(cat /tmp/alarm.err)" \
		wait_for /tmp/alarm.err "/pinvm/g1/rtc: claimed $RTC through VFIO \(vfio-amba\)" 30
	wait_for /tmp/alarm.err "g1: running on core" 30
	irq=$(host_irq /tmp/alarm.err /pinvm/g1/rtc 2 level)
	expect "alarm: pinvm forwards the alarm, level, to SPI 2" "$(grep interrupt /tmp/alarm.err)" \
		[ -n "$irq" ]
	expect "alarm: the host IRQ is the PL031's" "host IRQ '$irq', the GIC's 34 is $(irq_number $RTC_HW)" \
		[ "${irq:-x}" = "$(irq_number $RTC_HW)" ]
	# The host's number from /proc/interrupts, not from pinvm's log.
	trace_start "$(irq_number $RTC_HW)" $(other_threads "$PID")
	metric alarm_traced_threads "$(other_threads "$PID" | wc -l)"
	expect "alarm: vfio-amba holds the PL031 while pinvm runs" "driver $(driver_of amba $RTC)" \
		[ "$(driver_of amba $RTC)" = vfio-amba ]
	expect "alarm: the host's handler is VFIO's" "action '$(irq_action $RTC_HW)'" \
		vfio_action $RTC_HW
	expect "alarm: the guest's SPI is level, as pinvm set it" "$(grep 'alarm spi' /tmp/alarm.out)" \
		wait_for /tmp/alarm.out "\[g1\] alarm spi 2 trigger level" 30
	expect "alarm: 6 alarms in a row reach the guest" "$(grep '\[g1\]' /tmp/alarm.out | tail -n 3)" \
		wait_for /tmp/alarm.out "\[g1\] alarms done 6 others 0" 40
	trace_stop /tmp/alarm.trace
	entries=$(grep -c irq_handler_entry /tmp/alarm.trace)
	woken=$(woken_after /tmp/alarm.trace)
	metric alarm_traced_entries "$entries"
	metric alarm_traced_wakeups "$(grep -c sched_wakeup /tmp/alarm.trace)"
	expect "alarm: tracefs saw the alarms" "$entries handler entries" [ "$entries" -ge 5 ]
	expect "alarm: no pinvm thread but the vCPU woke for them" \
		"$woken of $entries alarms woke a non-vCPU thread within 1 ms" [ "$woken" -eq 0 ]
	# The status file is rewritten every second; the alarms are over.
	sleep 1.5
	host=$(irq_count $RTC_HW)
	s=/tmp/alarm.status
	expect "alarm: the host took the 6 alarms, no more" "host count $base -> $host" \
		[ $((host - base)) -eq 6 ]
	expect "alarm: the status file counts what the host counts" "$(grep '^irq' $s), host $host" \
		[ "$(irq_status g1 /pinvm/g1/rtc count $s)" = "$host" ]
	expect "alarm: the status file's line" "$(grep '^irq' $s)" \
		grep -q "^irq guest=g1 name=/pinvm/g1/rtc index=0 host-irq=$irq spi=2 trigger=level count=" $s
	T0=$(last_tick /tmp/alarm.out g2)
	wait_until 10 ticks_reach /tmp/alarm.out g2 $((T0 + 3))
	expect "alarm: g2 ticked on" "ticks not 1, 2, 3, ..." ticks_contiguous /tmp/alarm.out g2
	stop TERM
	expect "alarm: pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
	expect "alarm: the PL031 back with its host driver" "driver $(driver_of amba $RTC), was $before" \
		wait_until 5 [ "$(driver_of amba $RTC)" = "$before" ]
	expect "alarm: VFIO's handler gone" "action '$(irq_action $RTC_HW)'" \
		not vfio_action $RTC_HW
}

# The guest SPI moved (interrupts = <0 5 4>) and programmed level by the
# guest itself.
test_alarm_icfgr() {
	base=$(irq_count $RTC_HW)
	pinvm_start icfgr irq-alarm-icfgr -s /tmp/icfgr.status
	expect "alarm icfgr: forwarded to guest SPI 5" "$(grep interrupt /tmp/icfgr.err)" \
		wait_for /tmp/icfgr.err "/pinvm/g1/rtc: interrupt 0: host IRQ [0-9]+ -> guest SPI 5 \(level\)" 30
	expect "alarm icfgr: 3 alarms on SPI 5" "$(grep '\[g1\]' /tmp/icfgr.out | tail -n 3)" \
		wait_for /tmp/icfgr.out "\[g1\] alarms done 3 others 0" 40
	sleep 1.5
	expect "alarm icfgr: the status file says SPI 5" "$(grep '^irq' /tmp/icfgr.status)" \
		[ "$(irq_status g1 /pinvm/g1/rtc spi /tmp/icfgr.status)" = 5 ]
	stop TERM
	expect "alarm icfgr: the host took 3" "host count $base -> $(irq_count $RTC_HW)" \
		[ $(($(irq_count $RTC_HW) - base)) -eq 3 ]
	expect "alarm icfgr: pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
}

# A reset inside the handler, before the EOI: the host line is masked by
# VFIO then. The rebuilt VM must get its alarms. restart-limit 1: the
# second reset stops g1, so there are exactly two boots and nothing armed
# is left behind (the third alarm's handler does not arm a fourth).
test_alarm_reset() {
	base=$(irq_count $RTC_HW)
	pinvm_start reset irq-alarm-reset -s /tmp/reset.status
	expect "alarm reset: g1 resets from its handler" "$(tail -n 3 /tmp/reset.err)" \
		wait_for /tmp/reset.err "g1: reset \(PSCI SYSTEM_RESET\)" 40
	expect "alarm reset: alarms resume in the new VM, which resets again" \
		"$(grep '\[g1\]' /tmp/reset.out | tail -n 4; tail -n 2 /tmp/reset.err)" \
		wait_for /tmp/reset.err "g1: more than 1 resets within a minute" 40
	sleep 1.5
	b1=$(alarms_in_boot /tmp/reset.out 1)
	b2=$(alarms_in_boot /tmp/reset.out 2)
	sum=$(count /tmp/reset.out '\[g1\] alarm [0-9]')
	host=$(irq_count $RTC_HW)
	expect "alarm reset: two boots, 3 alarms each" \
		"$(count /tmp/reset.out '\[g1\] boot') boots, alarms $b1 + $b2" \
		[ "$(count /tmp/reset.out '\[g1\] boot')" -eq 2 -a "$b1" -eq 3 -a "$b2" -eq 3 ]
	expect "alarm reset: the host counts the alarms of both boots" \
		"host $base -> $host, guest $sum alarms" [ $((host - base)) -eq "$sum" ]
	stop TERM
	expect "alarm reset: pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
}

# A pinvm that is killed (SIGKILL, as a crash or the OOM killer ends it)
# leaves the PL031 bound to vfio-amba with driver_override naming it; the
# kernel freed its interrupt with its descriptors. The next pinvm takes it
# over, its alarms work, and its clean end gives it back to rtc-pl031.
test_killed() {
	before=$(driver_of amba $RTC)
	pinvm_start killed irq-alarm
	wait_for /tmp/killed.out "\[g1\] alarm 1" 40
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	expect "killed: the PL031 stays with vfio-amba" "driver $(driver_of amba $RTC)" \
		[ "$(driver_of amba $RTC)" = vfio-amba ]
	expect "killed: its interrupt freed with pinvm's descriptors" "action '$(irq_action $RTC_HW)'" \
		not vfio_action $RTC_HW
	pinvm_start again irq-alarm
	expect "killed: the next pinvm takes the PL031 over" "$(head -n 3 /tmp/again.err)" \
		wait_for /tmp/again.err "/pinvm/g1/rtc: $RTC was still claimed \(driver_override vfio-amba\), by a pinvm that did not end cleanly: taking it over" 30
	# The killed guest's alarm may have latched in the PL031 (no reset
	# through VFIO for it): the new guest may then find its line pending
	# once, before it clears the device, as after any warm handover.
	expect "killed: the next pinvm's guest takes its alarms" "$(grep '\[g1\]' /tmp/again.out | tail -n 3)" \
		wait_for /tmp/again.out "\[g1\] alarms done 6 others [01]( |$)" 40
	stop TERM
	expect "killed: the next pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
	expect "killed: the PL031 back with its host driver" "driver $(driver_of amba $RTC), was $before" \
		wait_until 5 [ "$(driver_of amba $RTC)" = "$before" ]
}

# Killed holding the PL031, then a pinvm whose partition does not claim it
# at all: that one gives it back to rtc-pl031 at its start, from the
# record the killed one left under /run/pinvm/claims (before, the device
# stayed with vfio-amba until a partition claimed it again).
test_killed_unclaimed() {
	before=$(driver_of amba $RTC)
	pinvm_start killed2 irq-alarm
	wait_for /tmp/killed2.out "\[g1\] alarm 1" 40
	expect "killed, unclaimed: the claim is recorded while held" \
		"$(cat /run/pinvm/claims/$RTC 2>&1)" \
		grep -q "^driver=$before$" /run/pinvm/claims/$RTC
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	expect "killed, unclaimed: the PL031 stays with vfio-amba" "driver $(driver_of amba $RTC)" \
		[ "$(driver_of amba $RTC)" = vfio-amba ]
	pinvm_start other three -s /tmp/other.status
	expect "killed, unclaimed: the next pinvm gives it back at its start" "$(head -n 5 /tmp/other.err)" \
		wait_for /tmp/other.err "/run/pinvm/claims: gave $RTC back to host driver $before" 30
	expect "killed, unclaimed: $before has the PL031 again" "driver $(driver_of amba $RTC), was $before" \
		[ "$(driver_of amba $RTC)" = "$before" ]
	expect "killed, unclaimed: no override left" \
		"override '$(cat /sys/bus/amba/devices/$RTC/driver_override)'" \
		[ "$(cat /sys/bus/amba/devices/$RTC/driver_override)" = "(null)" ]
	expect "killed, unclaimed: its record is gone" "$(ls /run/pinvm/claims 2>&1)" \
		[ ! -e /run/pinvm/claims/$RTC ]
	expect "killed, unclaimed: the next pinvm's guests run" "$(tail -n 3 /tmp/other.out)" \
		wait_for /tmp/other.out "\[g3\] tick 2" 30
	stop TERM
	expect "killed, unclaimed: the next pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
}

# refused WHAT PARTITION PREFIX WORD...: pinvm refuses the partition with
# an error line, starts no guest, and leaves the PL031 with its driver.
refused() {
	_rwhat=$1 _rdtb=$2 _rprefix=$3
	shift 3
	# Not _f or _what: error_line and expect use those.
	_rf=/tmp/$_rdtb
	before=$(driver_of amba $RTC)
	pinvm -p "$P/$_rdtb.dtb" -i "$G" -s $_rf.status > $_rf.out 2> $_rf.err
	rc=$?
	expect "$_rwhat: refused, naming the node" "exit $rc: $(cat $_rf.err)" \
		error_line $_rf.err "$_rprefix" "$@"
	expect "$_rwhat: exit status" "exit $rc" [ $rc -ne 0 ]
	expect "$_rwhat: no guest ran" "$(cat $_rf.out)" [ ! -s $_rf.out ]
	expect "$_rwhat: the PL031 keeps its driver" "driver $(driver_of amba $RTC), was $before" \
		[ "$(driver_of amba $RTC)" = "$before" ]
}

# The partition checks are the unit tests' (test_partition.c); this is
# the one line on the board.
test_refusals() {
	refused "alarm shared line" irq-bad-spi ".*/pinvm/g1/rtc: " \
		"SPI 2" /rtc@9010000 /fake@9040000
	# The host's console: a built-in driver without unbind.
	refused "built-in host driver" irq-pl011 ".*/pinvm/g1/uart@c000000: " \
		"9000000.pl011" uart-pl011 "offers no unbind" initcall_blacklist
	expect "built-in host driver: the console keeps its driver and no override" \
		"driver $(driver_of amba 9000000.pl011), override '$(cat /sys/bus/amba/devices/9000000.pl011/driver_override)'" \
		[ "$(driver_of amba 9000000.pl011)" = uart-pl011 -a \
		  "$(cat /sys/bus/amba/devices/9000000.pl011/driver_override)" = "(null)" ]
}

# Without vfio-amba: the registers through /dev/mem as before, the alarm not
# forwarded (one line saying so), and interrupts-required refused.
test_devmem() {
	grep -q "^vfio_amba " /proc/modules && rmmod vfio_amba
	expect "devmem: vfio_amba unloaded" "$(grep vfio /proc/modules)" \
		not grep -q "^vfio_amba " /proc/modules
	pinvm_start devmem irq-alarm
	expect "devmem: the alarm is not forwarded, and pinvm says why" "$(cat /tmp/devmem.err)" \
		wait_for /tmp/devmem.err "/pinvm/g1/rtc: interrupts not forwarded \(.*\): registers through /dev/mem" 30
	expect "devmem: the guest still reads the RTC" "$(grep '\[g1\]' /tmp/devmem.out)" \
		wait_for /tmp/devmem.out "\[g1\] alarm armed dr=[0-9]+" 30
	dr=$(sed -n 's/.*\[g1\] alarm armed dr=\([0-9]*\).*/\1/p' /tmp/devmem.out)
	now=$(date +%s)
	# As in passthrough.sh: the RTC and the emulated clock drift apart.
	expect "devmem: its time is the board's" "guest ${dr:-none}, board $now" \
		[ $((now - ${dr:-0})) -ge -120 -a $((now - ${dr:-0})) -lt 120 ]
	expect "devmem: the PL031 claimed as before" "$(cat /tmp/devmem.err)" \
		grep -q "took $RTC from host driver rtc-pl031" /tmp/devmem.err
	sleep 3
	expect "devmem: said once" "$(grep -c 'not forwarded' /tmp/devmem.err) lines" \
		[ "$(grep -c 'not forwarded' /tmp/devmem.err)" -eq 1 ]
	expect "devmem: no alarm reached the guest" "$(grep '\[g1\] alarm [0-9]' /tmp/devmem.out)" \
		not grep -q "\[g1\] alarm [0-9]" /tmp/devmem.out
	stop TERM
	expect "devmem: pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
	refused "devmem interrupts-required" irq-alarm-required ".*/pinvm/g1/rtc: " \
		interrupts-required
	# As the image's /etc/init.d/S10modules loaded it at boot.
	insmod "/lib/modules/$(uname -r)/pinvm/vfio-amba.ko"
	expect "devmem: vfio_amba loaded again" "$(grep vfio /proc/modules)" \
		grep -q "^vfio_amba " /proc/modules
}

test_alarm
test_alarm_icfgr
test_alarm_reset
test_killed
test_killed_unclaimed
test_refusals
test_devmem
exit 0
