// SPDX-License-Identifier: GPL-2.0-only
/*
 * Landlock through its three system calls (glibc has no wrappers), with
 * the structures of the build's kernel headers. Only the rights the
 * running kernel's ABI offers are asked for: a right the kernel does not
 * know makes landlock_create_ruleset fail with EINVAL.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"

/* Newer than some build machines' headers (ABI 3 and 5). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)
#endif

#define LL_READ		(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* Atomic replacement: a temporary file, fsync, rename over the old one. */
#define LL_WRITE_DIR	(LL_READ | LANDLOCK_ACCESS_FS_WRITE_FILE |	\
			 LANDLOCK_ACCESS_FS_MAKE_REG |			\
			 LANDLOCK_ACCESS_FS_MAKE_DIR |			\
			 LANDLOCK_ACCESS_FS_REMOVE_FILE |		\
			 LANDLOCK_ACCESS_FS_REMOVE_DIR |		\
			 LANDLOCK_ACCESS_FS_REFER |			\
			 LANDLOCK_ACCESS_FS_TRUNCATE)
/* A rule on a file may only hold rights that apply to files. */
#define LL_WRITE_FILE	(LANDLOCK_ACCESS_FS_READ_FILE |			\
			 LANDLOCK_ACCESS_FS_WRITE_FILE |		\
			 LANDLOCK_ACCESS_FS_TRUNCATE)

int landlock_abi(void)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0,
			   LANDLOCK_CREATE_RULESET_VERSION);

	/* ENOSYS: not built in; EOPNOTSUPP: built, but not in the LSM list. */
	return abi > 0 ? (int)abi : 0;
}

/* Every file-system right of ABI abi. */
static __u64 handled_fs(int abi)
{
	__u64 fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;	/* ABI 1 */

	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return fs;
}

static __u64 reach_rights(enum landlock_reach reach)
{
	switch (reach) {
	case LANDLOCK_WRITE_DIR:
		return LL_WRITE_DIR;
	case LANDLOCK_WRITE_FILE:
		return LL_WRITE_FILE;
	case LANDLOCK_READ:
		break;
	}
	return LL_READ;
}

static int add_rule(int ruleset, const struct landlock_rule *r, __u64 handled,
		    struct pinvm_error *err)
{
	struct landlock_path_beneath_attr attr = { 0 };
	__u64 rights = reach_rights(r->reach) & handled;
	struct stat st;
	int ret;

	attr.parent_fd = open(r->path, O_PATH | O_CLOEXEC);
	/* Not there (no guest is updated): nothing the thread will write. */
	if (attr.parent_fd < 0 && errno == ENOENT)
		return 0;
	if (attr.parent_fd < 0) {
		pr_warn("landlock: %s: %s: left out of the thread's reach",
			r->path, strerror(errno));
		return 0;
	}
	/* A directory's rights on a file are refused (EINVAL): keep its own. */
	if (!fstat(attr.parent_fd, &st) && !S_ISDIR(st.st_mode))
		rights &= LL_WRITE_FILE;
	attr.allowed_access = rights;
	ret = syscall(__NR_landlock_add_rule, ruleset,
		      LANDLOCK_RULE_PATH_BENEATH, &attr, 0);
	if (ret)
		error_set(err, "landlock: cannot add %s to the ruleset: %s",
			  r->path, strerror(errno));
	close(attr.parent_fd);
	return ret ? -1 : 0;
}

int landlock_restrict(int abi, const struct landlock_rule *rules, size_t n,
		      struct pinvm_error *err)
{
	struct landlock_ruleset_attr attr = { .handled_access_fs = 0 };
	size_t i;
	int ruleset;

	if (abi <= 0)
		return 0;
	attr.handled_access_fs = handled_fs(abi);
	ruleset = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0) {
		error_set(err, "landlock: cannot create a ruleset (ABI %d): %s",
			  abi, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (add_rule(ruleset, &rules[i], attr.handled_access_fs, err)) {
			close(ruleset);
			return -1;
		}
	}
	/* Without CAP_SYS_ADMIN (dropped just before) Landlock needs this. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(__NR_landlock_restrict_self, ruleset, 0)) {
		error_set(err, "landlock: cannot restrict the thread: %s",
			  strerror(errno));
		close(ruleset);
		return -1;
	}
	close(ruleset);
	return 0;
}
