// SPDX-License-Identifier: GPL-2.0-only
/* Reading /proc/interrupts (host_irq.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_irq.h"

bool host_irq_parse(const char *line, struct host_irq_line *out)
{
	const char *p = line + strspn(line, " ");
	char *end;

	if (*p < '0' || *p > '9')
		return false;
	out->irq = strtoul(p, &end, 10);
	if (*end != ':')
		return false;
	out->count = 0;
	for (p = end + 1;; p = end) {
		unsigned long long n = strtoull(p, &end, 10);

		if (end == p)
			break;
		out->count += n;
	}
	/* The chip's name, then its own number for the line. */
	p += strspn(p, " ");
	p += strcspn(p, " \n");
	out->hwirq = strtoul(p, &end, 10);
	if (end == p)
		return false;
	out->actions = end;
	return true;
}

/* Calls fn for each numbered line until it returns true. */
static bool host_irq_each(bool (*fn)(const struct host_irq_line *l, void *ctx),
			  void *ctx)
{
	struct host_irq_line l;
	bool found = false;
	char line[1024];
	FILE *f = fopen("/proc/interrupts", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = host_irq_parse(line, &l) && fn(&l, ctx);
	fclose(f);
	return found;
}

struct host_irq_query {
	unsigned long intid;
	const char *tag;
	unsigned int irq;
	long long count;
};

static bool match_intid(const struct host_irq_line *l, void *ctx)
{
	struct host_irq_query *q = ctx;

	if (l->hwirq != q->intid || !strstr(l->actions, q->tag))
		return false;
	q->irq = l->irq;
	return true;
}

unsigned int host_irq_find(unsigned long intid, const char *tag)
{
	struct host_irq_query q = { .intid = intid, .tag = tag };

	return host_irq_each(match_intid, &q) ? q.irq : 0;
}

static bool match_irq(const struct host_irq_line *l, void *ctx)
{
	struct host_irq_query *q = ctx;

	if (l->irq != q->irq)
		return false;
	q->count = (long long)l->count;
	return true;
}

long long host_irq_count(unsigned int irq)
{
	struct host_irq_query q = { .irq = irq, .count = -1 };

	if (irq)
		host_irq_each(match_irq, &q);
	return q.count;
}
