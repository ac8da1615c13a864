// SPDX-License-Identifier: GPL-2.0-only
/*
 * The status file (CONFIG_STATUS_FILE, --status-file): rewritten by the
 * main thread about once a second and when pinvm ends, atomically (write a
 * temporary file, rename), so a reader never sees half of it. One line per
 * guest and per region, as key=value words; docs/usage.md lists them.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "host_irq.h"
#include "service.h"
#include "status.h"

static const char *const state_names[] = {
	[GUEST_CREATED] = "created",
	[GUEST_RUNNING] = "running",
	[GUEST_STOPPED] = "stopped",
	[GUEST_CRASHED] = "crashed",
};

static void status_irqs(FILE *f, const struct guest *g, const struct region *r)
{
	unsigned int i;

	for (i = 0; i < r->nr_irqs; i++) {
		/* Raised by another guest's doorbell: no host line to count. */
		if (!r->irqs[i].host_irq)
			continue;
		fprintf(f, "irq guest=%s name=%s index=%u host-irq=%u spi=%u trigger=%s count=%lld\n",
			g->cfg->name, r->name, i, r->irqs[i].host_irq,
			r->irqs[i].spi, r->irqs[i].level ? "level" : "edge",
			host_irq_count(r->irqs[i].host_irq));
	}
}

static void status_guest(FILE *f, const struct guest *g)
{
	const struct guest_stats *s = &g->stats;
	unsigned int i;

	fprintf(f, "guest=%s core=%u state=%s exits=%llu mmio=%llu system_events=%llu nisv=%llu interrupted=%llu other=%llu denied=%llu resets=%llu\n",
		g->cfg->name, g->cfg->cpu, state_names[atomic_load(&g->state)],
		(unsigned long long)stat_read(&s->exits),
		(unsigned long long)stat_read(&s->mmio),
		(unsigned long long)stat_read(&s->system_events),
		(unsigned long long)stat_read(&s->nisv),
		(unsigned long long)stat_read(&s->interrupted),
		(unsigned long long)stat_read(&s->other),
		(unsigned long long)stat_read(&s->denied),
		(unsigned long long)stat_read(&s->resets));
	for (i = 0; i < g->bus.nr_regions; i++) {
		const struct region *r = &g->bus.regions[i];

		status_irqs(f, g, r);
		fprintf(f, "region guest=%s name=%s base=0x%llx size=0x%llx mode=%s reads=%llu writes=%llu\n",
			g->cfg->name, r->name, (unsigned long long)r->base,
			(unsigned long long)r->size,
			r->direct ? "direct" : "trap",
			(unsigned long long)stat_read(&r->reads),
			(unsigned long long)stat_read(&r->writes));
	}
}

int status_write(struct monitor *m, bool running)
{
	const char *path = m->status_file;
	const struct service *sp;
	struct pinvm_error err;
	char tmp[PATH_MAX];
	unsigned int i;
	FILE *f;

	/* /run may be bare at boot. */
	if (file_make_parent(path, &err))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -1;
	fprintf(f, "pinvm pid=%d state=%s uptime=%.3f\n", (int)getpid(),
		running ? "running" : "exited", log_elapsed());
	for (i = 0; i < m->part.nr_guests; i++) {
		status_guest(f, &m->guests[i]);
		for_each_service(sp)
			if (sp->status)
				sp->status(m, f, &m->guests[i]);
	}
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int status_show(const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		pr_err("%s: %s (is pinvm running?)", path, strerror(errno));
		return 1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}
