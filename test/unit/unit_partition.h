/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the partition tests (test_partition.c, test_shmem.c): a partition
 * that must be refused, with a message that names what it must.
 */
#ifndef PINVM_UNIT_PARTITION_H
#define PINVM_UNIT_PARTITION_H

#include "partition.h"
#include "unit.h"

/* Parse fdt as "test.dtb" (and free it): it fails, leaving no guest. */
static inline void unit_expect_refused(struct partition *p, const char *dir,
				       const char *name, void *fdt,
				       const char *needle1, const char *needle2)
{
	struct pinvm_error err = { "" };

	TEST(name);
	CHECK(partition_parse(p, fdt, "test.dtb", dir, &err) == -1);
	CHECK(p->nr_guests == 0);
	CHECK_CONTAINS(err.msg, "test.dtb: ");
	CHECK_CONTAINS(err.msg, needle1);
	if (needle2)
		CHECK_CONTAINS(err.msg, needle2);
	free(fdt);
}

#endif
