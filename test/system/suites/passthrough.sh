#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Passthrough on the board's real fw_cfg, PL031 and PL061: the modules
# for VFIO loaded at boot, the byte order matrix, claiming the PL031 from its host driver, every refusal, direct
# mode, /dev/mem refused. Host-side readings use busybox devmem while
# pinvm holds the devices (no host driver bound then).
. /test/lib.sh

RTC_SYS=/sys/bus/amba/devices/9010000.pl031

# The image's modules for VFIO no-IOMMU (rootfs/etc/init.d/S10modules):
# every one of modules.load loaded, and the drivers they register.
test_modules() {
	list=/lib/modules/$(uname -r)/pinvm/modules.load
	expect "modules: the image lists the VFIO modules" "no $list" [ -s $list ]
	while read -r name _; do
		mod=$(echo "$name" | tr - _)
		expect "modules: $name loaded" "no /sys/module/$mod" \
			[ -d /sys/module/$mod ]
	done < $list
	expect "modules: vfio in no-IOMMU mode" "enable_unsafe_noiommu_mode not Y" \
		[ "$(cat /sys/module/vfio/parameters/enable_unsafe_noiommu_mode 2>/dev/null)" = Y ]
	for drv in amba/drivers/vfio-amba platform/drivers/vfio-platform; do
		expect "modules: /sys/bus/$drv exists" "not there" [ -d /sys/bus/$drv ]
	done
}

bswap32() {
	v=$(($1))
	printf '0x%08x' $(( ((v & 0xff) << 24) | (((v >> 8) & 0xff) << 16) |
			    (((v >> 16) & 0xff) << 8) | ((v >> 24) & 0xff) ))
}

hex32() { printf '0x%08x' $(($1)); }

# value NAME FILE: the value= of a guest line "[g1] NAME: ... value=0x..".
value() {
	sed -n "s/^\[g1\] $1: .*value=\(0x[0-9a-f]*\)$/\1/p" "$2" | tail -n 1
}

bytes() {
	sed -n "s/^\[g1\] $1: bytes=\(.*\) value=.*/\1/p" "$2" | tail -n 1
}

# run_mmio NAME: start pinvm on partition NAME; return once g1 is done.
run_mmio() {
	pinvm_start "$1" "$1" -s "/tmp/$1.status"
	expect "$1: g1 ran its tests" "no 'done' in 60 s" \
		wait_for "/tmp/$1.out" "\[g1\] done" 60
	T0=$(last_tick "/tmp/$1.out" g2)
}

# finish_mmio NAME: g2 ticked on; stop pinvm cleanly.
finish_mmio() {
	wait_until 10 ticks_reach "/tmp/$1.out" g2 $((T0 + 3))
	expect "$1: g2 kept running" "ticks $T0 -> $(last_tick /tmp/$1.out g2)" \
		[ "$(last_tick /tmp/$1.out g2)" -ge $((T0 + 3)) ]
	expect "$1: g2 ticks in order" "ticks not 1, 2, 3, ..." \
		ticks_contiguous "/tmp/$1.out" g2
	stop TERM
	expect "$1: pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
}

# The byte order matrix; $1 is le or be.
check_bytes() {
	f=/tmp/bytes-$1.out
	expect "bytes-$1: fw_cfg 1-byte read" "$(bytes fwcfg-sig-1 $f)" \
		[ "$(bytes fwcfg-sig-1 $f)" = "51" ]
	expect "bytes-$1: fw_cfg 2-byte read" "$(bytes fwcfg-sig-2 $f)" \
		[ "$(bytes fwcfg-sig-2 $f)" = "51 45" ]
	expect "bytes-$1: fw_cfg 4-byte read" "$(bytes fwcfg-sig-4 $f)" \
		[ "$(bytes fwcfg-sig-4 $f)" = "51 45 4d 55" ]
	expect "bytes-$1: fw_cfg 8-byte read" "$(bytes fwcfg-sig-8 $f)" \
		[ "$(bytes fwcfg-sig-8 $f)" = "51 45 4d 55 00 00 00 00" ]
	if [ "$1" = le ]; then
		want="0x51 0x4551 0x554d4551 0x00000000554d4551"
	else
		want="0x51 0x5145 0x51454d55 0x51454d5500000000"
	fi
	got="$(value fwcfg-sig-1 $f) $(value fwcfg-sig-2 $f) $(value fwcfg-sig-4 $f) $(value fwcfg-sig-8 $f)"
	expect "bytes-$1: fw_cfg values as a $1 CPU reads them" "got $got, want $want" \
		[ "$got" = "$want" ]

	# Host side: select item 1 (FW_CFG_ID) through the BE selector.
	devmem 0x09020008 16 0x0100
	id=$(hex32 "$(devmem 0x09020000 32)")
	gid=$(value fwcfg-id-4 $f)
	[ "$1" = be ] && gid=$(bswap32 "$gid")
	expect "bytes-$1: BE16 selector write picked item 1" \
		"guest read $(value fwcfg-id-4 $f), host reads $id" \
		[ "$id" != 0x00000000 -a "$gid" = "$id" ]

	dr=$(value rtc-dr $f)
	[ "$1" = be ] && dr=$(bswap32 "$dr")
	now=$(date +%s)
	expect "bytes-$1: PL031 DR read" "guest read $dr, host time $now" \
		[ $((now - dr)) -ge 0 -a $((now - dr)) -lt 120 ]

	if [ "$1" = le ]; then mr=0x11223344; bus=0x11223344; else
		mr=0x55667788; bus=0x88776655; fi
	expect "bytes-$1: PL031 MR write, read back" "$(value rtc-mr $f)" \
		[ "$(value rtc-mr $f)" = "$mr" ]
	host=$(hex32 "$(devmem 0x09010004 32)")
	expect "bytes-$1: PL031 MR on the bus" "host reads $host, want $bus" \
		[ "$host" = "$bus" ]

	expect "bytes-$1: PL061 1-byte write, read back" "$(value gpio-dir $f)" \
		[ "$(value gpio-dir $f)" = 0xa5 ]
	host=$(printf '0x%02x' $(($(devmem 0x09030400 8))))
	expect "bytes-$1: PL061 GPIODIR on the bus" "host reads $host" \
		[ "$host" = 0xa5 ]
}

