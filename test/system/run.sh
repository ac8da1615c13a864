#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# System tests on the emulated arm64 board: boots it (QEMU, real KVM inside)
# once for each line of test/system/boots, with the host image alone or
# plus a test overlay, reads the board's console for PASS/FAIL lines, and
# ends with "N passed, N failed".
#   run.sh BUILD_DIR
# SYSTEM_ONLY=NAME[,NAME...] makes only the boots named.
set -u
build=${1:-build}
here=$(dirname "$0")
out=$build/system
image=$build/host/Image
# The rpi4 test build (make system makes it): the Pi 4's pinvm and image.
rpi4=$build/rpi4
passed=0
failed=0

note_pass() { echo "PASS: $1"; passed=$((passed + 1)); }
note_fail() { echo "FAIL: $1"; failed=$((failed + 1)); }
die() { echo "system: $*" >&2; exit 1; }

# Every file a test partition names (image, initrd, dtb), found among the
# built guests or the host's own files (the Linux guest is the board's
# Image).
partition_files() {
	sed -n 's/.*\<\(image\|initrd\|dtb\) = "\([^"]*\)".*/\2/p' \
		"$here"/partitions/*.dts "$here"/partitions/*.dtsi | LC_ALL=C sort -u
}

# cpio_gz DIR: DIR's files as a gzipped newc archive, on stdout.
cpio_gz() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1)
}

# The test overlay: /test/{lib.sh,board.sh,suites,partitions,guests,bundles}.
make_overlay() {
	ov=$out/overlay
	rm -rf "$ov"
	mkdir -p "$ov/test/guests" "$ov/test/partitions" "$ov/test/suites"
	cp "$here/lib.sh" "$here/board.sh" "$ov/test/"
	cp "$here"/suites/*.sh "$ov/test/suites/"
	cp "$out"/partitions/*.dtb "$ov/test/partitions/"
	# Every test guest (the suites also use images no partition names,
	# such as the update's fw-2.bin), then what else the partitions name.
	cp "$build"/guests/*.bin "$build"/guests/*.elf "$ov/test/guests/"
	for f in $(partition_files); do
		[ -e "$ov/test/guests/$f" ] && continue
		if [ -f "$build/guests/$f" ]; then
			cp "$build/guests/$f" "$ov/test/guests/"
		elif [ -f "$build/host/$f" ]; then
			cp "$build/host/$f" "$ov/test/guests/"
		else
			die "a test partition names $f, which is neither in $build/guests nor $build/host"
		fi
	done
	sh "$here/make-bundles.sh" "$build" "$SIGN_KEY" "$ov/test/bundles"
	# The kernel unpacks concatenated archives: host image, then tests.
	cpio_gz "$ov" > "$out/overlay.cpio.gz"
	cat "$build/image/initramfs.cpio.gz" "$out/overlay.cpio.gz" > "$out/tests.cpio.gz"
}

# The Pi 4's test overlay: the suites and alpha's update bundle, signed
# with the rpi4 test build's key; after the rpi4 image's initramfs.
make_rpi4_overlay() {
	ov=$out/rpi4-overlay
	rm -rf "$ov"
	mkdir -p "$ov/test/suites" "$ov/test/bundles"
	cp "$here/lib.sh" "$here/board.sh" "$ov/test/"
	cp "$here/suites/rpi4.sh" "$ov/test/suites/"
	"$rpi4/tools/pinvm-sign" sign -k "$rpi4/keys/development.sec" -g alpha \
		-v 2.0 -o "$ov/test/bundles/rpi4-alpha-2.0.pvb" \
		"$rpi4/guests/demo-spi-rpi4.bin" > /dev/null || die "cannot sign the rpi4 bundle"
	cpio_gz "$ov" > "$out/rpi4-overlay.cpio.gz"
	cat "$rpi4/image/initramfs.cpio.gz" "$out/rpi4-overlay.cpio.gz" \
		> "$out/rpi4-tests.cpio.gz"
}

# initramfs KIND BOARD: INITRD = the initramfs of a boots line's kind, made
# on first use.
initramfs() {
	if [ "$2" = rpi4 ]; then
		case $1 in
		image) INITRD=$rpi4/image/initramfs.cpio.gz ;;
		tests)
			[ -f "$out/rpi4-tests.cpio.gz" ] || make_rpi4_overlay
			INITRD=$out/rpi4-tests.cpio.gz ;;
		*) die "boot $name: the rpi4 board boots image or tests, not '$1'" ;;
		esac
		return
	fi
	case $1 in
	image) INITRD=$build/image/initramfs.cpio.gz ;;
	tests)
		[ -f "$out/tests.cpio.gz" ] || make_overlay
		INITRD=$out/tests.cpio.gz ;;
	swupdate)
		# Debian's swupdate (61 MB) as a fleet agent.
		if [ ! -f "$out/swupdate.cpio.gz" ]; then
			[ -f "$out/tests.cpio.gz" ] || make_overlay
			cpio_gz "$build/swupdate/root" > "$out/swupdate-root.cpio.gz"
			cat "$out/tests.cpio.gz" "$out/swupdate-root.cpio.gz" \
				> "$out/swupdate.cpio.gz"
		fi
		INITRD=$out/swupdate.cpio.gz ;;
	*) die "boot $name: unknown initramfs '$1' (image, tests or swupdate)" ;;
	esac
}

# boot NAME BOARD INITRD TIMEOUT CMDLINE: console to $out/NAME.log;
# QEMU_EXTRA (the boot's qemu column) goes to the board's run.sh as it is.
# The Pi 4 has no PSCI to power off with: its run.sh ends QEMU once the
# board says it is done.
boot() {
	echo "system: booting the board ($1, $2)"
	start=$(date +%s)
	case $2 in
	virt3 | virt2)
		QEMU_GIC=${2#virt} QEMU_TIMEOUT=$4 sh board/qemu-virt/run.sh \
			"$image" "$3" "quiet $5" < /dev/null > "$out/$1.log" 2>&1 4<&- ;;
	rpi4)
		QEMU10_DIR=$rpi4/host/qemu10 QEMU_TIMEOUT=$4 \
		QEMU_END_MARKER=BOARD-TESTS-DONE sh board/rpi4/run.sh "$image" \
			"$rpi4/image/rpi4-emulated.dtb" "$3" "quiet $5" \
			< /dev/null > "$out/$1.log" 2>&1 4<&- ;;
	*) die "boot $1: board '$2' is not virt3, virt2 or rpi4" ;;
	esac
	echo "system: $1 took $(($(date +%s) - start)) s"
}

# monitor_commands LOG: what the board asked QEMU's monitor for so far, one
# command a line, in order: "NEED-MONITOR: COMMAND" is COMMAND,
# NEED-POWERDOWN is system_powerdown (the power button).
monitor_commands() {
	tr -d '\r' < "$1" | sed -n -e 's/^NEED-POWERDOWN$/system_powerdown/p' \
		-e 's/^NEED-MONITOR: \(.*\)/\1/p'
}

# boot_with_monitor NAME BOARD INITRD TIMEOUT CMDLINE: like boot, but QEMU
# reads a FIFO, so each command the board asks for (monitor_commands) is
# typed on QEMU's monitor once, in order: Ctrl-A c switches
# -serial mon:stdio to the monitor and back.
boot_with_monitor() {
	echo "system: booting the board ($1, $2, with its monitor)"
	case $2 in
	virt3 | virt2) ;;
	*) die "boot $1: a monitor is for the virt board only" ;;
	esac
	start=$(date +%s)
	rm -f "$out/$1.in"
	mkfifo "$out/$1.in"
	# The loop below reads the log before QEMU's shell may have made it.
	: > "$out/$1.log"
	QEMU_GIC=${2#virt} QEMU_TIMEOUT=$4 sh board/qemu-virt/run.sh "$image" "$3" \
		"quiet $5" < "$out/$1.in" > "$out/$1.log" 2>&1 4<&- &
	qemu_pid=$!
	exec 3> "$out/$1.in"
	sent=0
	while kill -0 $qemu_pid 2>/dev/null; do
		monitor_commands "$out/$1.log" | tail -n +$((sent + 1)) > "$out/$1.cmds"
		while IFS= read -r cmd; do
			echo "system: $1: QEMU monitor: $cmd"
			printf '\001c%s\n\001c' "$cmd" >&3
			sent=$((sent + 1))
		done < "$out/$1.cmds"
		sleep 0.5
	done
	exec 3>&-
	wait $qemu_pid
	rm -f "$out/$1.in" "$out/$1.cmds"
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

# wanted NAME: SYSTEM_ONLY is unset, or names this boot.
wanted() {
	case ",${SYSTEM_ONLY:-$1}," in
	*",$1,"*) return 0 ;;
	esac
	return 1
}

# The boots table without its comments and blank lines.
boots() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/boots"
}

names=$(boots | awk '{ print $1 }')
for name in $(echo "${SYSTEM_ONLY:-}" | tr , ' '); do
	echo "$names" | grep -qx "$name" ||
		die "SYSTEM_ONLY=$SYSTEM_ONLY: no boot named $name in $here/boots" \
			"(boots: $(echo $names))"
done

# Every suite a boot names exists, and every suite is in some boot.
boots | while read -r name board kind timeout monitor suites qemu cmdline; do
	if [ "$suites" = host ]; then
		[ -f "$here/host/$name.sh" ] ||
			die "boot $name: its host check $here/host/$name.sh is missing"
		continue
	fi
	for suite in $(echo "$suites" | tr , ' '); do
		[ -f "$here/suites/$suite.sh" ] ||
			die "boot $name: no suite $here/suites/$suite.sh"
	done
done || exit 1
for f in "$here"/suites/*.sh; do
	suite=$(basename "$f" .sh)
	boots | awk '{ print $6 }' | tr , '\n' | grep -qx "$suite" ||
		echo "system: warning: no boot in $here/boots runs suite $suite"
done

mkdir -p "$out"
rm -f "$out/tests.cpio.gz" "$out/swupdate.cpio.gz" "$out/rpi4-tests.cpio.gz"
boots > "$out/boots.table"
while read -r name board kind timeout monitor suites qemu cmdline <&4; do
	wanted "$name" || continue
	initramfs "$kind" "$board"
	[ "$cmdline" = - ] && cmdline=
	QEMU_EXTRA=
	[ "$qemu" = - ] || QEMU_EXTRA=$(echo "$qemu" | tr ';' ' ')
	export QEMU_EXTRA
	if [ "$suites" != host ]; then
		cmdline="pinvm.test=/test/board.sh pinvm.arg=$suites${cmdline:+ $cmdline}"
	fi
	case $monitor in
	yes) boot_with_monitor "$name" "$board" "$INITRD" "$timeout" "$cmdline" ;;
	no) boot "$name" "$board" "$INITRD" "$timeout" "$cmdline" ;;
	*) die "boot $name: monitor is '$monitor', not yes or no" ;;
	esac
	if [ "$suites" = host ]; then
		. "$here/host/$name.sh"
		"check_$name"
	else
		collect "$name"
	fi
done 4< "$out/boots.table"

stripped=$out/pinvm.stripped
${CROSS_COMPILE:-aarch64-linux-gnu-}strip -o "$stripped" "$build/pinvm"
echo "METRIC: pinvm_stripped_bytes=$(wc -c < "$stripped")"
echo "system: $passed passed, $failed failed"
[ $failed -eq 0 ]
