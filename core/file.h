/* SPDX-License-Identifier: GPL-2.0-only */
/* Whole files: bounded reads and atomic replacement. */
#ifndef PINVM_FILE_H
#define PINVM_FILE_H

#include <sys/types.h>

#include "pinvm.h"

/* A regular file of at most max bytes, whole, in a malloc'd *data. */
int file_read_fd(int fd, const char *what, uint64_t max, uint8_t **data,
		 size_t *len, struct pinvm_error *err);
int file_read_all(const char *path, uint64_t max, uint8_t **data,
		  size_t *len, struct pinvm_error *err);

/*
 * Like mkdir -p: every missing directory of dir, the ancestors 0755 and
 * dir itself with mode.
 */
int file_make_dirs(const char *dir, mode_t mode, struct pinvm_error *err);
/* The same for the directory a file is to be made in. */
int file_make_parent(const char *path, struct pinvm_error *err);

/*
 * Replace dir/name with data atomically: write name.tmp, fsync it, rename
 * it over name, fsync dir. step names the write for fault injection
 * (below): "<step>-partial", "-write", "-fsync", "-rename",
 * "-dirsync", and "<step>-full", which fails the write with ENOSPC
 * instead of killing pinvm (a full or read-only disk).
 */
int file_replace(const char *dir, const char *name, const void *data,
		 size_t len, const char *step, struct pinvm_error *err);

/*
 * Power-cut tests (CONFIG_UPDATE_FAULT_INJECTION): pinvm kills itself with
 * SIGKILL right after the point named by $PINVM_FAULT. fault_armed() of
 * step "seccomp" is the sandbox self-test instead (CONFIG_SANDBOX_SELFTEST):
 * the thread named by the point makes a forbidden call; step "landlock"
 * (point "") makes every thread probe its file-system reach. Step "boot-"
 * (CONFIG_UPDATE_FAULT_INJECTION), point a guest's name: that guest's
 * first boot fails on its vCPU thread, after its RAM is populated.
 */
bool fault_armed(const char *step, const char *point);
void fault_point(const char *step, const char *point);

#endif
