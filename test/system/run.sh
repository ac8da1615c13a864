#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# System tests on the emulated arm64 board: boots it (QEMU, real KVM inside)
# with the host image plus a test overlay, reads the board's console for
# PASS/FAIL lines, and ends with "N passed, N failed".
#   run.sh BUILD_DIR
set -u
build=${1:-build}
out=$build/system
image=$build/host/Image
passed=0
failed=0

note_pass() { echo "PASS: $1"; passed=$((passed + 1)); }
note_fail() { echo "FAIL: $1"; failed=$((failed + 1)); }

make_overlay() {
	rm -rf "$out/overlay"
	mkdir -p "$out/overlay/test/guests" "$out/overlay/test/partitions"
	for g in worker storm spin hammer undef probe; do
		cp "$build/guests/$g.bin" "$out/overlay/test/guests/"
	done
	for g in ticker resetter stopper mmio-le mmio-be mmio-deny mmio-hammer \
		 gpio-out gpio-hog; do
		cp "$build/guests/$g.bin" "$build/guests/$g.elf" "$out/overlay/test/guests/"
	done
	cp "$out"/partitions/*.dtb "$out/overlay/test/partitions/"
	for g in fw-1 fw-2; do
		cp "$build/guests/$g.bin" "$out/overlay/test/guests/"
	done
	sh test/system/make-bundles.sh "$build" "$SIGN_KEY" "$out/overlay/test/bundles"
	# The Linux guest: the board's own kernel and a busybox initramfs.
	cp "$image" "$build/guests/linux-initrd.cpio.gz" "$out/overlay/test/guests/"
	cp test/system/board-tests.sh test/system/passthrough-tests.sh \
		test/system/linux-tests.sh test/system/gpio-tests.sh \
		test/system/gicv2-tests.sh test/system/update-tests.sh \
		test/system/misbehave-tests.sh test/system/seccomp-tests.sh \
		"$out/overlay/test/"
	# The kernel unpacks concatenated archives: host image, then tests.
	(cd "$out/overlay" && find . | LC_ALL=C sort |
		cpio -o -H newc --quiet | gzip -1) > "$out/overlay.cpio.gz"
	cat "$build/image/initramfs.cpio.gz" "$out/overlay.cpio.gz" > "$out/system.cpio.gz"
	# The update boot also gets Debian's swupdate (61 MB) as a fleet agent.
	(cd "$build/swupdate/root" && find . | LC_ALL=C sort |
		cpio -o -H newc --quiet | gzip -1) > "$out/swupdate.cpio.gz"
	cat "$out/system.cpio.gz" "$out/swupdate.cpio.gz" > "$out/update.cpio.gz"
}

# boot NAME GIC INITRD TIMEOUT CMDLINE: console to $out/NAME.log
boot() {
	echo "system: booting the board ($1, GICv$2)"
	start=$(date +%s)
	QEMU_GIC=$2 QEMU_TIMEOUT=$4 sh board/qemu-virt/run.sh "$image" "$3" \
		"quiet $5" < /dev/null > "$out/$1.log" 2>&1
	echo "system: $1 took $(($(date +%s) - start)) s"
}

# boot_with_monitor NAME INITRD TIMEOUT CMDLINE: like boot, but QEMU reads
# a FIFO, so when the board prints NEED-POWERDOWN we can press its power
# button: Ctrl-A c switches -serial mon:stdio to the monitor and back.
boot_with_monitor() {
	echo "system: booting the board ($1, GICv3, with its monitor)"
	start=$(date +%s)
	rm -f "$out/$1.in"
	mkfifo "$out/$1.in"
	QEMU_TIMEOUT=$3 sh board/qemu-virt/run.sh "$image" "$2" "quiet $4" \
		< "$out/$1.in" > "$out/$1.log" 2>&1 &
	qemu=$!
	exec 3> "$out/$1.in"
	pressed=
	while kill -0 $qemu 2>/dev/null; do
		if [ -z "$pressed" ] && grep -q "^NEED-POWERDOWN" "$out/$1.log"; then
			printf '\001csystem_powerdown\n\001c' >&3
			pressed=1
		fi
		sleep 0.5
	done
	exec 3>&-
	wait $qemu
	rm -f "$out/$1.in"
	echo "system: $1 took $(($(date +%s) - start)) s"
}

# Fold a board's PASS/FAIL lines into the totals.
collect() {
	log=$out/$1.log
	tr -d '\r' < "$log" > "$log.txt"
	while IFS= read -r line; do
		case "$line" in
		"PASS: "*) note_pass "$1: ${line#PASS: }" ;;
		"FAIL: "*) note_fail "$1: ${line#FAIL: }" ;;
		"METRIC: "*) echo "$line" ;;
		esac
	done < "$log.txt"
	if ! grep -q "^BOARD-TESTS-DONE" "$log.txt"; then
		note_fail "$1: the board did not finish its tests (see $log)"
		tail -n 30 "$log.txt"
	fi
}

# The product's main job, as `make run` boots it: three demo guests.
check_demo() {
	log=$out/demo.log.txt
	tr -d '\r' < "$out/demo.log" > "$log"
	for g in alpha beta gamma; do
		if grep -q "^\[$g\] tick 3$" "$log"; then
			note_pass "demo: $g prints with its name in front"
		else
			note_fail "demo: no '[$g] tick 3' on the board's console"
		fi
	done
	for core in 1 2 3; do
		if grep -q "pinvm: [a-z]*: running on core $core " "$log"; then
			note_pass "demo: a guest runs on core $core"
		else
			note_fail "demo: no guest on core $core"
		fi
	done
	# Each guest's lines name the core pinvm says it runs on.
	for g in alpha beta gamma; do
		core=$(sed -n "s/^pinvm: $g: running on core \([0-9]*\) .*/\1/p" "$log")
		if [ -n "$core" ] && grep -q "^\[$g\] core $core: health register at 0xa000000: slot a, reported healthy$" "$log"; then
			note_pass "demo: $g reports health, naming its core $core"
		else
			note_fail "demo: no '[$g] core ${core:-?}: health register ... reported healthy' line"
		fi
	done
	if grep -q "^pinvm: host keeps cores 0; guests get 1-3$" "$log"; then
		note_pass "demo: the image's S50pinvm gave cores 1-3 to the guests"
	else
		note_fail "demo: no core claim by /etc/init.d/S50pinvm"
	fi
	if grep -q "seeded from" "$log"; then
		note_fail "demo: pinvm seeded slots the image should have brought"
	else
		note_pass "demo: the guests boot from the slots the image brought"
	fi
	check_demo_rtc
	check_demo_fwcfg
	check_demo_gpio
	if grep -q "seccomp:" "$log"; then
		note_fail "demo: a seccomp filter stopped pinvm: $(grep -m1 "seccomp:" "$log")"
	else
		note_pass "demo: runs under its seccomp filters"
	fi
	if grep -q "^init: pinvm exited with status 0" "$log"; then
		note_pass "demo: ends on its own, pinvm exit status 0"
	else
		note_fail "demo: pinvm did not end cleanly (see $out/demo.log)"
		tail -n 30 "$log"
	fi
}

