#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The build, image and package checks (make build-checks): the build
# itself, the Buildroot package, then the board image. Each script prints
# its own "<name>: N passed, N failed"; this sums them.
#   run.sh BUILD_DIR
set -u
build=$1
mkdir -p "$build/build-checks"
passed=0
failed=0
for t in build-checks buildroot/check image-checks; do
	out=$build/build-checks/$(echo "$t" | tr / -).log
	sh "test/build/$t.sh" "$build" > "$out" 2>&1
	rc=$?
	cat "$out"
	line=$(grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "build-checks: test/build/$t.sh printed no result"
		failed=$((failed + 1))
		continue
	fi
	p=${line#*: }
	p=${p%% passed*}
	f=${line#*passed, }
	f=${f%% failed}
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "build-checks: $passed passed, $failed failed"
[ $failed -eq 0 ]
