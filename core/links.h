/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's links: each service's endpoint for that guest, which the
 * devices fronting the service (drivers/health.c fronts field update) get
 * in attach(). Neither side names the other through core.
 */
#ifndef PINVM_LINKS_H
#define PINVM_LINKS_H

#define GUEST_SERVICES_MAX	4

struct service;

struct guest_links {
	void *link[GUEST_SERVICES_MAX];
};

/* The endpoint of the service named so, or NULL when it does not serve the guest. */
void *guest_link(const struct guest_links *l, const char *service);
void guest_set_link(struct guest_links *l, const struct service *svc,
		    void *link);

#endif
