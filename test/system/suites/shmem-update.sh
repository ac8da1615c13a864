#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A linked guest field-updated mid-stream (shmem-update.dts): g1 sends g3
# the 10,000 checksummed messages of the shmem suite; g3 is firmware 1.0,
# a receiver slowed to 2 ms a message. At message 1000 g3 gets version 2.0
# through `pinvm update`: g1 sees it go down and up, 2.0 takes the stream
# up from the kept window where 1.0 left it, reports health and is
# committed; nothing is lost, and neither g1 nor g2 restarts.
. /test/lib.sh

OUT=/tmp/shmem-update.out

g3_committed() {
	[ "$(update_of g3 slot):$(update_of g3 version):$(update_of g3 result)" = \
		b:2.0:committed ]
}

rm -rf /var/lib/pinvm
rm -f /run/pinvm/status
start shmem-update
expect "shmem-update: g3 boots firmware 1.0 from slot a" "$(tail -n 3 $OUT /tmp/shmem-update.err)" \
	wait_for $OUT "\[g3\] firmware 1\.0 slot a attempt 0$" 30
expect "shmem-update: the stream runs" "$(grep 'shmem:' $OUT | tail -n 3)" \
	wait_for $OUT "\[g3\] shmem: rx at 1000$" 120
pinvm update g3 /test/bundles/shmem-rx-2.pvb > /tmp/client.out 2>&1
rc=$?
expect "shmem-update: pinvm update exits 0" "exit $rc: $(cat /tmp/client.out)" [ $rc -eq 0 ]
expect "shmem-update: the client reports the commit" "$(cat /tmp/client.out)" \
	grep -q "committed: version 2.0 reported health" /tmp/client.out
expect "shmem-update: g3 runs 2.0 from slot b" "$(grep '\[g3\] firmware' $OUT)" \
	grep -q "\[g3\] firmware 2\.0 slot b attempt 1$" $OUT
from=$(sed -n 's/.*\[g3\] shmem: rx boot 2 from \([0-9]*\)$/\1/p' $OUT)
expect "shmem-update: 2.0 takes the stream up mid-way from the kept window" \
	"$(grep '\[g3\] shmem: rx' $OUT | tail -n 4)" \
	[ "${from:-0}" -ge 1000 -a "${from:-10000}" -lt 10000 ]
expect "shmem-update: g1 sees g3 go down" "$(grep '\[g1\]' $OUT | tail -n 3)" \
	wait_for $OUT "\[g1\] shmem: peer down$" 30
expect "shmem-update: g1 sees g3 up again" "$(grep '\[g1\]' $OUT | tail -n 3)" \
	wait_for $OUT "\[g1\] shmem: peer up, ups 2$" 30
expect "shmem-update: the stream ends whole" "$(grep 'shmem:' $OUT | tail -n 5)" \
	wait_for $OUT "\[g3\] shmem: rx done 10000 errors 0 this boot $((10000 - ${from:-0}))$" 120
expect "shmem-update: g1 counted one down, two ups" "$(grep '\[g1\] shmem: tx' $OUT)" \
	wait_for $OUT "\[g1\] shmem: tx done 10000 downs 1 ups 2$" 30
expect "shmem-update: status shows g3 committed on 2.0 in slot b" "$(grep '^update' /run/pinvm/status)" \
	wait_until 3 g3_committed
for g in g1 g2; do
	expect "shmem-update: $g never restarted" \
		"resets=$(status_of $g resets), boots $(count $OUT "\[$g\] boot")" \
		[ "$(status_of $g resets)" = 0 -a "$(count $OUT "\[$g\] boot")" -eq 1 ]
done
expect "shmem-update: g2 ticked on" "ticks not 1, 2, 3, ..." ticked_on $OUT g2
r1=$(region_writes g1 0x50000000) r3=$(region_writes g3 0x60000000)
expect "shmem-update: the doorbells stayed in the kernel, before and after" \
	"register page exits g1=$r1 g3=$r3 (a STATE write a boot)" \
	[ "$r1" = 1 -a "$r3" = 2 ]
stop INT
expect "shmem-update: SIGINT exits 0" "exit status $RC" [ "$RC" -eq 0 ]
exit 0
