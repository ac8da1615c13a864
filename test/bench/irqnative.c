// SPDX-License-Identifier: GPL-2.0-only
/*
 * The native baseline of the interrupt benchmark: the host kernel taking
 * the same PL061 interrupt the guests take, raised the same way. This
 * program claims the PL061 through VFIO (so the kernel's handler is
 * vfio-platform's, and nothing else of the host touches the device),
 * makes an output line with a level-high interrupt, and per sample reads
 * the generic counter and sets the line. The kernel's handler entry is
 * irq:irq_handler_entry in tracefs, stamped with trace_clock mono_raw,
 * which is the same counter scaled to ns: each sample maps its counter
 * stamp to CLOCK_MONOTONIC_RAW by reading both back to back.
 *   irqnative COUNT CPU
 * prints "irq-ns N" per sample (handler entry minus the write), then
 * "irq-native: n=N missing=M".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vfio.h"

#define PL061_NAME	"9030000.pl061"
#define LINE		0
#define BIT		(1u << LINE)
/* GPIODATA is addressed through a mask in the address bits [9:2]. */
#define GPIODATA	(BIT << 2)
#define GPIODIR		0x400
#define GPIOIS		0x404
#define GPIOIBE		0x408
#define GPIOIEV		0x40c
#define GPIOIE		0x410
#define GPIOIC		0x41c

#define MAX_SAMPLES	4096
#define GAP_US		2000

static const char *tracefs = "/sys/kernel/tracing";

static uint64_t cntvct(void)
{
	uint64_t v;

	asm volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(v) :: "memory");
	return v;
}

static uint64_t cntfrq(void)
{
	uint64_t v;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static uint64_t raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void reg_write(struct bench_vfio *v, unsigned int off, uint32_t val)
{
	*(volatile uint32_t *)(v->regs + off) = val;
}

static void trace_write(const char *file, const char *value)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, value, strlen(value)) < 0) {
		fprintf(stderr, "irqnative: cannot write '%s' to %s: %s\n",
			value, path, strerror(errno));
		exit(1);
	}
	close(fd);
}

/*
 * The Linux IRQ number vfio-platform requested for the PL061: the first
 * field of its /proc/interrupts line, "vfio-irq[N](vfio-amba-<periphid>)"
 * (the name has no device name in it; this is the only VFIO device open).
 */
static int vfio_irq(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[512];
	int irq = -1;

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "vfio-irq"))
			irq = atoi(line);
	if (irq < 0) {
		fprintf(stderr, "irqnative: no vfio-irq line in /proc/interrupts:\n");
		rewind(f);
		while (f && fgets(line, sizeof(line), f))
			fputs(line, stderr);
		exit(1);
	}
	fclose(f);
	return irq;
}

/*
 * Only that IRQ's handler entries, ns timestamps of the raw clock, and
 * the raw output format, whose third field is the timestamp in ns (the
 * default prints microseconds).
 */
static void trace_start(int irq)
{
	char filter[32];

	if (access(tracefs, F_OK))
		tracefs = "/sys/kernel/debug/tracing";
	snprintf(filter, sizeof(filter), "irq == %d", irq);
	trace_write("tracing_on", "0");
	trace_write("trace_clock", "mono_raw");
	trace_write("options/raw", "1");
	trace_write("events/irq/irq_handler_entry/filter", filter);
	trace_write("events/irq/irq_handler_entry/enable", "1");
	trace_write("trace", "");
	trace_write("tracing_on", "1");
}

/* Handler entry stamps, in order; "pid cpu ns type: N" a line. */
static int trace_stop(uint64_t *ts, int max)
{
	char path[256], line[256];
	unsigned long long t;
	int pid, cpu, n = 0;
	FILE *f;

	trace_write("tracing_on", "0");
	snprintf(path, sizeof(path), "%s/trace", tracefs);
	f = fopen(path, "r");
	while (f && n < max && fgets(line, sizeof(line), f))
		if (line[0] != '#' &&
		    sscanf(line, "%d %d %llu", &pid, &cpu, &t) == 3)
			ts[n++] = t;
	if (f)
		fclose(f);
	trace_write("events/irq/irq_handler_entry/enable", "0");
	trace_write("events/irq/irq_handler_entry/filter", "0");
	trace_write("options/raw", "0");
	trace_write("trace_clock", "local");
	return n;
}

