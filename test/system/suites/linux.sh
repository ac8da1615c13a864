#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A stock Linux kernel as a guest (the board's own Debian Image, with a
# busybox initramfs) on core 1, next to a ticker on core 2: its device
# tree, its RTC driver on the passed-through PL031, poweroff and reboot.
. /test/lib.sh

# guest_value FILE KEY: the number after KEY= in the Linux guest's lines.
guest_value() {
	sed -n "s/.*\[g1\] linux-guest: .*$2=\([0-9]*\).*/\1/p" "$1" | tail -n 1
}

test_linux_rtc() {
	pinvm_start linux linux-rtc -t -s /tmp/linux.status
	expect "linux: the guest kernel reaches its /init" \
		"$(tail -n 5 /tmp/linux.out /tmp/linux.err)" \
		wait_for /tmp/linux.out "linux-guest: init reached" 300
	boot=$(sed -n 's/^ *\([0-9.]*\) \[g1\] linux-guest: init reached.*/\1/p' /tmp/linux.out)
	metric linux_guest_boot_s "$boot"
	expect "linux: the guest prints through its virtual console" "no [g1] lines" \
		grep -q "^ *[0-9.]* \[g1\] linux-guest: init reached" /tmp/linux.out
	expect "linux: rtc-pl031 ran on the passed-through PL031" \
		"$(grep 'linux-guest: rtc' /tmp/linux.out)" \
		wait_for /tmp/linux.out "linux-guest: rtc rtc-pl031 .* since_epoch=[0-9]+$" 60
	wait_for /tmp/linux.out "linux-guest: wakealarm set" 60
	host=$(($(devmem 0x09010000 32)))
	guest=$(guest_value /tmp/linux.out since_epoch)
	expect "linux: the guest's RTC time is the board's" \
		"guest ${guest:-none}, board RTC $host" \
		[ $((host - ${guest:-0})) -ge 0 -a $((host - ${guest:-0})) -lt 30 ]
	alarm=$(guest_value /tmp/linux.out set)
	mr=$(($(devmem 0x09010004 32)))
	expect "linux: the guest's alarm reached the device (MR)" \
		"guest set ${alarm:-none}, MR holds $mr" [ "$mr" = "${alarm:-x}" ]
	# The alarm 2 s away: Debian's rtc-pl031 takes its interrupt (SPI 2,
	# forwarded through VFIO), and the RTC core clears the alarm then.
	expect "linux: the guest sets an alarm 2 s away" "$(grep linux-guest /tmp/linux.out | tail -n 2)" \
		wait_for /tmp/linux.out "linux-guest: wakealarm in 2 s: irqs=[0-9]+ pending=[0-9]+" 30
	expect "linux: the alarm interrupt reaches rtc-pl031 in the guest" \
		"$(grep linux-guest /tmp/linux.out | tail -n 3)" \
		wait_for /tmp/linux.out "linux-guest: wakealarm fired" 30
	irqs0=$(sed -n 's/.*linux-guest: wakealarm in 2 s: irqs=\([0-9]*\).*/\1/p' /tmp/linux.out)
	irqs1=$(sed -n 's/.*linux-guest: wakealarm fired: irqs=\([0-9]*\).*/\1/p' /tmp/linux.out)
	expect "linux: the guest's count for rtc-pl031 rose" "${irqs0:-none} -> ${irqs1:-none}" \
		[ "${irqs1:-0}" -gt "${irqs0:-0}" ]
	expect "linux: and the alarm is done (wakealarm empty)" \
		"$(grep 'wakealarm fired' /tmp/linux.out)" \
		grep -q "linux-guest: wakealarm fired: .* pending=''" /tmp/linux.out
	expect "linux: poweroff -f stops the Linux guest alone" "no power-off" \
		wait_for /tmp/linux.err "g1: powered off" 60
	T0=$(last_tick /tmp/linux.out g2)
	expect "linux: the ticker kept running" "ticks $(last_tick /tmp/linux.out g2)" \
		wait_until 10 ticks_reach /tmp/linux.out g2 $((T0 + 3))
	expect "linux: the ticker ticked all along" "ticks not 1, 2, 3, ..." \
		ticks_contiguous /tmp/linux.out g2
	stop TERM
	expect "linux: pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
}

# pinvm dtb: the blob the Linux guest boots with, written to a file.
test_linux_dtb() {
	pinvm -p "$P/linux-rtc.dtb" -i "$G" dtb g1 /tmp/g1.dtb 2> /tmp/dtb.err
	rc=$?
	magic=$(od -A n -t x1 -N 4 /tmp/g1.dtb 2>/dev/null | tr -d ' ')
	expect "pinvm dtb: writes a device tree blob" \
		"exit $rc, magic '$magic': $(cat /tmp/dtb.err)" \
		[ $rc -eq 0 -a "$magic" = d00dfeed ]
	expect "pinvm dtb: with the guest's bootargs and initramfs" "not in it" \
		sh -c "grep -q 'pinvm.mode=rtc' /tmp/g1.dtb && grep -q 'linux,initrd-start' /tmp/g1.dtb"
	pinvm -p "$P/linux-rtc.dtb" -i "$G" dtb nobody /tmp/x.dtb 2> /tmp/dtb.err
	expect "pinvm dtb: an unknown guest is an error" "$(cat /tmp/dtb.err)" \
		error_line /tmp/dtb.err "$P/linux-rtc.dtb: " '"nobody"'
}

