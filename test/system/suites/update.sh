#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Field update of g1's firmware while g2 and g3 tick. Bundles come from
# test/system/make-bundles.sh (in /test/bundles), swupdate from the boot's
# initramfs (the "swupdate" kind in test/system/boots). The
# guests' own console lines ("firmware 2.0 slot b attempt 1") say what
# really runs; pinvm status and the files in the slot directory say what
# pinvm recorded; the two must agree.
. /test/lib.sh

U=/var/lib/pinvm
B=/test/bundles
OUT=/tmp/update.out
ERR=/tmp/update.err

# A killed pinvm leaves its last status file: never read that one.
start_update() {
	rm -f /run/pinvm/status
	pinvm_start update update
}

update_field() { update_of g1 "$1"; }

update_reason() {
	sed -n 's/^update guest=g1 .* reason=//p' /run/pinvm/status
}

status_says() {
	[ "$(update_field slot)" = "$1" ] && [ "$(update_field version)" = "$2" ] &&
		[ "$(update_field trial)" = "-" ]
}

# The slot's bytes are those its record promises (SHA-256 in "state").
slot_matches_record() {
	want=$(sed -n "s/^slot-$1=[^ ]* [0-9]* //p" "$U/g1/state")
	have=$(sha256sum "$U/g1/slot-$1.img" | cut -d' ' -f1)
	[ -n "$want" ] && [ "$want" = "$have" ]
}

firmware_lines() {
	grep -c "^\[g1\] firmware" "$OUT"
}

# booted_first TEST: g1 runs the partition's version 1.0 from slot a.
booted_first() {
	expect "$1: g1 boots version 1.0 from slot a" "$(tail -n 3 $OUT $ERR)" \
		wait_for "$OUT" '^\[g1\] firmware 1\.0 slot a attempt 0$' 20
}

# others_ticked TEST: g2 and g3 ticked on without a gap and never restarted.
others_ticked() {
	for g in g2 g3; do
		expect "$1: $g kept ticking" "$(grep "\[$g\]" $OUT | tail -n 3)" \
			ticks_contiguous "$OUT" $g
		expect "$1: $g booted once" "$(count "$OUT" "^\[$g\] boot")" \
			[ "$(count "$OUT" "^\[$g\] boot")" -eq 1 ]
	done
}

