// SPDX-License-Identifier: GPL-2.0-only
/* Services' links: a service's place in the section is its slot. */
#include <string.h>

#include "service.h"

static int service_index(const char *name)
{
	const struct service *sp;
	int i = 0;

	for_each_service(sp) {
		if (!strcmp(sp->name, name))
			return i < GUEST_SERVICES_MAX ? i : -1;
		i++;
	}
	return -1;
}

void *guest_link(const struct guest_links *l, const char *service)
{
	int i = service_index(service);

	return i < 0 ? NULL : l->link[i];
}

void guest_set_link(struct guest_links *l, const struct service *svc,
		    void *link)
{
	int i = service_index(svc->name);

	if (i >= 0)
		l->link[i] = link;
}

void services_guest_boot(struct monitor *m, struct guest *g)
{
	const struct service *sp;

	for_each_service(sp)
		if (sp->guest_boot)
			sp->guest_boot(m, g);
}