/*
 * The raw clock's ns at counter value c: the tightest of a few back to
 * back reads of counter, clock, counter gives the pair; the counter's
 * rate carries it to c, a few microseconds away.
 */
static uint64_t counter_to_ns(uint64_t c, uint64_t freq)
{
	uint64_t best = ~0ull, mid = 0, ns = 0;
	int i;

	for (i = 0; i < 5; i++) {
		uint64_t c1 = cntvct(), t = raw_ns(), c2 = cntvct();

		if (c2 - c1 < best) {
			best = c2 - c1;
			mid = c1 + (c2 - c1) / 2;
			ns = t;
		}
	}
	return ns - (int64_t)(mid - c) * 1000000000LL / (int64_t)freq;
}

static void pl061_arm(struct bench_vfio *v)
{
	reg_write(v, GPIOIE, 0);
	reg_write(v, GPIODIR, BIT);
	reg_write(v, GPIODATA, 0);
	/* Event before sense: level-high with the line low raises nothing. */
	reg_write(v, GPIOIEV, BIT);
	reg_write(v, GPIOIBE, 0);
	reg_write(v, GPIOIS, BIT);
	reg_write(v, GPIOIC, 0xff);
	reg_write(v, GPIOIE, BIT);
}

/* Wait for VFIO's eventfd without sleeping: core CPU stays as busy as a guest's. */
static int wait_irq(struct bench_vfio *v, uint64_t deadline)
{
	uint64_t count;

	while (read(v->trigger, &count, sizeof(count)) != sizeof(count))
		if (cntvct() > deadline)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static uint64_t start[MAX_SAMPLES], entry[MAX_SAMPLES + 16];
	int count, i, j, got, missing = 0;
	struct bench_vfio v;
	uint64_t freq = cntfrq();
	cpu_set_t cpus;

	if (argc < 3 || (count = atoi(argv[1])) < 1 || count > MAX_SAMPLES) {
		fprintf(stderr, "usage: irqnative COUNT CPU\n");
		return 2;
	}
	CPU_ZERO(&cpus);
	CPU_SET(atoi(argv[2]), &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus)) {
		perror("sched_setaffinity");
		return 1;
	}
	bench_vfio_claim(&v, "amba", PL061_NAME, 1);
	pl061_arm(&v);
	trace_start(vfio_irq());
	for (i = 0; i < count; i++) {
		uint64_t c0;

		usleep(GAP_US);
		c0 = cntvct();
		reg_write(&v, GPIODATA, BIT);
		if (wait_irq(&v, c0 + freq)) {
			fprintf(stderr, "irqnative: sample %d: no interrupt within 1 s\n", i);
			start[i] = 0;
			missing++;
		} else {
			start[i] = counter_to_ns(c0, freq);
		}
		/* Line low first, then clear: level-high would latch again. */
		reg_write(&v, GPIODATA, 0);
		reg_write(&v, GPIOIC, BIT);
		bench_vfio_unmask(&v);
	}
	reg_write(&v, GPIOIE, 0);
	got = trace_stop(entry, MAX_SAMPLES + 16);
	bench_vfio_release(&v);

	/* Each write's entry is the first one after it and before the next write. */
	for (i = 0, j = 0; i < count; i++) {
		if (!start[i])
			continue;
		while (j < got && entry[j] < start[i])
			j++;
		if (j == got || (i + 1 < count && start[i + 1] &&
				 entry[j] >= start[i + 1])) {
			missing++;
			continue;
		}
		printf("irq-ns %llu\n", (unsigned long long)(entry[j] - start[i]));
		j++;
	}
	printf("irq-native: n=%d missing=%d entries=%d\n", count - missing,
	       missing, got);
	return missing == count;
}