test_linux_reboot() {
	pinvm_start reboot linux-reboot
	expect "linux reboot: the guest restarts" "$(tail -n 3 /tmp/reboot.err)" \
		wait_until 400 count_reaches /tmp/reboot.out "linux-guest: init reached" 2
	expect "linux reboot: by PSCI SYSTEM_RESET, reloaded by pinvm" "no reset" \
		grep -q "g1: reset (PSCI SYSTEM_RESET)" /tmp/reboot.err
	expect "linux reboot: the ticker never restarted" "boots or gaps" \
		[ "$(count /tmp/reboot.out '\[g2\] boot')" -eq 1 ]
	expect "linux reboot: the ticker ticked all along" "ticks not 1, 2, 3, ..." \
		ticks_contiguous /tmp/reboot.out g2
	stop TERM
	expect "linux reboot: pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
}

# Debian's sp805_wdt on pinvm's SP805, fed by BusyBox's watchdog daemon.
test_linux_watchdog() {
	st=/tmp/linuxwd.status
	out=/tmp/linuxwd.out
	err=/tmp/linuxwd.err
	pinvm -p "$P/linux-watchdog.dtb" -i "$G" dtb g1 /tmp/wd.dtb 2> /tmp/dtb.err
	expect "linux watchdog: the guest's tree has an arm,sp805 with its two clocks" \
		"$(cat /tmp/dtb.err)" \
		sh -c "grep -q 'arm,sp805' /tmp/wd.dtb && grep -q 'wdog_clk' /tmp/wd.dtb && grep -q 'apb_pclk' /tmp/wd.dtb"
	pinvm_start linuxwd linux-watchdog -t -s "$st"
	expect "linux watchdog: sp805_wdt binds and gives /dev/watchdog" \
		"$(grep linux-guest $out | tail -n 3)" \
		wait_for "$out" "linux-guest: sp805_wdt: .*/dev/watchdog0" 300
	expect "linux watchdog: BusyBox's daemon runs" "$(grep linux-guest $out | tail -n 3)" \
		wait_for "$out" "linux-guest: watchdog daemon pid=[0-9]+" 30
	expect "linux watchdog: the guest runs on while the daemon feeds it" \
		"$(grep linux-guest $out | tail -n 3)" \
		wait_for "$out" "linux-guest: alive 7$" 30
	expect "linux watchdog: no bite while the daemon runs" "$(grep '^watchdog' $st)" \
		grep -qE '^watchdog guest=g1 kicks=[1-9][0-9]* bites=0 ' "$st"
	expect "linux watchdog: the daemon killed" "$(grep linux-guest $out | tail -n 3)" \
		wait_for "$out" "linux-guest: watchdog daemon killed" 10
	expect "linux watchdog: bitten within the daemon's 4 s (+100 ms)" "$(grep 'g1:' $err | tail -n 3)" \
		wait_for "$err" 'g1: watchdog bite: 4\.0[0-9]{2} s since the last kick \(timeout 4\.000 s\): resetting it' 10
	age=$(sed -n 's/.*g1: watchdog bite: \([0-9.]*\) s since.*/\1/p' "$err" | head -n 1)
	metric linux_watchdog_bite_after_last_kick_s "$age"
	expect "linux watchdog: the guest reset by pinvm, reloaded" "$(grep 'g1:' $err | tail -n 3)" \
		grep -q "g1: reset (watchdog bite): reloading $G/Image" "$err"
	expect "linux watchdog: it boots again" "$(grep linux-guest $out | tail -n 3)" \
		wait_until 300 count_reaches "$out" "linux-guest: watchdog daemon pid=" 2
	expect "linux watchdog: status shows one bite" "$(grep '^watchdog' $st)" \
		wait_until 3 grep -qE '^watchdog guest=g1 kicks=[0-9]+ bites=1 last-kick-age=[0-9.]+$' "$st"
	expect "linux watchdog: the ticker never restarted" "boots or gaps" \
		[ "$(count "$out" '\[g2\] boot')" -eq 1 ]
	expect "linux watchdog: the ticker ticked all along" "ticks not 1, 2, 3, ..." \
		ticks_contiguous "$out" g2
	stop TERM
	expect "linux watchdog: pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
}

test_linux_dtb
test_linux_rtc
test_linux_reboot
test_linux_watchdog
exit 0
