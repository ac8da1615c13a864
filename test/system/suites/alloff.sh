#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Every guest powers off: pinvm exits 0 by itself.
. /test/lib.sh

start alloff
expect "alloff: pinvm exits by itself" "still running after 60 s" \
	wait_until 60 not_running
wait "$PID"
RC=$?
expect "alloff: exit status 0" "exit status $RC" [ "$RC" -eq 0 ]
expect "alloff: says so" "no 'all guests have stopped'" \
	grep -q "all guests have stopped" /tmp/alloff.err
expect "alloff: both guests powered off" "not both" \
	[ "$(count /tmp/alloff.err 'powered off')" -eq 2 ]
exit 0
