#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run by init inside the emulated board (pinvm.test=/test/board.sh): runs
# the suites named in its one argument (pinvm.arg=SUITE,SUITE,...), each
# /test/suites/SUITE.sh in a shell of its own, then prints
# "BOARD-TESTS-DONE" for test/system/run.sh. A suite runs alone just as
# well: sh /test/suites/SUITE.sh.

echo "board: $(uname -r), $(nproc) cpus, $(cat /sys/devices/system/cpu/online) online"
for suite in $(echo "${1:-}" | tr , ' '); do
	if [ ! -f "/test/suites/$suite.sh" ]; then
		echo "FAIL: suite $suite: no /test/suites/$suite.sh"
		continue
	fi
	echo "board: suite $suite"
	sh "/test/suites/$suite.sh"
	rc=$?
	[ $rc -eq 0 ] || echo "FAIL: suite $suite: exited with status $rc"
done
echo "BOARD-TESTS-DONE"
