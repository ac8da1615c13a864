/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest names and firmware versions. */
#ifndef PINVM_NAMES_H
#define PINVM_NAMES_H

#include <stdbool.h>

/* A guest's name (its node name) and a version, each with its NUL. */
#define GUEST_NAME_MAX		32
#define VERSION_MAX		32

/* 1 to GUEST_NAME_MAX - 1 characters of a-z, 0-9, '-' and '_'. */
bool guest_name_valid(const char *name);
/* 1 to 4 dot-separated numbers of at most 9 digits, e.g. "1.4.2". */
bool version_valid(const char *v);
/* <0, 0, >0 as a is older than, the same as, or newer than b. */
int version_compare(const char *a, const char *b);

#endif
