#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A virtio-mmio transport (QEMU's virtio-net-device, at 0x0a003e00) passed
# through to a bare-metal guest through VFIO (vfio-platform) in trap mode:
# VFIO will not mmap its 0x200 bytes, so each access is a pread/pwrite of
# its width. The guest reads the device's identity, brings it to DRIVER_OK
# without a virtqueue (nothing may DMA: no IOMMU), and takes the
# configuration-change interrupt (SPI 47, edge) QEMU raises when the link
# goes off and on again (`set_link n0 off|on` on the QEMU monitor, typed by
# test/system/run.sh when this prints NEED-MONITOR). Direct mode is
# refused on it.
. /test/lib.sh

VIRTIO=a003e00.virtio_mmio
VIRTIO_HW=79			# GIC INTID: SPI 47

test_irq_virtio() {
	before=$(driver_of platform $VIRTIO)
	base=$(irq_count $VIRTIO_HW)
	pinvm_start virtio irq-virtio -s /tmp/virtio.status
	expect_vfio_claim "irq virtio" virtio /pinvm/g1/virtio $VIRTIO vfio-platform 47 edge
	expect "irq virtio: vfio-platform holds it while pinvm runs" "driver $(driver_of platform $VIRTIO)" \
		[ "$(driver_of platform $VIRTIO)" = vfio-platform ]
	expect "irq virtio: the guest reads a virtio-net device" "$(grep '\[g1\]' /tmp/virtio.out)" \
		wait_for /tmp/virtio.out "\[g1\] virtio magic=0x74726976 version=0x0000000[12] device=0x00000001 vendor=0x554d4551" 30
	expect "irq virtio: the device reached DRIVER_OK, link up" "$(grep '\[g1\]' /tmp/virtio.out)" \
		wait_for /tmp/virtio.out "\[g1\] virtio status=0x0000000f link=1" 10
	expect "irq virtio: the guest waits" "$(grep '\[g1\]' /tmp/virtio.out)" \
		wait_for /tmp/virtio.out "\[g1\] virtio-wait-irq" 10
	expect "irq virtio: SPI 47 is edge in the guest's GIC" "$(grep 'virtio spi' /tmp/virtio.out)" \
		grep -q "\[g1\] virtio spi 47 trigger edge" /tmp/virtio.out
	echo "NEED-MONITOR: set_link n0 off"
	expect "irq virtio: link off: a config interrupt" "$(grep '\[g1\]' /tmp/virtio.out | tail -n 2)" \
		wait_for /tmp/virtio.out "\[g1\] virtio-irq 1 isr=0x0[23] link=0 after=0x00" 60
	echo "NEED-MONITOR: set_link n0 on"
	expect "irq virtio: link on: another" "$(grep '\[g1\]' /tmp/virtio.out | tail -n 2)" \
		wait_for /tmp/virtio.out "\[g1\] virtio-irq 2 isr=0x0[23] link=1 after=0x00" 60
	expect "irq virtio: the guest is done" "$(grep '\[g1\]' /tmp/virtio.out | tail -n 2)" \
		wait_for /tmp/virtio.out "\[g1\] virtio done 2" 10
	sleep 1.5
	s=/tmp/virtio.status
	expect_irq_counted "irq virtio" "$base" $VIRTIO_HW 2 /pinvm/g1/virtio edge $s
	expect "irq virtio: trapped accesses, counted" "$(grep 'region guest=g1' $s)" \
		grep -q "region guest=g1 name=/pinvm/g1/virtio base=0xa003e00 size=0x200 mode=trap reads=[1-9]" $s
	stop TERM
	expect "irq virtio: pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
	expect "irq virtio: the transport back with its driver" "driver $(driver_of platform $VIRTIO), was $before" \
		wait_until 5 [ "$(driver_of platform $VIRTIO)" = "$before" ]
}

# Direct mode needs a mapping VFIO will not give for 0x200 bytes.
test_irq_virtio_direct() {
	pinvm -p "$P/irq-virtio-direct.dtb" -i "$G" > /tmp/vdirect.out 2> /tmp/vdirect.err
	rc=$?
	expect "irq virtio direct: refused, naming node and mode" "exit $rc: $(cat /tmp/vdirect.err)" \
		error_line /tmp/vdirect.err ".*/pinvm/g1/virtio: mode: " direct
	expect "irq virtio direct: says why (mmap)" "$(cat /tmp/vdirect.err)" \
		grep -qE "mmap|page-aligned" /tmp/vdirect.err
	expect "irq virtio direct: exit status" "exit $rc" [ $rc -ne 0 ]
	expect "irq virtio direct: no guest ran" "$(cat /tmp/vdirect.out)" [ ! -s /tmp/vdirect.out ]
	expect "irq virtio direct: the transport keeps its driver" "driver $(driver_of platform $VIRTIO)" \
		[ "$(driver_of platform $VIRTIO)" = "$before" ]
}

test_irq_virtio
test_irq_virtio_direct
exit 0
