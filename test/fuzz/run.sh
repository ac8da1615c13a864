#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run each libFuzzer target for a bounded time from its seed corpus
# (test/fuzz/corpus/<target>), keeping what it finds in build/fuzz/.
#   run.sh FUZZ_DIR SECONDS TARGET...
# A crash fails the run; its input is left in FUZZ_DIR/crashes/ and should
# become a unit test. So does a target that stops before its time is up
# (libFuzzer leaves quietly on SIGUSR1/SIGUSR2, which pinvm's own code
# sends), or runs fewer than 1000 inputs.
set -u
dir=$1
seconds=$2
shift 2
failed=0
mkdir -p "$dir/crashes"
for t in "$@"; do
	corpus=$dir/corpus-$t
	mkdir -p "$corpus"
	cp test/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
	"$dir/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/$t-" "$corpus" > "$dir/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$t.log")
	if [ $rc -ne 0 ]; then
		tail -n 30 "$dir/$t.log"
		echo "fuzz: $t: FAILED after ${execs:-?} executions (exit $rc); input in $dir/crashes/"
		failed=$((failed + 1))
	elif [ "${execs:-0}" -lt 1000 ] || grep -q "exiting as requested" "$dir/$t.log"; then
		tail -n 10 "$dir/$t.log"
		echo "fuzz: $t: FAILED: stopped early, after ${execs:-0} executions"
		failed=$((failed + 1))
	else
		echo "fuzz: $t: ${execs:-?} executions in $seconds s, no crash"
		echo "METRIC: fuzz_${t}_execs_${seconds}s=${execs:-0}"
	fi
done
[ $failed -eq 0 ]
