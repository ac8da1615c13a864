/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal unit test harness: CHECK() counts, a failure prints where and
 * why, and the run ends with "N passed, N failed" for test/unit/run.sh.
 */
#ifndef PINVM_UNIT_H
#define PINVM_UNIT_H

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_passed, unit_failed;
static const char *unit_name = "";

#define CHECK(cond)							\
	do {								\
		if (cond) {						\
			unit_passed++;					\
		} else {						\
			unit_failed++;					\
			fprintf(stderr, "FAIL %s:%d [%s]: %s\n",	\
				__FILE__, __LINE__, unit_name, #cond);	\
		}							\
	} while (0)

#define CHECK_CONTAINS(text, needle)					\
	do {								\
		const char *t_ = (text), *n_ = (needle);		\
		if (strstr(t_, n_)) {					\
			unit_passed++;					\
		} else {						\
			unit_failed++;					\
			fprintf(stderr, "FAIL %s:%d [%s]: \"%s\" lacks \"%s\"\n", \
				__FILE__, __LINE__, unit_name, t_, n_);	\
		}							\
	} while (0)

#define TEST(name) unit_name = (name)

static inline int unit_report(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	fflush(stdout);
	return unit_failed ? 1 : 0;
}

/* The whole of a file, or exit: fixtures are built by make before tests. */
static inline void *unit_read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "cannot read fixture %s\n", path);
		exit(2);
	}
	buf = malloc(n + 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n) {
		fprintf(stderr, "cannot read fixture %s\n", path);
		exit(2);
	}
	fclose(f);
	*size = n;
	return buf;
}

/* The offset of a fixture's node, or exit: the fixture lacks it. */
static inline int unit_node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	if (off < 0) {
		fprintf(stderr, "no node %s in the fixture\n", path);
		exit(2);
	}
	return off;
}

/* A writable copy of a device tree blob, with room to change it. */
static inline void *unit_fdt_copy(const void *blob)
{
	size_t size = fdt_totalsize(blob) + 8192;
	void *fdt = malloc(size);

	if (!fdt || fdt_open_into(blob, fdt, size)) {
		fprintf(stderr, "cannot copy a device tree fixture\n");
		exit(2);
	}
	return fdt;
}

/* The same, of a blob file. */
static inline void *unit_read_fdt(const char *path)
{
	size_t n;
	void *blob = unit_read_file(path, &n);
	void *fdt = unit_fdt_copy(blob);

	free(blob);
	return fdt;
}

/* Write a fixture file dir/name, or exit. */
static inline void unit_write_file(const char *dir, const char *name,
				   const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "cannot write fixture %s\n", path);
		exit(2);
	}
}

#endif
