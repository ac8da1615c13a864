/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's interrupts as /proc/interrupts shows them, one line each:
 * "N: <count per CPU...> <chip> <hwirq> <trigger> <actions>". For the
 * forwarded interrupts: which Linux number VFIO holds for a GIC INTID, and
 * how often the host took it (an eventfd's count cannot be read without
 * taking the event from the guest's irqfd).
 */
#ifndef PINVM_HOST_IRQ_H
#define PINVM_HOST_IRQ_H

#include "pinvm.h"

struct host_irq_line {
	unsigned int irq;		/* Linux's number */
	unsigned long long count;	/* summed over the CPUs */
	unsigned long hwirq;		/* the chip's number: the GIC INTID */
	const char *actions;		/* the rest of the line */
};

/* false for lines that are not a numbered interrupt (the header, IPIs). */
bool host_irq_parse(const char *line, struct host_irq_line *out);
/* The Linux number of the GIC INTID whose action contains tag; 0: none. */
unsigned int host_irq_find(unsigned long intid, const char *tag);
/* How often the host took Linux interrupt irq; -1 if it has none. */
long long host_irq_count(unsigned int irq);

#endif
