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
	if grep -q "^init: pinvm exited with status 0" "$log"; then
		note_pass "demo: ends on its own, pinvm exit status 0"
	else
		note_fail "demo: pinvm did not end cleanly (see $out/demo.log)"
		tail -n 30 "$log"
	fi
}
