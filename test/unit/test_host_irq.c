// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lines of /proc/interrupts as Linux 6.1 on arm64 writes them: the
 * forwarded interrupts' host number (found by the GIC INTID of a line VFIO
 * holds) and their count, summed over the CPUs.
 */
#include "host_irq.h"
#include "unit.h"

static void test_vfio_line(void)
{
	struct host_irq_line l;

	TEST("vfio-amba's line");
	CHECK(host_irq_parse(" 17:          5          0          2          0     GICv3  39 Level     vfio-irq[17](vfio-amba-00041061)\n",
			     &l));
	CHECK(l.irq == 17 && l.count == 7 && l.hwirq == 39);
	CHECK(strstr(l.actions, "vfio-irq[17](vfio-amba-00041061)") != NULL);

	TEST("a platform device's edge line, one CPU");
	CHECK(host_irq_parse("143:   1234567890123 GICv2 79 Edge vfio-irq[143](a003e00.virtio_mmio)",
			     &l));
	CHECK(l.irq == 143 && l.count == 1234567890123ull && l.hwirq == 79);
}

static void test_other_lines(void)
{
	struct host_irq_line l;

	TEST("lines that are no numbered interrupt");
	CHECK(!host_irq_parse("           CPU0       CPU1       CPU2       CPU3\n", &l));
	CHECK(!host_irq_parse("IPI0:       2214       1832       1570       1569       Rescheduling interrupts\n", &l));
	CHECK(!host_irq_parse("Err:          0\n", &l));
	CHECK(!host_irq_parse("", &l));
	CHECK(!host_irq_parse("12", &l));

	TEST("a line without the chip's number");
	CHECK(!host_irq_parse(" 40:  3  0 \n", &l));

	TEST("the arch timer");
	CHECK(host_irq_parse(" 11:  100  200  GICv3  27 Level     arch_timer\n", &l));
	CHECK(l.irq == 11 && l.count == 300 && l.hwirq == 27);
	CHECK(!strstr(l.actions, "vfio-irq["));
}

int main(void)
{
	test_vfio_line();
	test_other_lines();
	/* The host running the tests: no such line, no count. */
	TEST("absent interrupts");
	CHECK(host_irq_find(100000, "vfio-irq[") == 0);
	CHECK(host_irq_count(0) == -1);
	CHECK(host_irq_count(4000000000u) == -1);
	return unit_report();
}
