# SPDX-License-Identifier: GPL-2.0-only
#
# The demo boot's host-side check, sourced by test/system/run.sh (its $out,
# note_pass and note_fail): the board runs the product image as it is.

# The product's main job, as `make run` boots it: three demo guests.
check_demo() {
	log=$out/demo.log.txt
	tr -d '\r' < "$out/demo.log" > "$log"
	for g in alpha beta gamma; do
		if grep -q "^\[$g\] tick 3$" "$log"; then
			note_pass "demo: $g prints with its name in front"
		else
			note_fail "demo: no '[$g] tick 3' on the board's console"
		fi
	done
	for core in 1 2 3; do
		if grep -q "pinvm: [a-z]*: running on core $core " "$log"; then
			note_pass "demo: a guest runs on core $core"
		else
			note_fail "demo: no guest on core $core"
		fi
	done
	# Each guest's lines name the core pinvm says it runs on.
	for g in alpha beta gamma; do
		core=$(sed -n "s/^pinvm: $g: running on core \([0-9]*\) .*/\1/p" "$log")
		if [ -n "$core" ] && grep -q "^\[$g\] core $core: health register at 0xa000000: slot a, reported healthy$" "$log"; then
			note_pass "demo: $g reports health, naming its core $core"
		else
			note_fail "demo: no '[$g] core ${core:-?}: health register ... reported healthy' line"
		fi
	done
	if grep -q "^pinvm: host keeps cores 0; guests get 1-3$" "$log"; then
		note_pass "demo: the image's S50pinvm gave cores 1-3 to the guests"
	else
		note_fail "demo: no core claim by /etc/init.d/S50pinvm"
	fi
	if grep -q "seeded from" "$log"; then
		note_fail "demo: pinvm seeded slots the image should have brought"
	else
		note_pass "demo: the guests boot from the slots the image brought"
	fi
	check_demo_rtc
	check_demo_fwcfg
	check_demo_gpio
	if grep -q "seccomp:" "$log"; then
		note_fail "demo: a seccomp filter stopped pinvm: $(grep -m1 "seccomp:" "$log")"
	else
		note_pass "demo: runs under its seccomp filters"
	fi
	if grep -q "^init: pinvm exited with status 0" "$log"; then
		note_pass "demo: ends on its own, pinvm exit status 0"
	else
		note_fail "demo: pinvm did not end cleanly (see $out/demo.log)"
		tail -n 30 "$log"
	fi
}

# alpha reads the board's PL031 (trap-mode passthrough): the date it prints
# is the build machine's, within a day (QEMU's RTC starts at the host's
# UTC time), and the host's rtc-pl031 gets the device back at the end.
check_demo_rtc() {
	prefix='^\[alpha\] core 1: PL031 RTC at 0x9010000 (passthrough, trap): '
	when=$(sed -n "s/${prefix}\([0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:]\{8\}\) UTC$/\1/p" "$log" | head -n 1)
	rtc=$(date -u -d "$when" +%s 2>/dev/null)
	now=$(date -u +%s)
	if [ -n "$when" ] && [ -n "$rtc" ] &&
	   [ $((rtc - now)) -le 86400 ] && [ $((now - rtc)) -le 86400 ]; then
		note_pass "demo: alpha read the PL031 through passthrough: $when UTC (build machine: $(date -u '+%Y-%m-%d %H:%M:%S'))"
	else
		note_fail "demo: no PL031 date within a day of $(date -u '+%Y-%m-%d %H:%M:%S') UTC from alpha (got '${when:-nothing}')"
	fi
	if grep -q "^pinvm: /pinvm/alpha/rtc: took 9010000.pl031 from host driver rtc-pl031$" "$log" &&
	   grep -q "^pinvm: /pinvm/alpha/rtc: gave 9010000.pl031 back to host driver rtc-pl031$" "$log"; then
		note_pass "demo: the PL031 went from rtc-pl031 to alpha and back"
	else
		note_fail "demo: pinvm did not take the PL031 from rtc-pl031 and give it back"
	fi
}

# beta, big-endian, reads fw_cfg's signature item: every width gives the
# bytes "QEMU" in stream order, and the 4-byte read is the big-endian
# value of those bytes.
check_demo_fwcfg() {
	prefix='^\[beta\] core 2: fw_cfg at 0x9020000 (passthrough, trap; big-endian guest): item 0, '
	for w in 1 2 4 8; do
		if grep "${prefix}$w-byte read" "$log" | grep -q ' = bytes 51 45 4d 55[ 0]* "QEMU'; then
			note_pass "demo: beta's $w-byte fw_cfg reads give \"QEMU\" in stream order"
		else
			note_fail "demo: beta's $w-byte fw_cfg reads do not give the bytes of \"QEMU\" in order"
		fi
	done
	if grep -q "${prefix}4-byte read: 0x51454d55 = " "$log"; then
		note_pass "demo: beta, big-endian, reads 0x51454d55 from the stream \"QEMU\""
	else
		note_fail "demo: beta's 4-byte fw_cfg read is not 0x51454d55"
	fi
}

# gamma blinks its line 0, the board's GPIO line 0: the host kernel's
# debugfs (printed by the image's init with pinvm.show-gpio=1) shows
# gamma's line change between low and high. The guest's own GPIODATA
# cannot tell: for an output it reads what was set, as a PL061 does.
check_demo_gpio() {
	prefix='^\[gamma\] core 3: PL061 GPIO at 0x9030000 (virtual; host 9030000.pl061 line 0): line 0 set to'
	if grep -q "$prefix 1, GPIODATA 0x01$" "$log" && grep -q "$prefix 0, GPIODATA 0x00$" "$log"; then
		note_pass "demo: gamma set its GPIO line to 1 and to 0"
	else
		note_fail "demo: no '[gamma] ... line 0 set to 1' and 'set to 0' lines"
	fi
	host=$(grep '^host-gpio: gpio-[0-9]* (.*|gamma-led *) out ' "$log" |
		sed 's/.* out \(hi\|lo\).*/\1/' | uniq | tr '\n' ' ')
	case "$host" in
	*"lo hi"*|*"hi lo"*)
		note_pass "demo: the host's GPIO line 0 followed gamma: $host" ;;
	*)
		note_fail "demo: the host's debugfs did not show gamma-led change between lo and hi (saw: ${host:-nothing})" ;;
	esac
}
