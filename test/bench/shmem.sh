#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench's link section (make bench-shmem alone): in one boot of the
# emulated board, two bare-metal guests ping-pong through a pinvm,shmem
# link (test/bench/board-shmem.sh), the doorbell in the kernel against
# the same doorbell relayed by pinvm's userspace; then the medians over
# the rounds of each run's round-trip median and p99 (the guest's virtual
# counter, in µs) and one-way messages per second, and the ratios. Exits 1
# when a run failed, or a kernel-path doorbell reached pinvm.
#   shmem.sh BUILD_DIR [ROUNDS]
set -eu
build=$1
rounds=${2:-3}
out=$build/bench/shmem-boot

rm -rf "$out"
mkdir -p "$out/overlay/test/guests"
for g in shmem-ping shmem-pong shmem-ping-relay shmem-pong-relay; do
	cp "$build/guests/$g.bin" "$out/overlay/test/guests/"
done
cp "$build/bench/bench-shmem-kernel.dtb" "$build/bench/bench-shmem-relay.dtb" \
	test/bench/board-shmem.sh "$out/overlay/test/"
(cd "$out/overlay" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) \
	> "$out/overlay.cpio.gz"
cat "$build/image/initramfs.cpio.gz" "$out/overlay.cpio.gz" > "$out/shmem.cpio.gz"

echo
echo "bench: link: booting the board, $rounds rounds"
QEMU_TIMEOUT=900 sh board/qemu-virt/run.sh "$build/host/Image" "$out/shmem.cpio.gz" \
	"quiet pinvm.test=/test/board-shmem.sh pinvm.arg=$rounds" < /dev/null |
	tr -d '\r' > "$out/board.log"
grep -q "^BOARD-TESTS-DONE" "$out/board.log" ||
	{ tail -n 30 "$out/board.log"; echo "bench: link: the board did not finish"; exit 1; }

# value PATH KEY: KEY's value in every run of PATH, one a line.
value() {
	awk -v p="path=$1" -v k="$2" '$1 == "SHMEM-RUN" && $3 == p {
		for (i = 4; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2)
	}' "$out/board.log"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'
}

echo "Guest-to-guest link on the emulated board, one boot, $rounds rounds, paths"
echo "alternating: g1 (core 1) and g3 (core 3), bare metal, a 64 KiB window."
echo "Round trip: g1 rings, g3 rings back ($(value kernel rounds | head -n 1) a run; µs on the"
echo "guest's counter). One way: $(value kernel msgs | head -n 1) messages of" \
	"$(value kernel bytes | head -n 1) bytes through a ring, a doorbell"
echo "each way per message. Medians over the rounds; exits: pinvm's for g1's register page."
printf '%-7s %10s %10s %13s %7s\n' path rtt-p50 rtt-p99 oneway-msg/s exits
fail=0
for path in kernel relay; do
	p50=$(value $path rtt_median_us | median)
	p99=$(value $path rtt_p99_us | median)
	rate=$(value $path oneway_msgs_per_s | median)
	exits=$(value $path g1_exits | median)
	printf '%-7s %10s %10s %13s %7s\n' $path "$p50" "$p99" "$rate" "$exits"
	echo "BENCH-SHMEM $path rtt_p50_us=$p50 rtt_p99_us=$p99 oneway_msgs_per_s=$rate exits=$exits" \
		>> "$out/summary"
	[ "$p50" != - ] || fail=1
done
k50=$(value kernel rtt_median_us | median) r50=$(value relay rtt_median_us | median)
krate=$(value kernel oneway_msgs_per_s | median) rrate=$(value relay oneway_msgs_per_s | median)
if [ "$k50" != - ] && [ "$r50" != - ]; then
	echo "relay/kernel: round trip $(awk "BEGIN { printf \"%.2f\", $r50 / $k50 }")x," \
		"one-way rate kernel/relay $(awk "BEGIN { printf \"%.2f\", $krate / $rrate }")x"
fi
if grep -q "^SHMEM-FAIL" "$out/board.log"; then
	sed -n 's/^SHMEM-FAIL /bench: link: a run failed: /p' "$out/board.log"
	fail=1
fi
# The kernel path's one exit is g1's STATE write; any more is a doorbell.
for e in $(value kernel g1_exits); do
	[ "$e" = 1 ] || { echo "bench: link: $e exits on the kernel path (1 expected: the STATE write)"; fail=1; }
done
cat "$out/summary"
exit $fail
