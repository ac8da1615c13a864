#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Shared memory between guests (pinvm,shmem): g1 sends g3 10,000
# checksummed messages through a ring in their link's window, a doorbell
# each way per message, and none reaches pinvm (the kernel answers them:
# ioeventfd to irqfd). Then g3 resets at message 3000: g1 sees it go
# down and up, the stream resumes from the kept pages, g2 never notices.
. /test/lib.sh

start shmem
expect "shmem: g3 got 10000 messages, none lost or corrupted" \
	"$(grep 'shmem:' /tmp/shmem.out | tail -n 5)" \
	wait_for /tmp/shmem.out "\[g3\] shmem: rx done 10000 errors 0 this boot 10000$" 120
expect "shmem: g1 saw every message taken" "$(grep '\[g1\]' /tmp/shmem.out | tail -n 3)" \
	wait_for /tmp/shmem.out "\[g1\] shmem: tx done 10000 downs 0 ups 1$" 30
sleep 2
r1=$(region_writes g1 0x50000000) r3=$(region_writes g3 0x60000000)
w1=$(region_writes g1 0x50001000) w3=$(region_writes g3 0x60001000)
# One exit each: the STATE write saying it is up. 20,000 doorbells: none.
expect "shmem: no doorbell exits to pinvm" \
	"register page exits g1=$r1 g3=$r3 (1 each: the STATE write)" \
	[ "$r1" = 1 -a "$r3" = 1 ]
expect "shmem: no window exits" "window exits g1=$w1 g3=$w3" \
	[ "$w1" = 0 -a "$w3" = 0 ]
m1=$(status_of g1 mmio) m3=$(status_of g3 mmio)
metric shmem_g1_mmio_exits "$m1"
metric shmem_g3_mmio_exits "$m3"
expect "shmem: fewer MMIO exits than messages" "g1 $m1, g3 $m3" \
	[ "${m1:-99999}" -lt 10000 -a "${m3:-99999}" -lt 10000 ]
stop INT
expect "shmem: SIGINT exits 0" "exit status $RC" [ "$RC" -eq 0 ]

start shmem-reset
expect "shmem-reset: g3 resets mid-stream" "no reset line" \
	wait_for /tmp/shmem-reset.out "\[g3\] shmem: rx resets at 3000$" 120
expect "shmem-reset: g1 sees g3 go down" "$(grep '\[g1\]' /tmp/shmem-reset.out | tail -n 3)" \
	wait_for /tmp/shmem-reset.out "\[g1\] shmem: peer down" 30
expect "shmem-reset: g3 resumes from the kept window" \
	"$(grep '\[g3\] shmem' /tmp/shmem-reset.out | tail -n 3)" \
	wait_for /tmp/shmem-reset.out "\[g3\] shmem: rx boot 2 from 3000$" 30
expect "shmem-reset: g1 sees g3 up again" "no second up" \
	wait_for /tmp/shmem-reset.out "\[g1\] shmem: peer up, ups 2$" 30
expect "shmem-reset: the stream ends whole" \
	"$(grep 'shmem:' /tmp/shmem-reset.out | tail -n 5)" \
	wait_for /tmp/shmem-reset.out "\[g3\] shmem: rx done 10000 errors 0 this boot 7000$" 120
expect "shmem-reset: g1 counted one down, two ups" \
	"$(grep '\[g1\] shmem: tx' /tmp/shmem-reset.out)" \
	wait_for /tmp/shmem-reset.out "\[g1\] shmem: tx done 10000 downs 1 ups 2$" 30
sleep 2
expect "shmem-reset: g3 restarted once" "resets=$(status_of g3 resets)" \
	[ "$(status_of g3 resets)" = 1 ]
for g in g1 g2; do
	expect "shmem-reset: $g never restarted" \
		"resets=$(status_of $g resets), boots $(count /tmp/shmem-reset.out "\[$g\] boot")" \
		[ "$(status_of $g resets)" = 0 -a "$(count /tmp/shmem-reset.out "\[$g\] boot")" -eq 1 ]
done
expect "shmem-reset: g2 ticked on" "ticks not 1, 2, 3, ..." \
	ticked_on /tmp/shmem-reset.out g2
r3=$(region_writes g3 0x60000000)
expect "shmem-reset: g3's doorbells stayed in the kernel in its new VM" \
	"register page exits g3=$r3 (2: a STATE write a boot)" [ "$r3" = 2 ]
stop INT
expect "shmem-reset: SIGINT exits 0" "exit status $RC" [ "$RC" -eq 0 ]
exit 0
