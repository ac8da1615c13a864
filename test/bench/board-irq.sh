#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside the emulated board: the interrupt benchmark. ROUNDS rounds, each
# running the three paths once, in an order that rotates from round to
# round, every path taking N interrupts of the board's PL061 raised from
# core 1 (the interrupt itself goes to core 0, as all host IRQs do here):
#   native  the host kernel's handler (test/bench/irqnative.c, tracefs)
#   irqfd   pinvm, VFIO eventfd -> KVM irqfd -> vGIC (test/bench/bench-irq.dts)
#   relay   floor --relay: a VMM thread on core 0 reads the eventfd and
#           calls KVM_IRQ_LINE (test/bench/floor.c)
# Needs the PL061's host driver off (initcall_blacklist=pl061_gpio_driver_init)
# and VFIO no-IOMMU with vfio-amba. Prints "IRQ-SAMPLE <path> <round> <ns>"
# per interrupt for test/bench/run.sh, "IRQ-INFO ..." about the run, and
# "IRQ-SKIP why" when it cannot run.
#   board-irq.sh ROUNDS N
rounds=${1:-5}
n=${2:-40}
pl061=/sys/bus/amba/devices/9030000.pl061

skip() {
	echo "IRQ-SKIP $*"
	exit 0
}

[ -e /dev/vfio/vfio ] || skip "no /dev/vfio/vfio (VFIO not loaded)"
[ -d /sys/bus/amba/drivers/vfio-amba ] || skip "no vfio-amba driver"
[ -e "$pl061/driver" ] && skip "9030000.pl061 is bound to" \
	"$(basename "$(readlink "$pl061/driver")")" \
	"(boot with initcall_blacklist=pl061_gpio_driver_init)"
grep -q " /sys/kernel/tracing " /proc/mounts ||
	mount -t tracefs tracefs /sys/kernel/tracing

# ticks FILE: the guest's "irq-ticks T" lines in ns, at its "freq=F".
ticks() {
	awk '/bench-irq: freq=/ { sub(/.*freq=/, ""); f = $1 }
	     /irq-ticks / { sub(/.*irq-ticks /, ""); printf "%d\n", $1 * 1e9 / f }' "$1"
}

# note PATH ROUND FILE...: say what a path printed besides its samples,
# on its first round and whenever it took fewer interrupts than asked.
note() {
	path=$1
	round=$2
	got=$3
	shift 3
	[ "$round" = 1 ] || [ "$got" -lt "$n" ] || return 0
	cat "$@" | grep -v "irq-ticks \|^irq-ns " | sed "s/^/IRQ-INFO $path $round: /"
}

native() {
	/test/irqnative "$n" 1 > /tmp/native.out 2> /tmp/native.err
	sed -n "s/^irq-ns /IRQ-SAMPLE native $1 /p" /tmp/native.out > /tmp/samples
	note native "$1" "$(wc -l < /tmp/samples)" /tmp/native.out /tmp/native.err
	cat /tmp/samples
}

irqfd() {
	pinvm -p /test/bench-irq.dtb -i /test/guests > /tmp/irqfd.out 2> /tmp/irqfd.err
	ticks /tmp/irqfd.out | sed "s/^/IRQ-SAMPLE irqfd $1 /" > /tmp/samples
	note irqfd "$1" "$(wc -l < /tmp/samples)" /tmp/irqfd.out /tmp/irqfd.err
	cat /tmp/samples
}

relay() {
	/test/floor /test/guests/bench-irq-relay.bin 1 --relay 0 \
		> /tmp/relay.out 2> /tmp/relay.err
	ticks /tmp/relay.out | sed "s/^/IRQ-SAMPLE relay $1 /" > /tmp/samples
	note relay "$1" "$(wc -l < /tmp/samples)" /tmp/relay.out /tmp/relay.err
	cat /tmp/samples
}

i=1
while [ "$i" -le "$rounds" ]; do
	case $((i % 3)) in
	1) order="native irqfd relay" ;;
	2) order="irqfd relay native" ;;
	0) order="relay native irqfd" ;;
	esac
	for path in $order; do
		$path "$i"
	done
	i=$((i + 1))
done
