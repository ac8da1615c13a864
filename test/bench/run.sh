#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: pinvm's MMIO trap path against the bare KVM_RUN floor, on the
# emulated board in one boot (medians of alternating runs), pinvm's
# userspace instructions per exit under callgrind on the host, and, in the
# same boot, the interrupt latency of pinvm's irqfd path against the host
# kernel's own handler and a userspace relay (board-irq.sh).
#   run.sh BUILD_DIR ROUNDS IRQ_N
set -eu
build=$1
rounds=${2:-5}
irq_n=${3:-40}
out=$build/bench

rm -rf "$out/overlay"
mkdir -p "$out/overlay/test/guests"
cp "$build/guests/bench.bin" "$build/guests/bench-irq.bin" \
	"$build/guests/bench-irq-relay.bin" "$out/overlay/test/guests/"
cp "$out/floor" "$out/irqnative" "$out/bench.dtb" "$out/bench-irq.dtb" \
	test/bench/board-bench.sh test/bench/board-irq.sh "$out/overlay/test/"
(cd "$out/overlay" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) \
	> "$out/overlay.cpio.gz"
cat "$build/image/initramfs.cpio.gz" "$out/overlay.cpio.gz" > "$out/bench.cpio.gz"

# The host's gpio-pl061 stays off for the whole boot: once bound, it
# leaves the PL061's parent interrupt unrequestable after an unbind, and
# the interrupt benchmark claims the PL061 through VFIO.
echo "bench: booting the board, $rounds alternating rounds"
QEMU_TIMEOUT=1800 sh board/qemu-virt/run.sh "$build/host/Image" "$out/bench.cpio.gz" \
	"quiet initcall_blacklist=pl061_gpio_driver_init pinvm.test=/test/board-bench.sh pinvm.arg=$rounds,$irq_n" < /dev/null |
	tr -d '\r' > "$out/board.log"
grep -q "^BOARD-TESTS-DONE" "$out/board.log" ||
	{ tail -n 30 "$out/board.log"; echo "bench: the board did not finish"; exit 1; }

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# column PATH N: field N of every round's line for PATH.
column() {
	awk -v p="$1" -v n="$2" '$1 == "BENCH" && $3 == p { print $n }' "$out/board.log"
}

# Ratio of fields A / B, per round, then the median: rounds pair runs
# made a few seconds apart, so drift of the machine cancels out.
ratio() {
	awk -v p="$1" -v a="$2" -v b="$3" \
		'$1 == "BENCH" && $3 == p { printf "%.3f\n", $a / $b }' "$out/board.log" |
		median
}

# samples PATH [ROUND]: that path's latencies in ns, sorted.
samples() {
	awk -v p="$1" -v r="${2:-}" \
		'$1 == "IRQ-SAMPLE" && $2 == p && (r == "" || $3 == r) { print $4 }' \
		"$out/board.log" | sort -n
}

# quantile Q: nearest rank of sorted input; "-" with none.
quantile() {
	awk -v q="$1" '{ v[NR] = $1 }
		END { if (!NR) { print "-"; exit }
		      i = int(q * NR); if (i < q * NR) i++; if (i < 1) i = 1
		      print v[i] }'
}

# The three interrupt paths side by side, with their ratios to native:
# the ratio of the whole boot's medians, and the median of the rounds'
# own ratios (each round's paths ran a few seconds apart).
irq_section() {
	echo "Interrupt latency on the emulated board, device write to the handler's first"
	echo "instruction, one boot, $rounds rounds of $irq_n interrupts per path, paths"
	echo "alternating (ns; under emulation only the ratios to native mean anything)."
	if grep -q "^IRQ-SKIP" "$out/board.log"; then
		echo "bench: interrupt section not run: $(sed -n 's/^IRQ-SKIP //p' "$out/board.log")"
		return 1
	fi
	grep "^IRQ-INFO" "$out/board.log" | sed 's/^IRQ-INFO /  /' || true
	native_p50=$(samples native | quantile 0.5)
	ok=0
	printf '%-7s %9s %9s %9s %5s %11s %11s\n' path p50 p99 max n \
		p50/native round-ratio
	for path in native irqfd relay; do
		n=$(samples $path | wc -l)
		p50=$(samples $path | quantile 0.5)
		p99=$(samples $path | quantile 0.99)
		max=$(samples $path | quantile 1)
		echo "BENCH-IRQ $path p50=$p50 p99=$p99 max=$max n=$n" >> "$out/irq.lines"
		ratio=-
		rounds_ratio=-
		if [ "$n" -gt 0 ] && [ "$native_p50" != - ]; then
			ratio=$(awk "BEGIN { printf \"%.2f\", $p50 / $native_p50 }")
			rounds_ratio=$(i=1; while [ $i -le "$rounds" ]; do
				a=$(samples $path $i | quantile 0.5)
				b=$(samples native $i | quantile 0.5)
				[ "$a" = - ] || [ "$b" = - ] ||
					awk "BEGIN { printf \"%.3f\\n\", $a / $b }"
				i=$((i + 1))
			done | median)
			rounds_ratio=$(printf '%.2f' "${rounds_ratio:-0}")
		fi
		printf '%-7s %9s %9s %9s %5s %11s %11s\n' "$path" "$p50" "$p99" \
			"$max" "$n" "$ratio" "$rounds_ratio"
		[ "$n" -ge 100 ] && ok=$((ok + 1))
	done
	echo "reference (Martins & Pinto 2023, \"Shedding Light on Static Partitioning"
	echo "Hypervisors\", ZCU104 Cortex-A53): native 222 ns; Bao 906 ns (4.1x),"
	echo "Jailhouse 1.09 us (4.9x), Xen 3.3 us (14.9x)."
	cat "$out/irq.lines"
	[ "$ok" = 3 ] || { echo "bench: an interrupt path has fewer than 100 samples"; return 1; }
}

rm -f "$out/irq.lines"
status=0
echo
echo "MMIO exits per second on the emulated board, one boot, $rounds alternating rounds (medians)."
echo "floor: bare KVM_RUN loop; floor+dev: the same plus the one device access."
printf '%-6s %10s %10s %12s %10s %14s\n' path floor pinvm pinvm/floor \
	floor+dev pinvm/floor+dev
for path in write read; do
	bare=$(column $path 4 | median)
	device=$(column $path 5 | median)
	pinvm=$(column $path 6 | median)
	r_bare=$(ratio $path 6 4)
	r_dev=$(ratio $path 6 5)
	printf '%-6s %10s %10s %12s %10s %14s\n' "$path" "$bare" "$pinvm" \
		"$r_bare" "$device" "$r_dev"
	awk "BEGIN { exit !($r_bare >= 0.95) }" ||
		{ echo "bench: $path: pinvm below 0.95x the floor"; status=1; }
done
echo
irq_section || status=1
echo
sh test/bench/dispatch.sh "$out/dispatch" | while read -r line; do
	echo "$line"
	n=$(echo "$line" | sed 's/.*: \([0-9]*\) instructions.*/\1/')
	[ "$n" -lt 150 ] || echo "bench: over the 150-instruction target"
done
sh test/bench/startup.sh "$build" "${STARTUP_ROUNDS:-24}" || status=1
exit $status
