#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A Linux guest and a bare-metal guest on one pinvm,shmem link: stock
# uio_pdrv_genirq (of_id=generic-uio, built for the guest's kernel by
# build-modules.sh) binds the node pinvm wrote; /bin/shmem-uio mmaps
# /dev/uio0, sends 200 requests and checks each reply from g3, waiting for
# the doorbell with read(): messages both ways, doorbells in the kernel.
# When Linux powers off, g3 sees it go down.
. /test/lib.sh

region_writes() {
	sed -n "s/^region guest=$1 .* base=$2 .* writes=\([0-9]*\).*/\1/p" \
		/tmp/lshmem.status
}

test_linux_shmem() {
	pinvm_start lshmem linux-shmem -t -s /tmp/lshmem.status
	expect "linux shmem: uio_pdrv_genirq binds the link" \
		"$(grep -E 'uio|init|insmod' /tmp/lshmem.out | tail -n 3)" \
		wait_for /tmp/lshmem.out "linux-guest: uio0 name=shmem map0=0x0*50000000\+0x0*11000" 300
	expect "linux shmem: the Linux guest sees g3 up" \
		"$(grep 'shmem' /tmp/lshmem.out | tail -n 3)" \
		wait_for /tmp/lshmem.out "linux-guest: shmem-uio: peer up" 60
	expect "linux shmem: 200 requests and replies, all intact" \
		"$(grep 'shmem' /tmp/lshmem.out | tail -n 3)" \
		wait_for /tmp/lshmem.out "linux-guest: shmem-uio: done 200 replies, bad 0" 120
	expect "linux shmem: g3 answered them" "$(grep '\[g3\]' /tmp/lshmem.out | tail -n 2)" \
		grep -q "\[g3\] shmem: echoed 200" /tmp/lshmem.out
	expect "linux shmem: the doorbell is the guest's interrupt" \
		"$(grep 'interrupts:' /tmp/lshmem.out)" \
		grep -Eq "linux-guest: interrupts: .* [1-9][0-9]+ .*shmem" /tmp/lshmem.out
	expect "linux shmem: g1 powers off" "$(tail -n 2 /tmp/lshmem.err)" \
		wait_for /tmp/lshmem.err "g1: powered off" 60
	# Its end is a change of state g3 is told of, on its doorbell SPI.
	expect "linux shmem: g3 sees g1 go down when it stops" \
		"$(grep '\[g3\] shmem: peer' /tmp/lshmem.out)" \
		wait_for /tmp/lshmem.out "\[g3\] shmem: peer down$" 30
	sleep 2
	r1=$(region_writes g1 0x50000000) r3=$(region_writes g3 0x60000000)
	expect "linux shmem: no doorbell exits to pinvm" \
		"register page exits g1=$r1 g3=$r3 (1 each: the STATE write)" \
		[ "$r1" = 1 -a "$r3" = 1 ]
	stop TERM
}

test_linux_shmem
exit 0
