#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot the emulated qemu-virt board: run.sh KERNEL INITRD [EXTRA-CMDLINE]
# Environment: QEMU_CPUS, QEMU_MEMORY, QEMU_CPU (from Kconfig), QEMU_GIC
# (3 unless told), QEMU_TIMEOUT (seconds; 0 for none), QEMU_EXTRA (more
# QEMU arguments, split at spaces: a system test's devices; none unless
# told).
set -eu
kernel=$1
initrd=$2
extra=${3:-}
here=$(dirname "$0")
cmdline="$(cat "$here/cmdline") $extra"

set -- qemu-system-aarch64 \
	-machine "virt,virtualization=on,gic-version=${QEMU_GIC:-3}" \
	-accel tcg -cpu "${QEMU_CPU:-max,pauth-impdef=on}" \
	-smp "${QEMU_CPUS:-4}" -m "${QEMU_MEMORY:-1024}" \
	-nographic -no-reboot -serial mon:stdio \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
# shellcheck disable=SC2086 # one word per argument
set -- "$@" ${QEMU_EXTRA:-}

if [ "${QEMU_TIMEOUT:-0}" -gt 0 ]; then
	exec timeout --foreground -k 5 "$QEMU_TIMEOUT" "$@"
fi
exec "$@"
