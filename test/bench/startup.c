// SPDX-License-Identifier: GPL-2.0-only
/*
 * The start-up benchmark's timer, on the board: fork, exec, wait4. The
 * clock is CLOCK_MONOTONIC, the one tracefs stamps its events with under
 * trace_clock mono, so board-startup.sh can set these times against the
 * program's exec and guest entries in the trace. Prints
 *   STARTUP-RUN PID FORK_NS REAPED_NS MAXRSS_KIB STATUS
 * where PID is the program's (the exec's) and STATUS its exit status, or
 * 128 + the signal that ended it.
 *
 * With --rss it times nothing: it samples the program's resident memory
 * every millisecond from /proc/PID/smaps_rollup, which walks its page
 * tables, until it exits, and prints
 *   STARTUP-RSS PID PEAK_KIB STATUS
 * wait4's ru_maxrss cannot be used for that: on this kernel (6.1) each
 * thread counts the pages it faults in on its own and adds them to the
 * process's count only now and then, so RAM that the vCPU threads
 * populate (MADV_POPULATE_WRITE) is missing from the high-water mark.
 *
 * The timer and, by inheritance, the program's main thread run on CPU:
 * the board's cmdline isolates cores 1-3 only, and a second isolcpus=
 * cannot widen it, so on an 8-core board this keeps the program's own
 * threads off cores 4-7 unless it pins them there itself, as on a board
 * whose every core but 0 is isolated.
 *   startup CPU LOG [--rss] PROG [ARG...]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ll + t.tv_nsec;
}

/* In the child: the program's output to LOG, never to the slow console. */
static void run(const char *log, char **argv)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	close(fd);
	execv(argv[0], argv);
	_exit(127);
}

/* The Rss of /proc/PID/smaps_rollup in KiB, 0 once it is gone. */
static long rss_kib(pid_t pid)
{
	char path[64], line[128];
	long kib = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Rss: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int exit_status(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* --rss: the peak of the samples, until the program has exited. */
static int sample_rss(pid_t pid)
{
	struct timespec ms = { 0, 1000000 };
	long peak = 0, kib;
	int status;

	for (;;) {
		kib = rss_kib(pid);
		if (kib > peak)
			peak = kib;
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		nanosleep(&ms, NULL);
	}
	printf("STARTUP-RSS %d %ld %d\n", (int)pid, peak, exit_status(status));
	return 0;
}

int main(int argc, char **argv)
{
	long long start, end;
	struct rusage ru;
	cpu_set_t cpus;
	bool rss;
	int status;
	pid_t pid;

	rss = argc > 3 && !strcmp(argv[3], "--rss");
	if (argc < 4 + rss) {
		fprintf(stderr, "usage: startup CPU LOG [--rss] PROG [ARG...]\n");
		return 2;
	}
	CPU_ZERO(&cpus);
	CPU_SET(atoi(argv[1]), &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
		perror("startup: sched_setaffinity");
		return 1;
	}
	start = now_ns();
	pid = fork();
	if (pid < 0) {
		perror("startup: fork");
		return 1;
	}
	if (!pid)
		run(argv[2], argv + 3 + rss);
	if (rss)
		return sample_rss(pid);
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("startup: wait4");
		return 1;
	}
	end = now_ns();
	printf("STARTUP-RUN %d %lld %lld %ld %d\n", (int)pid, start, end,
	       ru.ru_maxrss, exit_status(status));
	return 0;
}
