#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Run the unit test binaries: run.sh UNIT_DIR TEST...; sums their counts.
set -u
dir=$1
shift
passed=0
failed=0
for t in "$@"; do
	out=$("$dir/$t" "$(dirname "$dir")" 2>&1)
	rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	if [ -z "$line" ] || [ $rc -ne 0 ]; then
		printf '%s\n' "$out"
	fi
	if [ -z "$line" ]; then
		echo "unit: $t: crashed or printed no result (exit $rc)"
		failed=$((failed + 1))
		continue
	fi
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed}
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	echo "unit: $t: $p passed, $f failed"
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "unit: $passed passed, $failed failed"
[ $failed -eq 0 ]
