#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# A watchdog per guest (pinvm,watchdog, an SP805). g1 arms a 2 s watchdog,
# kicks it for 5 s, then spins with IRQs masked: each bite resets it, once
# per timeout, no earlier than 2 s after its last kick and no later than
# 2.1 s; g3 does the same with action "stop" and is stopped at its first
# bite; g2 ticks throughout and never notices.
. /test/lib.sh

ST=/tmp/watchdog.status
OUT=/tmp/watchdog.out
ERR=/tmp/watchdog.err
BITE_RE='g1: watchdog bite: [0-9.]+ s since the last kick \(timeout 2\.000 s\): resetting it'

# stamp_gaps: for each boot of g1 after the first, the seconds from its
# last "kick" console line (printed just before the kick) to the next
# "boot" line, from pinvm's time stamps (-t): a bound from the guest's side.
stamp_gaps() {
	awk '/\[g1\] kick / { k = $1 } /\[g1\] boot / { if (k) print $1 - k; k = 0 }' "$OUT"
}

start watchdog -s "$ST"
if ! wait_for "$OUT" '\[g1\] sp805 id ' 30; then
	fail "watchdog: g1 starts" "$(head -n 20 $OUT $ERR)"
	stop KILL
	exit 0
fi
expect "watchdog: g1 reads the SP805's identification" "$(grep '\[g1\] sp805' $OUT)" \
	grep -q '\[g1\] sp805 id 05 18 14 00 0d f0 05 b1$' "$OUT"
expect "watchdog: g1's locked WdogLoad ignored a write" "$(grep '\[g1\] armed' $OUT)" \
	wait_for "$OUT" '\[g1\] armed 2000 ms, load 016e35ff locked 1$' 10
expect "watchdog: g1 bitten three times" "$(tail -n 5 $ERR)" \
	wait_until 60 count_reaches "$ERR" 'g1: watchdog bite' 3
sleep 1
bites=$(grep -cE "$BITE_RE" "$ERR")
resets=$(count "$ERR" 'g1: reset (watchdog bite): reloading')
boots=$(count "$OUT" '\[g1\] boot')
hangs=$(count "$OUT" '\[g1\] hanging')
expect "watchdog: each bite logged with the time since the last kick" "$(grep 'g1: watchdog' $ERR)" \
	[ "$bites" -eq "$(count "$ERR" 'g1: watchdog bite')" ]
expect "watchdog: once per timeout: a reset for each bite, a boot for each reset" \
	"$bites bites, $resets resets, $boots boots, $hangs hangs" \
	[ "$bites" -ge 3 -a "$resets" -eq "$bites" -a "$boots" -eq $((bites + 1)) ]
expect "watchdog: no bite while g1 kicked" "$(grep -E '\[g1\] (kick 10|hanging|boot)' $OUT)" \
	[ "$hangs" -ge "$bites" ]
# The monitor's own measure: its clock at the bite against the last kick.
ages=$(sed -n 's/.*g1: watchdog bite: \([0-9.]*\) s since.*/\1/p' "$ERR")
late=$(echo "$ages" | awk 'NR == 1 || $1 - 2 > m { m = $1 - 2 } END { printf "%.3f", m }')
early=$(echo "$ages" | awk 'NR == 1 || $1 < m { m = $1 } END { printf "%.3f", m }')
metric watchdog_bite_latest_after_timeout_s "$late"
metric watchdog_bite_earliest_s "$early"
expect "watchdog: every bite 2.000 to 2.100 s after the last kick" "$(echo $ages)" \
	sh -c "echo '$ages' | awk '\$1 < 2.0 || \$1 > 2.1 { bad = 1 } END { exit bad }'"
gaps=$(stamp_gaps)
metric watchdog_kick_line_to_next_boot_s "$(echo $gaps)"
expect "watchdog: the guest's side: its last kick line to its next boot, 2.0 to 2.5 s" \
	"$(echo $gaps)" \
	sh -c "[ -n '$gaps' ] && echo '$gaps' | awk '\$1 < 2.0 || \$1 > 2.5 { bad = 1 } END { exit bad }'"

expect "watchdog: g3 (action stop) stopped at its first bite" "$(grep 'g3:' $ERR)" \
	grep -qE 'g3: watchdog bite: [0-9.]+ s since the last kick \(timeout 2\.000 s\): stopping it, as its action says' "$ERR"
expect "watchdog: g3 booted once and is stopped" "$(grep '^guest=g3' $ST)" \
	[ "$(count "$OUT" '\[g3\] boot')" -eq 1 -a "$(status_of g3 state $ST)" = stopped ]
expect "watchdog: g3's status line: one bite" "$(grep '^watchdog guest=g3' $ST)" \
	grep -qE '^watchdog guest=g3 kicks=11 bites=1 last-kick-age=[0-9.]+$' "$ST"

pinvm -s "$ST" status > /tmp/watchdog.show
expect "watchdog: pinvm status shows g1's kicks, bites and last kick age" \
	"$(grep '^watchdog' /tmp/watchdog.show)" \
	grep -qE "^watchdog guest=g1 kicks=[0-9]+ bites=$bites last-kick-age=[0-9]+\.[0-9]{3}$" /tmp/watchdog.show
kicks=$(sed -n 's/^watchdog guest=g1 kicks=\([0-9]*\).*/\1/p' /tmp/watchdog.show)
expect "watchdog: g1 kicked 11 times a boot" "kicks=$kicks after $bites bites" \
	[ "${kicks:-0}" -ge $((11 * bites)) ]
expect "watchdog: g1's resets counted" "$(grep '^guest=g1' $ST)" \
	[ "$(status_of g1 resets $ST)" -eq "$bites" ]

t0=$(last_tick "$OUT" g2)
expect "watchdog: g2 ticks on" "ticks $t0" wait_until 5 ticks_reach "$OUT" g2 $((t0 + 3))
expect "watchdog: g2 booted once" "$(grep '\[g2\] boot' $OUT)" \
	[ "$(count "$OUT" '\[g2\] boot')" -eq 1 ]
expect "watchdog: g2 ticked in order" "$(grep '\[g2\]' $OUT | tail -n 3)" \
	ticks_contiguous "$OUT" g2
gap=$(awk '/\[g2\] tick/ { if (p) { d = $1 - p; if (d > m) m = d } p = $1 } END { printf "%.3f", m }' "$OUT")
metric watchdog_neighbour_longest_tick_gap_s "$gap"
expect "watchdog: g2's longest gap between ticks (200 ms) under 1 s" "$gap s" \
	awk -v g="$gap" 'BEGIN { exit !(g < 1.0) }'
stop INT
expect "watchdog: SIGINT exits 0" "exit status $RC" [ "$RC" -eq 0 ]
exit 0
