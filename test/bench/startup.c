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
 * The timer and, by inheritance, the program's main thread run on CPU:
 * the board's cmdline isolates cores 1-3 only, and a second isolcpus=
 * cannot widen it, so on an 8-core board this keeps the program's own
 * threads off cores 4-7 unless it pins them there itself, as on a board
 * whose every core but 0 is isolated.
 *   startup CPU LOG PROG [ARG...]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv)
{
	long long start, end;
	struct rusage ru;
	cpu_set_t cpus;
	int status;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: startup CPU LOG PROG [ARG...]\n");
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
		run(argv[2], argv + 3);
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("startup: wait4");
		return 1;
	}
	end = now_ns();
	printf("STARTUP-RUN %d %lld %lld %ld %d\n", (int)pid, start, end,
	       ru.ru_maxrss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
