#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside the emulated board: the bare KVM_RUN floor and pinvm's trap path,
# alternately, on core 1, the same guest timing itself. Prints
# "BENCH <path> <exits per second>" per run for test/bench/run.sh. Then,
# given IRQ_N, the interrupt benchmark (board-irq.sh) for as many rounds.
#   board-bench.sh ROUNDS[,IRQ_N]
rounds=${1:-5}
irq_n=
case $rounds in
*,*)
	irq_n=${rounds#*,}
	rounds=${rounds%%,*}
	;;
esac

rate() {
	sed -n "s/.*$2: n=\([0-9]*\) ticks=\([0-9]*\) freq=\([0-9]*\).*/\1 \2 \3/p" "$1" |
		awk '{ printf "%d", $1 * $3 / $2 }'
}

# The RTC stays off the host for the whole run, so the floor can map it.
echo 9010000.pl031 > /sys/bus/amba/drivers/rtc-pl031/unbind
i=1
while [ $i -le "$rounds" ]; do
	/test/floor /test/guests/bench.bin 1 > /tmp/bare.out
	/test/floor /test/guests/bench.bin 1 --device > /tmp/device.out
	pinvm -p /test/bench.dtb -i /test/guests > /tmp/pinvm.out 2> /tmp/pinvm.err
	for path in write read; do
		echo "BENCH $i $path $(rate /tmp/bare.out bench-$path)" \
			"$(rate /tmp/device.out bench-$path)" \
			"$(rate /tmp/pinvm.out bench-$path)"
	done
	i=$((i + 1))
done
[ -z "$irq_n" ] || sh /test/board-irq.sh "$rounds" "$irq_n"
echo "BOARD-TESTS-DONE"
