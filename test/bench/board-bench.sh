#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside the emulated board: the bare KVM_RUN floor, the floor with the
# device access and pinvm's trap path (and any pinvm builds under
# /test/variants/NAME/pinvm), on core 1, the same guest timing itself.
# The programs' order rotates from round to round, so none is always
# first or last. Prints per program and
# direction "BENCH-RUN <round> <program> <path> <block> <freq> <ticks>..."
# (the guest's blocks, test/guests/bench.c) for test/bench/run.sh. Then,
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

# blocks FILE PROGRAM PATH ROUND: one BENCH-RUN line from the guest's output.
blocks() {
	awk -v r="$4" -v prog="$2" -v p="bench-$3" '
		$0 ~ p ": n=" { sub(/.*freq=/, ""); freq = $1; sub(/.*block=/, ""); blk = $1 }
		$0 ~ p "-blocks:" { sub(/.*-blocks: */, ""); t = t " " $0 }
		END { if (t != "") print "BENCH-RUN", r, prog, substr(p, 7), blk, freq t }' "$1"
}

run() {
	case $1 in
	floor)
		/test/floor /test/guests/bench.bin 1 ;;
	floor+dev)
		/test/floor /test/guests/bench.bin 1 --device ;;
	floor+seccomp)
		/test/floor /test/guests/bench.bin 1 --device --seccomp-allow ;;
	floor+bpf)
		/test/floor /test/guests/bench.bin 1 --device --seccomp-min ;;
	floor+filter)
		/test/floor /test/guests/bench.bin 1 --device --filter /tmp/vcpu.bpf ;;
	pinvm)
		pinvm -p /test/bench.dtb -i /test/guests ;;
	*)
		"/test/variants/${1#pinvm-}/pinvm" -p /test/bench.dtb -i /test/guests ;;
	esac > /tmp/bench.out 2> /tmp/bench.err
	if ! grep -q "bench-read-blocks:" /tmp/bench.out; then
		echo "BENCH-FAIL $2 $1: $(tail -n 3 /tmp/bench.err | tr '\n' ' ')"
		return
	fi
	for path in write read; do
		blocks /tmp/bench.out "$1" $path "$2"
	done
}

programs="floor floor+dev pinvm"
# floor+dev under pinvm's vCPU filter, where pinvm has one: what pinvm's
# path costs beyond the filter it shares with the floor. And under the two
# filters below any real one (floor.c): what the kernel charges for being
# filtered at all, and for a filter it must run on every call.
if pinvm filter vcpu /tmp/vcpu.bpf 2> /tmp/filter.err; then
	programs="floor floor+dev floor+seccomp floor+bpf floor+filter pinvm"
else
	echo "BENCH-INFO no vCPU filter: $(cat /tmp/filter.err)"
fi
for v in /test/variants/*/pinvm; do
	[ -x "$v" ] || continue
	v=${v%/pinvm}
	programs="$programs pinvm-${v##*/}"
done

# order ROUND: $programs rotated by one more place each round, every
# other cycle reversed: over twice as many rounds as there are programs,
# each runs in every place twice, and before each other as often as after.
order() {
	echo "$programs" | awk -v r="$1" '{
		r = (r - 1) % (2 * NF)
		out = ""
		for (i = 0; i < NF; i++) {
			j = (i + r) % NF
			out = out " " (r < NF ? $(j + 1) : $(NF - j))
		}
		print substr(out, 2)
	}'
}

echo "BENCH-INFO spec_store_bypass:" \
	"$(cat /sys/devices/system/cpu/vulnerabilities/spec_store_bypass 2>&1)"
# The RTC stays off the host for the whole run, so the floor can map it.
echo 9010000.pl031 > /sys/bus/amba/drivers/rtc-pl031/unbind
i=1
while [ $i -le "$rounds" ]; do
	order=$(order $i)
	echo "BENCH-ORDER $i $order"
	for prog in $order; do
		run "$prog" $i
	done
	i=$((i + 1))
done
[ -z "$irq_n" ] || sh /test/board-irq.sh "$rounds" "$irq_n"
echo "BOARD-TESTS-DONE"
