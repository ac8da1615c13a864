#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench's start-up section (make bench-startup alone): in one boot of
# the emulated board with 8 cores, the bare floor, the floor with pinvm's
# VM shape (built on the main thread, and on the guest's core) and pinvm
# with 1, 3 and 7 guests, alternating
# (test/bench/board-startup.sh); then the medians, the per-round ratios,
# the goals of issue 16 and METRIC lines. Exits 1 when a goal is missed
# or the measurement failed.
#   startup.sh BUILD_DIR [ROUNDS]
set -eu
build=$1
rounds=${2:-24}
out=$build/bench/startup-boot
started=$(date +%s)
programs="floor shape shape-core shape-3 shape-7 pinvm-1 pinvm-3 pinvm-7"

rm -rf "$out"
mkdir -p "$out/overlay/test/startup-images"
cp "$build/bench/startup-guest.bin" "$build/bench/startup-1.dtb" \
	"$build/bench/startup-3.dtb" "$build/bench/startup-7.dtb" \
	"$out/overlay/test/startup-images/"
cp "$build/bench/floor" "$build/bench/startup" test/bench/board-startup.sh \
	test/bench/startup-trace.awk "$out/overlay/test/"
(cd "$out/overlay" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) \
	> "$out/overlay.cpio.gz"
cat "$build/image/initramfs.cpio.gz" "$out/overlay.cpio.gz" > "$out/startup.cpio.gz"

echo
echo "bench: start-up: booting the board with 8 cores, $rounds rounds"
QEMU_CPUS=8 QEMU_TIMEOUT=900 sh board/qemu-virt/run.sh "$build/host/Image" \
	"$out/startup.cpio.gz" \
	"quiet pinvm.test=/test/board-startup.sh pinvm.arg=$rounds" < /dev/null |
	tr -d '\r' > "$out/board.log"
grep -q "^BOARD-TESTS-DONE" "$out/board.log" ||
	{ tail -n 30 "$out/board.log"; echo "bench: start-up: the board did not finish"; exit 1; }
if grep -q "^STARTUP-SKIP" "$out/board.log"; then
	echo "bench: start-up section not run: $(sed -n 's/^STARTUP-SKIP //p' "$out/board.log")"
	exit 1
fi
# Round 0 warmed the board up: it is not counted.
awk '$1 == "STARTUP" && $2 > 0' "$out/board.log" > "$out/runs"

median() {
	sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'
}

# field PROGRAM N: field N of every counted run of PROGRAM, "-" left out.
field() {
	awk -v p="$1" -v n="$2" '$3 == p && $n != "-" { print $n }' "$out/runs"
}

ms() {
	[ "$1" = - ] && { echo -; return; }
	awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }'
}

# rss_of PROGRAM: the median of its sampled peaks (board-startup.sh).
rss_of() {
	awk -v p="$1" '$1 == "STARTUP-RSS-RUN" && $2 == p && $4 == 0 { print $3 }' \
		"$out/board.log" | median
}

# ratios A FA B FB: per round, field FA of A over field FB of B.
ratios() {
	awk -v a="$1" -v fa="$2" -v b="$3" -v fb="$4" '
		$3 == a && $fa != "-" { x[$2] = $fa }
		$3 == b && $fb != "-" { y[$2] = $fb }
		END { for (r in x) if ((r in y) && y[r] > 0) printf "%s %.3f\n", r, x[r] / y[r] }' \
		"$out/runs" | sort -n
}

# spread: "min-max" of the ratios on stdin.
spread() {
	sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print NR ? lo "-" hi : "-" }'
}

# quartiles: "q1-q3" of the ratios on stdin (nearest rank).
quartiles() {
	sort -n | awk '{ v[NR] = $1 }
		END { if (!NR) { print "-"; exit }
		      a = int((NR + 3) / 4); b = int((3 * NR + 3) / 4)
		      print v[a] "-" v[b] }'
}

failed=0
grep "^STARTUP-INFO" "$out/board.log" | sed 's/^STARTUP-INFO /  /'
if grep "^STARTUP-FAIL" "$out/board.log"; then
	failed=1
fi
echo
echo "Start-up on the emulated board (8 cores), one boot, $rounds rounds, programs"
echo "alternating, order rotated each round; medians, ms (RSS: KiB, the peak of"
echo "three untimed runs sampled every ms from smaps_rollup). Every"
echo "program runs the same 20-byte guest that powers off at once, 2 MiB of RAM each."
printf '%-10s %4s %10s %12s %12s %10s %10s %8s\n' program n fork-exec \
	exec-first exec-all whole teardown rss
for p in $programs; do
	n=$(awk -v p="$p" '$3 == p && $11 == 0 && $4 == $5' "$out/runs" | wc -l)
	[ "$n" -ge "$rounds" ] || failed=1
	first=$(field "$p" 6 | median)
	all=$(field "$p" 7 | median)
	whole=$(field "$p" 8 | median)
	teardown=$(field "$p" 9 | median)
	rss=$(rss_of "$p")
	exec=$(field "$p" 12 | median)
	printf '%-10s %4s %10s %12s %12s %10s %10s %8s\n' "$p" "$n" "$(ms "$exec")" \
		"$(ms "$first")" "$(ms "$all")" "$(ms "$whole")" "$(ms "$teardown")" \
		"$rss"
	key=$(echo "$p" | tr -d -)
	{
		echo "METRIC: startup_${key}_first_ms=$(ms "$first")"
		echo "METRIC: startup_${key}_all_ms=$(ms "$all")"
		echo "METRIC: startup_${key}_whole_ms=$(ms "$whole")"
		echo "METRIC: startup_${key}_teardown_ms=$(ms "$teardown")"
		echo "METRIC: startup_${key}_rss_kib=$rss"
	} >> "$out/metrics"
