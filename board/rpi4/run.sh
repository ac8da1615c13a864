#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot the emulated Raspberry Pi 4 (QEMU 10's -machine raspi4b):
#   run.sh KERNEL DTB INITRD [EXTRA-CMDLINE]
# DTB is the kernel package's bcm2711-rpi-4-b.dtb after pi4-dtb.sh.
# Environment:
#   QEMU10_DIR      fetch-qemu.sh's OUTDIR (required: the system's QEMU
#                   7.2 has no raspi4b)
#   QEMU_TIMEOUT    seconds before QEMU is ended as hung (0: never; 120
#                   unless told, since a panic here never ends by itself)
#   QEMU_END_MARKER a console line holding it ends QEMU with success
#   QEMU_EXTRA      more QEMU arguments, split at spaces
# The console is passed through to stdout unchanged. Exit status: 0 when
# the marker, "reboot: Power down" or "reboot: System halted" was seen;
# 1 on "Kernel panic"; 124 on the timeout; 2 when QEMU ended by itself
# before any of them.
#
# raspi4b refuses any -smp but 4 and any -m but 2G. The Pi 4's device
# tree has no PSCI, so poweroff -f only halts ("reboot: System halted")
# and a panic hangs after "Reboot failed -- System halted" whatever
# panic= says: QEMU never exits by itself, so this script watches the
# console and ends it. The host command line is board/rpi4/cmdline's
# with the console on the PL011 (QEMU's first -serial; ttyAMA0) and an
# earlycon on it, without which a panic before the console driver
# (e.g. a device tree node QEMU lacks) prints nothing and only the
# timeout ends the boot.
set -eu
kernel=$1
dtb=$2
initrd=$3
extra=${4:-}
here=$(dirname "$0")
cmdline="$(cat "$here/emulated-cmdline") $extra"
q=${QEMU10_DIR:?set QEMU10_DIR to fetch-qemu.sh OUTDIR}/root/usr
timeout=${QEMU_TIMEOUT:-120}

tmp=$(mktemp -d)
qpid=
wpid=
# shellcheck disable=SC2317 # run by the EXIT trap
finish() {
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
	[ -z "$wpid" ] || kill "$wpid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap finish EXIT
trap 'exit 130' INT TERM HUP
mkfifo "$tmp/console" "$tmp/watch"

# Its modules, not those of the system QEMU, which refuse to load.
export QEMU_MODULE_DIR="$q/lib/x86_64-linux-gnu/qemu"
set -- "$q/bin/qemu-system-aarch64" -L "$q/share/qemu" \
	-machine raspi4b -smp 4 -m 2G \
	-nographic -no-reboot -serial mon:stdio \
	-kernel "$kernel" -dtb "$dtb" -initrd "$initrd" -append "$cmdline"
# shellcheck disable=SC2086 # one word per argument
set -- "$@" ${QEMU_EXTRA:-}

# In the background but with the terminal as stdin, so that mon:stdio
# still takes keys (a non-interactive shell would give it /dev/null).
"$@" <&0 >"$tmp/console" &
qpid=$!
if [ "$timeout" -gt 0 ]; then
	# Its sleep dies with it rather than running out after us.
	(
		sleep "$timeout" &
		s=$!
		trap 'kill $s; exit' TERM
		wait $s && : > "$tmp/timedout" && kill "$qpid"
	) >/dev/null 2>&1 &
	wpid=$!
fi

# watch: read the console's copy by lines, write the verdict and end
# QEMU: at once for the marker or a halt, 3 s after a panic so that its
# trace still shows. It reads on to the end, so tee never meets a closed
# pipe. The shell's read, not awk: mawk waits for a full buffer from a
# pipe, which a hung board never sends.
watch() {
	# Unset, the marker is a control character no console line holds.
	marker=${QEMU_END_MARKER:-$(printf '\001')}
	while IFS= read -r line; do
		case $line in
		*"$marker"*)
			verdict=marker ;;
		*"reboot: Power down"* | *"reboot: System halted"*)
			verdict=halt ;;
		*"Kernel panic"*)
			verdict=panic ;;
		*)
			continue ;;
		esac
		echo "$verdict" > "$tmp/verdict"
		if [ "$verdict" = panic ]; then
			(sleep 3; kill "$qpid") >/dev/null 2>&1 &
		else
			kill "$qpid" 2>/dev/null
		fi
		break
	done
	cat >/dev/null
}

# tee passes QEMU's bytes on to our stdout as they come (prompts without
# a newline too) and a copy to watch. Not tee /dev/fd/N: a log file
# opened anew that way is truncated and written at its own offset.
watch < "$tmp/watch" &
vpid=$!
tee "$tmp/watch" < "$tmp/console"
wait "$vpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
qpid=
case $(cat "$tmp/verdict" 2>/dev/null) in
marker | halt) exit 0 ;;
panic) exit 1 ;;
esac
if [ -e "$tmp/timedout" ]; then
	echo "run.sh: no end of the boot in $timeout s" >&2
	exit 124
fi
echo "run.sh: QEMU ended before the boot did" >&2
exit 2