fingerprint() {
	cat "$U"/g1/* 2>/dev/null | md5sum
}

# --- a full update of g1 while g2 and g3 keep printing --------------------
test_update() {
	rm -rf "$U"
	start_update
	expect "update: g1 seeds slot a and boots it" "$(tail -n 3 $OUT $ERR)" \
		wait_for "$OUT" '^\[g1\] firmware 1\.0 slot a attempt 0$' 20
	expect "update: status shows slot a, version 1.0" "$(grep '^update' /run/pinvm/status)" \
		wait_until 3 status_says a 1.0
	before2=$(last_tick "$OUT" g2)
	t0=$(cut -d' ' -f1 /proc/uptime)
	pinvm update g1 "$B/fw-2.pvb" > /tmp/client.out 2>&1
	rc=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	during2=$(($(last_tick "$OUT" g2) - before2))
	expect "update: pinvm update exits 0" "exit $rc: $(cat /tmp/client.out)" [ $rc -eq 0 ]
	expect "update: the client reports the commit" "$(cat /tmp/client.out)" \
		grep -q "committed: version 2.0 reported health" /tmp/client.out
	expect "update: g1 runs version 2.0 from slot b, first attempt" "$(tail -n 5 $OUT)" \
		grep -q '^\[g1\] firmware 2\.0 slot b attempt 1$' "$OUT"
	expect "update: status shows slot b, version 2.0, committed" "$(grep '^update' /run/pinvm/status)" \
		wait_until 3 status_says b 2.0
	expect "update: result committed" "$(update_field result)" \
		[ "$(update_field result)" = committed ]
	expect "update: slot b holds the bundle's image" "cmp failed" \
		cmp -s "$U/g1/slot-b.img" "$G/fw-2.bin"
	expect "update: slots match the state record" "$(cat $U/g1/state)" \
		slot_matches_record b
	wait_until 5 ticks_reach "$OUT" g2 $((before2 + during2 + 5))
	others_ticked update
	# g2 ticks every 0.2 s: its ticks during the update against the time taken.
	metric update_duration_s "$(awk "BEGIN { print $t1 - $t0 }")"
	metric update_g2_ticks_during "$during2 (expected about $(awk "BEGIN { printf \"%d\", ($t1 - $t0) / 0.2 }"))"
	stop TERM
	start_update
	expect "update: after a restart g1 boots the committed slot b" "$(tail -n 3 $OUT $ERR)" \
		wait_for "$OUT" '^\[g1\] firmware 2\.0 slot b attempt 0$' 10
	stop TERM
}

# reject BUNDLE NAME WORD...: refused with an error naming g1 and each
# WORD (see error_line), and nothing written, g1 not restarted.
reject() {
	bundle=$1 name=$2
	shift 2
	before=$(fingerprint)
	boots=$(firmware_lines)
	pinvm update g1 "$B/$bundle.pvb" > /tmp/client.out 2>&1
	rc=$?
	expect "update refused: $name: exit status" "exit $rc" [ $rc -ne 0 ]
	expect "update refused: $name: says why" "$(cat /tmp/client.out)" \
		error_line /tmp/client.out "update of g1: " "$@"
	expect "update refused: $name: slots and record untouched" "changed" \
		[ "$(fingerprint)" = "$before" ]
	expect "update refused: $name: g1 not restarted" "$(firmware_lines) boots" \
		[ "$(firmware_lines)" -eq "$boots" ]
}

test_update_rejects() {
	rm -rf "$U"
	start_update
	booted_first "update refused"
	reject bad-signature "bad signature" "bad signature"
	reject other-key "another key" "another key" "key-id"
	reject tampered-image "tampered image" "SHA-256" "tampered"
	reject wrong-guest "wrong guest" "guest g3"
	reject truncated "truncated" "truncated"
	reject fw-0.5 "downgrade" "0.5" "1.0" "--allow-downgrade"
	reject too-big "image too large" "guest's memory"
	before=$(fingerprint)
	pinvm update g2 "$B/no-health.pvb" > /tmp/client.out 2>&1
	expect "update refused: guest without health register" "$(cat /tmp/client.out)" \
		error_line /tmp/client.out "update of g2: " "g2" "pinvm,health"
	pinvm update nobody "$B/fw-2.pvb" > /tmp/client.out 2>&1
	expect "update refused: unknown guest" "$(cat /tmp/client.out)" \
		error_line /tmp/client.out "update of nobody: " '"nobody"'
	expect "update refused: pinvm logs each refusal" "$(grep -c 'refused' $ERR)" \
		[ "$(grep -c 'update of g1 refused' "$ERR")" -eq 7 ]
	ls -l /run/pinvm/control > /tmp/ls.out
	expect "update: the control socket is mode 0600" "$(cat /tmp/ls.out)" \
		grep -q '^srw------- ' /tmp/ls.out
	pinvm update --timeout 0 g1 "$B/fw-2.pvb" > /tmp/client.out 2>&1
	rc=$?
	expect "update: --timeout 0 is a bad command line" "exit $rc: $(cat /tmp/client.out)" \
		test "$rc:$(grep -c -- '--timeout 0: whole seconds' /tmp/client.out)" = 2:1
	pinvm update --allow-downgrade --timeout 30 g1 "$B/fw-0.5.pvb" > /tmp/client.out 2>&1
	expect "update: --allow-downgrade installs an older version" "$(cat /tmp/client.out)" \
		wait_until 3 status_says b 0.5
	expect "update: g1 still ticking" "$(tail -n 2 $OUT)" running
	stop TERM
}

# --- rollback: no health report, and a reset loop ------------------------
test_update_rollback() {
	rm -rf "$U"
	start_update
	booted_first "rollback"
	pinvm update g1 "$B/fw-silent.pvb" > /tmp/client.out 2>&1
	rc=$?
	expect "rollback, silent firmware: pinvm update fails" "exit $rc: $(cat /tmp/client.out)" \
		[ $rc -ne 0 ]
	expect "rollback, silent firmware: the client says why" "$(cat /tmp/client.out)" \
		grep -q "rolled back to version 1.0: no health report within 3000 ms" /tmp/client.out
	expect "rollback, silent firmware: it ran on trial" "$(grep '\[g1\] firmware' $OUT)" \
		grep -q '^\[g1\] firmware 3\.0 slot b attempt 1$' "$OUT"
	expect "rollback, silent firmware: version 1.0 runs again" "$(tail -n 3 $OUT)" \
		wait_for "$OUT" '^\[g1\] firmware 1\.0 slot a attempt 0$' 10
	expect "rollback, silent firmware: status has the result and reason" "$(grep '^update' /run/pinvm/status)" \
		wait_until 3 sh -c "grep -q 'slot=a version=1.0 committed=a trial=- .*result=rolled-back reason=no health report within 3000 ms' /run/pinvm/status"
	[ "$(count "$OUT" '^\[g1\] firmware 1\.0 slot a attempt 0$')" -ge 2 ] ||
		fail "rollback, silent firmware: 1.0 booted again" "$(grep '\[g1\] firmware' $OUT)"

	pinvm update g1 "$B/fw-resetloop.pvb" > /tmp/client.out 2>&1
	rc=$?
	expect "rollback, reset loop: pinvm update fails" "exit $rc" [ $rc -ne 0 ]
	expect "rollback, reset loop: the client says why" "$(cat /tmp/client.out)" \
		grep -q "rolled back to version 1.0: no health report in 3 boot attempts" /tmp/client.out
	for n in 1 2 3; do
		expect "rollback, reset loop: boot attempt $n" "$(grep '\[g1\] firmware' $OUT)" \
			grep -q "^\[g1\] firmware 4\.0 slot b attempt $n$" "$OUT"
	done
	expect "rollback, reset loop: no fourth attempt" "$(grep '\[g1\] firmware' $OUT)" \
		not grep -q '^\[g1\] firmware 4\.0 slot b attempt 4$' "$OUT"
	expect "rollback, reset loop: version 1.0 runs again" "$(tail -n 3 $OUT)" \
		wait_until 10 sh -c "[ \$(grep -c '^\[g1\] firmware 1\.0 slot a attempt 0$' $OUT) -ge 3 ]"
	expect "rollback, reset loop: status has the result and reason" "$(grep '^update' /run/pinvm/status)" \
		wait_until 3 sh -c "grep -q 'slot=a version=1.0 .*result=rolled-back reason=no health report in 3 boot attempts' /run/pinvm/status"
	expect "rollback: slot a still matches its record" "$(cat $U/g1/state)" \
		slot_matches_record a
	others_ticked rollback
	stop TERM
}

# --- firmware that hangs: its watchdog's bites roll it back ---------------
# fw-hang arms a 1 s watchdog and spins silently with IRQs masked: each
# bite is a failed boot attempt, so the trial ends after three attempts of
# about a second each, before the 3 s health timeout of any one of them.
test_update_watchdog() {
	rm -rf "$U"
	start_update
	booted_first "hung firmware"
	pinvm update g1 "$B/fw-hang.pvb" > /tmp/client.out 2>&1
	rc=$?
	expect "hung firmware: pinvm update fails" "exit $rc: $(cat /tmp/client.out)" \
		[ $rc -ne 0 ]
	expect "hung firmware: rolled back after 3 bitten boot attempts" "$(cat /tmp/client.out)" \
		grep -q "rolled back to version 1.0: no health report in 3 boot attempts" /tmp/client.out
	for n in 1 2 3; do
		expect "hung firmware: boot attempt $n" "$(grep '\[g1\] firmware' $OUT)" \
			grep -q "^\[g1\] firmware 6\.0 slot b attempt $n$" "$OUT"
	done
	expect "hung firmware: three bites, each within its 1 s timeout + 100 ms" \
		"$(grep 'watchdog bite' $ERR)" \
		sh -c "[ \$(grep -cE 'g1: watchdog bite: 1\.0[0-9]{2} s since the last kick \(timeout 1\.000 s\): resetting it' $ERR) -eq 3 ]"
	expect "hung firmware: each bite was a reset during the trial" "$(grep 'during its trial' $ERR)" \
		[ "$(count "$ERR" 'g1: reset (watchdog bite) during its trial')" -eq 3 ]
	expect "hung firmware: never the health timeout" "$(grep 'no health report within' $ERR)" \
		not grep -q "no health report within" "$ERR"
	expect "hung firmware: version 1.0 runs again" "$(tail -n 3 $OUT)" \
		wait_for "$OUT" '^\[g1\] firmware 1\.0 slot a attempt 0$' 10
	expect "hung firmware: status counts the three bites" "$(grep '^watchdog' /run/pinvm/status)" \
		wait_until 3 grep -q '^watchdog guest=g1 kicks=[0-9]* bites=3 ' /run/pinvm/status
	others_ticked "hung firmware"
	stop TERM
}

# --- firmware that reports health and resets at once is committed ----------
test_update_health_then_reset() {
	rm -rf "$U"
	start_update
	booted_first "health, then reset"
	pinvm update g1 "$B/fw-healthreset.pvb" > /tmp/client.out 2>&1
	rc=$?
	expect "health, then reset: committed" "exit $rc: $(cat /tmp/client.out)" \
		grep -q "committed: version 5.0 reported health" /tmp/client.out
	expect "health, then reset: it runs on as committed firmware" "$(grep '\[g1\] firmware' $OUT | tail -n 3)" \
		wait_until 5 sh -c "[ \$(grep -c '^\[g1\] firmware 5\.0 slot b attempt 0$' $OUT) -ge 3 ]"
	expect "health, then reset: status shows slot b, version 5.0" "$(grep '^update' /run/pinvm/status)" \
		wait_until 3 status_says b 5.0
	stop TERM
}

# --- boot attempts count across restarts (power cuts) ----------------------
test_update_attempts_persist() {
	rm -rf "$U"
	start_update
	booted_first "attempts across power cuts"
	pinvm update g1 "$B/fw-silent.pvb" > /dev/null 2>&1 &
	for n in 1 2 3; do
		expect "attempts across power cuts: attempt $n boots" "$(tail -n 3 $OUT $ERR)" \
			wait_for "$OUT" "^\[g1\] firmware 3\.0 slot b attempt $n$" 10
		kill -KILL "$PID"
		wait "$PID" 2>/dev/null
		start_update
	done
	expect "attempts across power cuts: the 4th start rolls back to 1.0" "$(tail -n 3 $OUT $ERR)" \
		wait_for "$OUT" '^\[g1\] firmware 1\.0 slot a attempt 0$' 10
	expect "attempts across power cuts: reason logged" "$(cat $ERR)" \
		grep -q "rolled back, back to slot a (version 1.0): no health report in 3 boot attempts" "$ERR"
	stop TERM
}

# --- power cut at every step of an update ----------------------------------
FAULT_STEPS="slot-partial slot-write slot-fsync slot-rename slot-dirsync
	trial-partial trial-write trial-fsync trial-rename trial-dirsync
	attempt-partial attempt-write attempt-fsync attempt-rename attempt-dirsync
	trial-running
	commit-partial commit-write commit-fsync commit-rename commit-dirsync"

test_update_power_cut() {
	for step in $FAULT_STEPS; do
		echo "update-tests: power cut at $step"
		rm -rf "$U" /run/pinvm/status
		export PINVM_FAULT=$step
		pinvm_start update update
		unset PINVM_FAULT
		if ! wait_for "$OUT" '^\[g1\] firmware 1\.0 slot a attempt 0$' 20 ||
		   ! wait_until 5 test -S /run/pinvm/control; then
			fail "power cut at $step" "g1 did not boot, or no control socket: $(ls -l /run/pinvm; tail -n 3 $OUT $ERR)"
			stop KILL
			continue
		fi
		timeout 60 pinvm update g1 "$B/fw-2.pvb" > /tmp/client.out 2>&1
		crc=$?
		if ! wait_until 10 not_running; then
			fail "power cut at $step" "pinvm was not killed; client (exit $crc): $(cat /tmp/client.out); $(ls -l /run/pinvm); pinvm: $(tail -n 3 $ERR)"
			stop KILL
			continue
		fi
		wait "$PID"
		rc=$?
		expect "power cut at $step: the client says pinvm went away" "exit $crc: $(cat /tmp/client.out)" \
			grep -q "pinvm went away before it finished" /tmp/client.out
		if ! grep -q "fault injection: SIGKILL at $step$" "$ERR" || [ $rc -ne 137 ]; then
			fail "power cut at $step" "not killed there (exit $rc): $(tail -n 2 $ERR)"
			continue
		fi
		# Power back: a complete firmware, old or new, and a record that agrees.
		start_update
		if ! wait_for "$OUT" '^\[g1\] firmware [0-9.]* slot [ab] attempt [0-9]$' 10 ||
		   ! wait_until 8 sh -c "grep -q '^update guest=g1 .* trial=- ' /run/pinvm/status"; then
			fail "power cut at $step" "no firmware settled: $(tail -n 3 $OUT $ERR)"
			stop TERM
			continue
		fi
		sleep 1.2
		line=$(grep '^\[g1\] firmware' "$OUT" | tail -n 1)
		version=$(echo "$line" | cut -d' ' -f3)
		slot=$(echo "$line" | cut -d' ' -f5)
		case $step in
		slot-* | trial-partial | trial-write | trial-fsync) want=1.0 ;;
		*) want=2.0 ;;
		esac
		if [ "$version" = "$want" ] && status_says "$slot" "$version" &&
		   slot_matches_record "$slot" && ! ls "$U"/g1/*.tmp > /dev/null 2>&1 &&
		   ticks_reach "$OUT" g1 1; then
			pass "power cut at $step: g1 runs version $version from slot $slot, record consistent"
		else
			fail "power cut at $step" "runs '$line', want $want; status: $(grep '^update' /run/pinvm/status); $(ls $U/g1)"
		fi
		stop TERM
	done
}

# --- a fleet agent: Debian's SWUpdate installs a .swu that carries a bundle --
swupdate_install() {
	TMPDIR=/tmp swupdate -v -i "$B/$1.swu" -k "$B/swu-cert.pem" -H qemu-virt:1.0 \
		> "/tmp/$1.log" 2>&1
}

test_swupdate() {
	rm -rf "$U"
	start_update
	booted_first "swupdate"
	swupdate_install swu-fw-2
	rc=$?
	expect "swupdate: installs the .swu, exit 0" "exit $rc: $(tail -n 5 /tmp/swu-fw-2.log)" \
		[ $rc -eq 0 ]
	expect "swupdate: checked its own CMS signature" "$(grep -i verif /tmp/swu-fw-2.log)" \
		grep -q "Verified OK" /tmp/swu-fw-2.log
	expect "swupdate: pinvm committed the new firmware" "$(grep -i committed /tmp/swu-fw-2.log)" \
		grep -q "committed: version 2.0 reported health" /tmp/swu-fw-2.log
	expect "swupdate: g1 runs version 2.0 from slot b" "$(tail -n 3 $OUT)" \
		grep -q '^\[g1\] firmware 2\.0 slot b attempt 1$' "$OUT"
	expect "swupdate: status shows slot b, version 2.0" "$(grep '^update' /run/pinvm/status)" \
		wait_until 3 status_says b 2.0
	expect "swupdate: the spool file is gone" "$(ls /run/pinvm/incoming)" \
		not ls /run/pinvm/incoming/g1.pvb
	before=$(fingerprint)
	swupdate_install swu-other-key
	rc=$?
	expect "swupdate: a bundle pinvm does not trust fails the install" "exit $rc" [ $rc -ne 0 ]
	expect "swupdate: ... with pinvm's reason" "$(tail -n 5 /tmp/swu-other-key.log)" \
		grep -q "signed by another key" /tmp/swu-other-key.log
	expect "swupdate: ... and nothing written" "changed" [ "$(fingerprint)" = "$before" ]
	swupdate_install swu-stranger
	rc=$?
	expect "swupdate: an image signed by an unknown certificate is refused by swupdate" \
		"exit $rc: $(tail -n 3 /tmp/swu-stranger.log)" \
		sh -c "[ $rc -ne 0 ] && grep -q 'signature' /tmp/swu-stranger.log"
	expect "swupdate: g1 still runs version 2.0" "$(grep '^update' /run/pinvm/status)" \
		status_says b 2.0
	others_ticked swupdate
	stop TERM
}

# --- storage faults at start (docs/update.md): g1 runs its partition's ------
# image and cannot be updated, g2 and g3 start as ever. A 4 KiB tmpfs holds
# g1's directory but not its slot; remounted read-only, not even that.
test_update_storage_faults() {
	small=/tmp/update-small
	mkdir -p $small
	if ! mount -t tmpfs -o size=4k,mode=0755 tmpfs $small; then
		fail "storage faults" "cannot mount a small tmpfs on $small"
		return
	fi
	for kind in full read-only; do
		case $kind in
		full) why="No space left on device" ;;
		read-only) why="Read-only file system"
			mount -o remount,ro $small ;;
		esac
		rm -f /run/pinvm/status
		pinvm_start update update --update-dir $small
		expect "$kind update directory: g1 boots its partition's image" "$(tail -n 3 $OUT $ERR)" \
			wait_for "$OUT" '^\[g1\] firmware 1\.0 slot a attempt 0$' 20
		expect "$kind update directory: pinvm says why" "$(cat $ERR)" \
			grep -q "g1: its firmware slots cannot be used: .*$why" "$ERR"
		expect "$kind update directory: status says degraded" "$(grep '^update' /run/pinvm/status)" \
			wait_until 3 grep -q "^update guest=g1 slot=- version=1.0 .*result=degraded reason=booted the partition's image: .*$why" /run/pinvm/status
		pinvm update g1 "$B/fw-2.pvb" > /tmp/client.out 2>&1
		rc=$?
		expect "$kind update directory: an update is refused" "exit $rc: $(cat /tmp/client.out)" \
			sh -c "[ $rc -ne 0 ] && grep -q \"runs its partition's image\" /tmp/client.out"
		wait_until 5 ticks_reach "$OUT" g2 5
		others_ticked "$kind update directory"
		expect "$kind update directory: g1 still ticking" "$(tail -n 2 $OUT)" \
			wait_until 3 ticks_reach "$OUT" g1 2
		stop TERM
	done
	umount $small
}

test_updates() {
	test_update_storage_faults
	test_update
	test_update_rejects
	test_update_rollback
	test_update_health_then_reset
	test_update_watchdog
	test_update_attempts_persist
	test_swupdate
	test_update_power_cut
}

test_updates
exit 0