done
[ "$failed" = 0 ] || echo "bench: start-up: some runs failed or lack guest entries (see $out/board.log)"

ratios pinvm-1 6 shape 6 > "$out/r-first"
ratios pinvm-1 6 shape-core 6 > "$out/r-firstcore"
ratios pinvm-3 7 pinvm-1 7 > "$out/r-all3"
ratios pinvm-7 7 pinvm-1 7 > "$out/r-all7"
ratios shape-3 7 shape 7 > "$out/r-shape3"
ratios shape-7 7 shape 7 > "$out/r-shape7"
# The per-round ratios' files, in the table's column order.
columns="r-first r-firstcore r-all3 r-all7 r-shape3 r-shape7"
# shellcheck disable=SC2086 # one word a file
set -- $columns
echo
echo "Per round, in the same round: pinvm-1 first entry / shape first entry, and /"
echo "shape-core's (the shape populating its RAM on the guest's core, as pinvm must); pinvm-3"
echo "and pinvm-7 all entered / pinvm-1 all entered; shape-3 and shape-7 (as many"
echo "VMs of the same shape, built, then run at once) all entered / shape: how the"
echo "machine itself grows with the guests (its 8 cores run on the host's few)."
printf '%5s %12s %12s %12s %12s %12s %12s\n' round 1/shape 1/core 3/1 7/1 s3/s s7/s
(cd "$out" && awk '{ v[FILENAME, $1] = $2; if ($1 > last) last = $1 }
	END { for (r = 1; r <= last; r++)
		printf "%5s %12s %12s %12s %12s %12s %12s\n", r, v[ARGV[1], r],
			v[ARGV[2], r], v[ARGV[3], r], v[ARGV[4], r], v[ARGV[5], r],
			v[ARGV[6], r] }' "$@")
# row NAME FILTER: one summary row, FILTER (median, quartiles, spread) of
# each ratio's column.
row() {
	printf '%5s' "$1"
	for f in $columns; do
		printf ' %12s' "$(cut -d' ' -f2 "$out/$f" | $2)"
	done
	echo
}
row median median
row q1-q3 quartiles
row range spread
r_first=$(cut -d' ' -f2 "$out/r-first" | median)
r_firstcore=$(cut -d' ' -f2 "$out/r-firstcore" | median)
r_all3=$(cut -d' ' -f2 "$out/r-all3" | median)
r_all7=$(cut -d' ' -f2 "$out/r-all7" | median)
r_shape3=$(cut -d' ' -f2 "$out/r-shape3" | median)
r_shape7=$(cut -d' ' -f2 "$out/r-shape7" | median)

# RSS beyond guest RAM (2048 KiB a guest): for one guest, and per guest
# beyond the first.
rss_pinvm1=$(rss_of pinvm-1)
rss_pinvm3=$(rss_of pinvm-3)
rss_pinvm7=$(rss_of pinvm-7)
rss_shape=$(rss_of shape)
extra1=$(awk -v a="$rss_pinvm1" 'BEGIN { print a - 2048 }')
extra3=$(awk -v a="$rss_pinvm3" -v b="$rss_pinvm1" 'BEGIN { printf "%.0f", (a - b - 2 * 2048) / 2 }')
extra7=$(awk -v a="$rss_pinvm7" -v b="$rss_pinvm1" 'BEGIN { printf "%.0f", (a - b - 6 * 2048) / 6 }')
echo
echo "pinvm's peak RSS beyond guest RAM: $extra1 KiB with one guest; per further guest" \
	"$extra3 KiB (3 guests), $extra7 KiB (7 guests); shape's: $(awk -v a="$rss_shape" 'BEGIN { print a - 2048 }') KiB."
{
	echo "METRIC: startup_first_pinvm1_over_shape=$r_first"
	echo "METRIC: startup_first_pinvm1_over_shapecore=$r_firstcore"
	echo "METRIC: startup_all_pinvm3_over_pinvm1=$r_all3"
	echo "METRIC: startup_all_pinvm7_over_pinvm1=$r_all7"
	echo "METRIC: startup_all_shape3_over_shape=$r_shape3"
	echo "METRIC: startup_all_shape7_over_shape=$r_shape7"
	echo "METRIC: startup_rss_beyond_ram_1_kib=$extra1"
	echo "METRIC: startup_rss_per_further_guest_3_kib=$extra3"
	echo "METRIC: startup_rss_per_further_guest_7_kib=$extra7"
} >> "$out/metrics"

# goal WHAT VALUE LIMIT: met when VALUE <= LIMIT.
goal() {
	if [ "$2" != - ] && awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then
		echo "goal met:    $1: $2 (at most $3)"
	else
		echo "goal missed: $1: $2 (at most $3)"
		failed=1
	fi
}
echo
goal "exec -> first entry, pinvm-1 / shape (median of rounds)" "$r_first" 1.1
goal "exec -> all entered, pinvm-3 / pinvm-1 (median of rounds)" "$r_all3" 1.2
goal "exec -> all entered, pinvm-7 / pinvm-1 (median of rounds)" "$r_all7" 1.2
goal "peak RSS beyond guest RAM, one guest (KiB)" "$extra1" 1024
goal "peak RSS per further guest, 3 guests (KiB)" "$extra3" 256
goal "peak RSS per further guest, 7 guests (KiB)" "$extra7" 256
echo "beside the goals: exec -> first entry, pinvm-1 / shape-core (median of rounds): $r_firstcore"
echo "  (the shape populating its RAM on the guest's core, as the goals require of pinvm)"
cat "$out/metrics"
echo "METRIC: startup_section_seconds=$(($(date +%s) - started))"
exit $failed