# With vfio-amba on the host, pinvm claims the PL031 (it has an interrupt)
# through VFIO: vfio-amba is bound to it while pinvm runs, and
# driver_override names it. Without, nothing is bound and
# driver_override is pinvm's own name, which no driver has.
if [ -d /sys/bus/amba/drivers/vfio-amba ]; then
	RTC_HOLDER=vfio-amba
	RTC_CLAIMED="claimed 9010000.pl031 through VFIO (vfio-amba)"
else
	RTC_HOLDER=none
	RTC_CLAIMED="took 9010000.pl031 from host driver rtc-pl031"
fi

test_bytes_and_claim() {
	expect "claim: PL031 bound to its host driver before" "no driver" \
		[ "$(driver_of amba 9010000.pl031)" = rtc-pl031 -a -e /dev/rtc0 ]
	run_mmio bytes-le
	expect "claim: rtc-pl031 unbound while pinvm runs" \
		"driver $(driver_of amba 9010000.pl031), want $RTC_HOLDER" \
		[ "$(driver_of amba 9010000.pl031)" = $RTC_HOLDER -a ! -e /dev/rtc0 ]
	want=pinvm
	[ $RTC_HOLDER = none ] || want=$RTC_HOLDER
	expect "claim: driver_override keeps it off the host" \
		"driver_override: $(cat $RTC_SYS/driver_override), want $want" \
		[ "$(cat $RTC_SYS/driver_override)" = $want ]
	check_bytes le
	finish_mmio bytes-le
	expect "claim: PL031 bound again after" \
		"$(ls /dev/rtc* 2>&1; ls -l $RTC_SYS/ 2>&1 | grep driver; grep -E 'back|bind' /tmp/bytes-le.err)" \
		[ -e $RTC_SYS/driver -a -e /sys/bus/amba/drivers/rtc-pl031/9010000.pl031 ]
	rtc=$(cat $RTC_SYS/rtc/rtc*/since_epoch 2>/dev/null)
	now=$(date +%s)
	expect "claim: the RTC is back for the host" "RTC reads '$rtc', clock $now" \
		[ $((${rtc:-0} - now)) -lt 60 -a $((now - ${rtc:-0})) -lt 60 ]
	expect "claim: driver_override cleared" \
		"driver_override: $(cat $RTC_SYS/driver_override)" \
		[ "$(cat $RTC_SYS/driver_override)" = "(null)" ]
	expect "claim: pinvm logged it" "no '$RTC_CLAIMED': $(cat /tmp/bytes-le.err)" \
		grep -qF "$RTC_CLAIMED" /tmp/bytes-le.err

	run_mmio bytes-be
	check_bytes be
	finish_mmio bytes-be
}

