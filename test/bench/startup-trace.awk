# SPDX-License-Identifier: GPL-2.0-only
#
# The start-up benchmark's runs against its trace, on the board
# (board-startup.sh; busybox awk): the runs' table first (/tmp/runs:
# ROUND PROGRAM GUESTS STARTUP-RUN PID FORK_NS REAPED_NS RSS_KIB STATUS,
# from /test/startup), then the trace. A program's threads are those
# forked from its exec'd pid; trace lines are "COMM-TID [CPU] FLAGS
# SECONDS.MICROSECONDS: EVENT: FIELDS", and COMM may hold spaces. Prints
# per run
#   STARTUP ROUND PROGRAM GUESTS ENTERED FIRST_US ALL_US WHOLE_US TEARDOWN_US RSS_KIB STATUS EXEC_US
#   awk -f startup-trace.awk RUNS TRACE
function kv(name,	i) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
function us_or_dash(v) { return v == "" ? "-" : sprintf("%d", v) }
FILENAME == ARGV[1] {
	if (NF != 9)
		next
	pid = $5
	order[++runs] = pid
	label[pid] = $1 " " $2 " " $3
	need[pid] = $3
	fork_us[pid] = $6 / 1000
	reaped_us[pid] = $7 / 1000
	rss[pid] = $8
	status[pid] = $9
	next
}
/^#/ { next }
{
	for (i = 2; i <= NF; i++)
		if ($i ~ /^\[[0-9]+\]$/)
			break
	if (i > NF)
		next
	tid = $(i - 1)
	sub(/.*-/, "", tid)
	for (j = i + 1; j < NF; j++)
		if ($j ~ /^[0-9]+\.[0-9]+:$/)
			break
	if (j >= NF)
		next
	split(substr($j, 1, length($j) - 1), ts, ".")
	# busybox awk reads 077331 as octal (32473): no leading zeros.
	sub(/^0+/, "", ts[2])
	us = ts[1] * 1000000 + ts[2]
	ev = $(j + 1)
	if (ev == "sched_process_exec:") {
		pid = kv("pid")
		if (pid in label) {
			owner[pid] = pid
			exec_us[pid] = us
		}
	} else if (ev == "sched_process_fork:") {
		parent = kv("pid")
		if (parent in owner)
			owner[kv("child_pid")] = owner[parent]
	} else if (ev == "sched_process_exit:") {
		delete owner[kv("pid")]
	} else if (tid in owner) {
		r = owner[tid]
		if (ev == "kvm_entry:" && !(tid in entered)) {
			entered[tid] = us
			if (++nentered[r] == need[r])
				all_us[r] = us
			if (!(r in first_us))
				first_us[r] = us
		} else if (ev == "kvm_exit:") {
			last_exit_us[r] = us
		}
	}
}
END {
	for (k = 1; k <= runs; k++) {
		pid = order[k]
		first = all = teardown = exec = ""
		if (pid in exec_us)
			exec = exec_us[pid] - fork_us[pid]
		if ((pid in exec_us) && (pid in first_us))
			first = first_us[pid] - exec_us[pid]
		if ((pid in exec_us) && (pid in all_us))
			all = all_us[pid] - exec_us[pid]
		if (pid in last_exit_us)
			teardown = reaped_us[pid] - last_exit_us[pid]
		printf "STARTUP %s %d %s %s %d %s %d %d %s\n", label[pid],
			nentered[pid], us_or_dash(first), us_or_dash(all),
			reaped_us[pid] - fork_us[pid], us_or_dash(teardown),
			rss[pid], status[pid], us_or_dash(exec)
	}
}