# alpha reads the board's PL031 (trap-mode passthrough): the date it prints
# is the build machine's, within a day (QEMU's RTC starts at the host's
# UTC time), and the host's rtc-pl031 gets the device back at the end.
check_demo_rtc() {
	prefix='^\[alpha\] core 1: PL031 RTC at 0x9010000 (passthrough, trap): '
	when=$(sed -n "s/${prefix}\([0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:]\{8\}\) UTC$/\1/p" "$log" | head -n 1)
	rtc=$(date -u -d "$when" +%s 2>/dev/null)
	now=$(date -u +%s)
	if [ -n "$when" ] && [ -n "$rtc" ] &&
	   [ $((rtc - now)) -le 86400 ] && [ $((now - rtc)) -le 86400 ]; then
		note_pass "demo: alpha read the PL031 through passthrough: $when UTC (build machine: $(date -u '+%Y-%m-%d %H:%M:%S'))"
	else
		note_fail "demo: no PL031 date within a day of $(date -u '+%Y-%m-%d %H:%M:%S') UTC from alpha (got '${when:-nothing}')"
	fi
	if grep -q "^pinvm: /pinvm/alpha/rtc: took 9010000.pl031 from host driver rtc-pl031$" "$log" &&
	   grep -q "^pinvm: /pinvm/alpha/rtc: gave 9010000.pl031 back to host driver rtc-pl031$" "$log"; then
		note_pass "demo: the PL031 went from rtc-pl031 to alpha and back"
	else
		note_fail "demo: pinvm did not take the PL031 from rtc-pl031 and give it back"
	fi
}

