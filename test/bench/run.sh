#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: pinvm's MMIO trap path against the bare KVM_RUN floor, on the
# emulated board in one boot (medians of alternating runs), and pinvm's
# userspace instructions per exit under callgrind on the host.
#   run.sh BUILD_DIR ROUNDS
set -eu
build=$1
rounds=${2:-5}
out=$build/bench

rm -rf "$out/overlay"
mkdir -p "$out/overlay/test/guests"
cp "$build/guests/bench.bin" "$out/overlay/test/guests/"
cp "$out/floor" "$out/bench.dtb" test/bench/board-bench.sh "$out/overlay/test/"
(cd "$out/overlay" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) \
	> "$out/overlay.cpio.gz"
cat "$build/image/initramfs.cpio.gz" "$out/overlay.cpio.gz" > "$out/bench.cpio.gz"

echo "bench: booting the board, $rounds alternating rounds"
QEMU_TIMEOUT=1200 sh board/qemu-virt/run.sh "$build/host/Image" "$out/bench.cpio.gz" \
	"quiet pinvm.test=/test/board-bench.sh pinvm.arg=$rounds" < /dev/null |
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
sh test/bench/dispatch.sh "$out/dispatch" | while read -r line; do
	echo "$line"
	n=$(echo "$line" | sed 's/.*: \([0-9]*\) instructions.*/\1/')
	[ "$n" -lt 150 ] || echo "bench: over the 150-instruction target"
done
exit $status
