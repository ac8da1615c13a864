#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside the emulated board: the link benchmark. ROUNDS rounds, each
# running both doorbell paths once, in alternating order: g1 (core 1)
# pings g3 (core 3) through a pinvm,shmem link, round trips then a
# one-way stream (test/guests/shmem.c, ROLE 3 and 4):
#   kernel  the doorbell register: KVM's ioeventfd in the writer's VM,
#           the peer's irqfd; no exit
#   relay   the RELAY register: an MMIO exit, pinvm's vCPU thread writes
#           the peer's irqfd eventfd
# Prints "SHMEM-RUN ROUND path=... key=value..." per run (the guest's
# BENCH-SHMEM lines and the exits pinvm served for g1's register page,
# from the status file), "SHMEM-FAIL why" when a run did not finish.
#   board-shmem.sh ROUNDS
rounds=${1:-3}
status=/tmp/shmem-bench.status

run() {
	rm -f /tmp/shmem-bench.out "$status"
	pinvm -p "/test/bench-shmem-$1.dtb" -i /test/guests -s "$status" \
		> /tmp/shmem-bench.out 2> /tmp/shmem-bench.err &
	pid=$!
	n=0
	until grep -qs "oneway_msgs_per_s" /tmp/shmem-bench.out; do
		n=$((n + 1))
		if [ $n -gt 600 ] || ! kill -0 $pid 2>/dev/null; then
			echo "SHMEM-FAIL $1 round $2: $(tail -n 3 /tmp/shmem-bench.out /tmp/shmem-bench.err | tr '\n' ' ')"
			kill -INT $pid 2>/dev/null
			wait $pid
			return
		fi
		sleep 0.2
	done
	# The status file is rewritten every second.
	sleep 1.5
	exits=$(sed -n 's/^region guest=g1 .* base=0x50000000 .* writes=\([0-9]*\).*/\1/p' "$status")
	kill -INT $pid
	wait $pid
	sed -n 's/.*BENCH-SHMEM: /SHMEM-RUN '"$2"' /p' /tmp/shmem-bench.out |
		sed "s/\$/ g1_exits=$exits/"
}

i=1
while [ $i -le "$rounds" ]; do
	if [ $((i % 2)) = 1 ]; then order="kernel relay"; else order="relay kernel"; fi
	for path in $order; do
		run $path $i
	done
	i=$((i + 1))
done
echo "BOARD-TESTS-DONE"