test_deny() {
	start=$(cut -d. -f1 /proc/uptime)
	run_mmio deny
	secs=$(($(cut -d. -f1 /proc/uptime) - start + 1))
	f=/tmp/deny.out
	for c in unowned width-read width-write unaligned direction straddle nisv \
		 device-fault; do
		expect "deny: $c: guest took one abort at the address" \
			"$(grep "deny-$c:" $f)" grep -q "^\[g1\] deny-$c: aborts=1 .* ok$" $f
	done
	expect "deny: PL031 MR unchanged" "$(value deny-rtc-mr-after $f)" \
		[ "$(value deny-rtc-mr-after $f)" = 0x11223344 ]
	expect "deny: PL061 GPIODIR unchanged" "changed" \
		grep -q "deny-gpio-dir-after: unchanged" $f
	expect "deny: PL031 MR unchanged on the bus" "host reads $(devmem 0x09010004 32)" \
		[ "$(hex32 "$(devmem 0x09010004 32)")" = 0x11223344 ]
	expect "deny: 1000 aborts in a loop" "$(grep deny-flood $f)" \
		grep -q "deny-flood: aborts=1000$" $f
	e=/tmp/deny.err
	expect "deny: fw_cfg's accepted DMA risk said at start" "$(head -n 5 $e)" \
		grep -q "/pinvm/g1/fw-cfg@9020000: dma-risk-accepted: /fw-cfg@9020000 can master the bus" $e
	# Each line names the access and the reason's key word, not its wording.
	for l in "4-byte read at 0xa001000:|region" \
		 "2-byte write at 0x9010004:|width" \
		 "1-byte read at 0x9010004:|width" \
		 "4-byte write at 0x9010006:|unaligned" \
		 "1-byte write at 0x9030400:|direction" \
		 "8-byte read at 0x9020010:|end" \
		 "access at 0x9010004:|syndrome" \
		 "4-byte read at 0x9020002:|fault"; do
		access=${l%|*} why=${l#*|}
		expect "deny: logged: $access $why" "$(grep 'g1: denied' $e | head -n 12)" \
			grep -q "g1: denied $access .*$why" $e
	done
	logged=$(grep -c "g1: denied" $e)
	expect "deny: log rate-limited" "$logged lines for 1008 denials in $secs s" \
		[ "$logged" -le $((secs * 10)) -a "$logged" -lt 1008 ]
	expect "deny: says what it left out" "no summary line" \
		grep -q "g1: more denied accesses this second, not logged" $e
	expect "deny: pinvm still running" "pinvm exited" kill -0 "$PID"
	sleep 1.2
	expect "deny: pinvm status while running" "$(pinvm status -s /tmp/deny.status 2>&1)" \
		sh -c "pinvm status -s /tmp/deny.status | grep -q '^guest=g2 core=2 state=running .*mmio=[1-9]'"
	finish_mmio deny
	s=/tmp/deny.status
	expect "deny: status counts the denials" "$(grep guest=g1 $s)" \
		[ "$(status_of g1 denied $s)" -eq 1008 -a "$(status_of g1 nisv $s)" -eq 1 ]
	expect "deny: status counts region accesses" "$(grep 'region guest=g1' $s)" \
		grep -q "region guest=g1 name=/pinvm/g1/rtc base=0x9010000 size=0x1000 mode=trap reads=[1-9]" $s
}

test_direct() {
	run_mmio direct
	f=/tmp/direct.out
	expect "direct: guest read the RTC" "$(grep hammer: $f)" \
		grep -q "^\[g1\] hammer: reads=100000 zero=0 aborts=0$" $f
	finish_mmio direct
	s=/tmp/direct.status
	mmio=$(status_of g1 mmio $s)
	expect "direct: 100000 reads, no MMIO exit for them" \
		"g1 had $mmio MMIO exits" [ "$mmio" -lt 1000 ]
	expect "direct: the region is direct and untouched by traps" \
		"$(grep 'region guest=g1 name=/pinvm/g1/rtc' $s)" \
		grep -q "region guest=g1 name=/pinvm/g1/rtc .* mode=direct reads=0 writes=0" $s
}

test_eperm() {
	pinvm -p "$P/eperm.dtb" -i "$G" > /tmp/eperm.out 2> /tmp/eperm.err
	rc=$?
	expect "host RAM refused: non-zero exit" "exit status $rc" [ $rc -ne 0 ]
	expect "host RAM refused: says which device and why" "$(cat /tmp/eperm.err)" \
		error_line /tmp/eperm.err "$P/eperm.dtb: /pinvm/g1/ram@c000000: device: " \
		/memory@40000000 0x40000000 "host RAM"
	expect "host RAM refused: one error" "$(cat /tmp/eperm.err)" \
		[ "$(grep -c error: /tmp/eperm.err)" -eq 1 ]
	expect "host RAM refused: no guest ran" "$(cat /tmp/eperm.out)" \
		[ ! -s /tmp/eperm.out ]
	expect "host RAM refused: RTC left with its driver" "not bound" \
		[ -e $RTC_SYS/driver -a "$(cat $RTC_SYS/driver_override)" = "(null)" ]
}

test_modules
test_bytes_and_claim
test_deny
test_direct
test_eperm
exit 0