# beta, big-endian, reads fw_cfg's signature item: every width gives the
# bytes "QEMU" in stream order, and the 4-byte read is the big-endian
# value of those bytes.
check_demo_fwcfg() {
	prefix='^\[beta\] core 2: fw_cfg at 0x9020000 (passthrough, trap; big-endian guest): item 0, '
	for w in 1 2 4 8; do
		if grep "${prefix}$w-byte read" "$log" | grep -q ' = bytes 51 45 4d 55[ 0]* "QEMU'; then
			note_pass "demo: beta's $w-byte fw_cfg reads give \"QEMU\" in stream order"
		else
			note_fail "demo: beta's $w-byte fw_cfg reads do not give the bytes of \"QEMU\" in order"
		fi
	done
	if grep -q "${prefix}4-byte read: 0x51454d55 = " "$log"; then
		note_pass "demo: beta, big-endian, reads 0x51454d55 from the stream \"QEMU\""
	else
		note_fail "demo: beta's 4-byte fw_cfg read is not 0x51454d55"
	fi
}

# gamma blinks its line 0, the board's GPIO line 0: the host kernel's
# debugfs (printed by the image's init with pinvm.show-gpio=1) shows
# gamma's line change between low and high. The guest's own GPIODATA
# cannot tell: for an output it reads what was set, as a PL061 does.
check_demo_gpio() {
	prefix='^\[gamma\] core 3: PL061 GPIO at 0x9030000 (virtual; host 9030000.pl061 line 0): line 0 set to'
	if grep -q "$prefix 1, GPIODATA 0x01$" "$log" && grep -q "$prefix 0, GPIODATA 0x00$" "$log"; then
		note_pass "demo: gamma set its GPIO line to 1 and to 0"
	else
		note_fail "demo: no '[gamma] ... line 0 set to 1' and 'set to 0' lines"
	fi
	host=$(grep '^host-gpio: gpio-[0-9]* (.*|gamma-led *) out ' "$log" |
		sed 's/.* out \(hi\|lo\).*/\1/' | uniq | tr '\n' ' ')
	case "$host" in
	*"lo hi"*|*"hi lo"*)
		note_pass "demo: the host's GPIO line 0 followed gamma: $host" ;;
	*)
		note_fail "demo: the host's debugfs did not show gamma-led change between lo and hi (saw: ${host:-nothing})" ;;
	esac
}

# SYSTEM_ONLY=NAME runs one of the boots: demo, board, linux, gpio, update,
# misbehave, gicv2.
wanted() { [ -z "${SYSTEM_ONLY:-}" ] || [ "$SYSTEM_ONLY" = "$1" ]; }

mkdir -p "$out"
make_overlay
if wanted demo; then
	boot demo 3 "$build/image/initramfs.cpio.gz" 300 "pinvm.seconds=8 pinvm.show-gpio=1"
	check_demo
fi
if wanted board; then
	boot board 3 "$out/system.cpio.gz" 900 "pinvm.test=/test/board-tests.sh"
	collect board
fi
if wanted linux; then
	boot linux 3 "$out/system.cpio.gz" 1200 \
		"pinvm.test=/test/board-tests.sh pinvm.arg=linux"
	collect linux
fi
if wanted gpio; then
	boot_with_monitor gpio "$out/system.cpio.gz" 600 \
		"pinvm.test=/test/board-tests.sh pinvm.arg=gpio"
	collect gpio
fi
if wanted update; then
	boot update 3 "$out/update.cpio.gz" 900 \
		"pinvm.test=/test/board-tests.sh pinvm.arg=update"
	collect update
fi
if wanted misbehave; then
	boot misbehave 3 "$out/system.cpio.gz" 600 \
		"pinvm.test=/test/board-tests.sh pinvm.arg=misbehave"
	collect misbehave
fi
if wanted gicv2; then
	boot gicv2 2 "$out/system.cpio.gz" 300 "pinvm.test=/test/gicv2-tests.sh"
	collect gicv2
fi

stripped=$out/pinvm.stripped
${CROSS_COMPILE:-aarch64-linux-gnu-}strip -o "$stripped" "$build/pinvm"
echo "METRIC: pinvm_stripped_bytes=$(wc -c < "$stripped")"
echo "system: $passed passed, $failed failed"
[ $failed -eq 0 ]
