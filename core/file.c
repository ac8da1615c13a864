// SPDX-License-Identifier: GPL-2.0-only
/*
 * Whole files: read one at once (bounded), or replace one atomically, so
 * that a power cut leaves the old file or the new, never a torn one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"

/* The sandbox self-tests ("seccomp", "landlock") have an option of their own. */
static bool fault_enabled(const char *step)
{
	if (!strcmp(step, "seccomp") || !strcmp(step, "landlock"))
		return IS_ENABLED(CONFIG_SANDBOX_SELFTEST);
	return IS_ENABLED(CONFIG_UPDATE_FAULT_INJECTION);
}

bool fault_armed(const char *step, const char *point)
{
	const char *want;
	size_t n = strlen(step);

	if (!fault_enabled(step))
		return false;
	want = getenv("PINVM_FAULT");
	return want && !strncmp(want, step, n) && !strcmp(want + n, point);
}

void fault_point(const char *step, const char *point)
{
	if (!fault_armed(step, point))
		return;
	pr_err("fault injection: SIGKILL at %s%s", step, point);
	raise(SIGKILL);
}

int file_read_fd(int fd, const char *what, uint64_t max, uint8_t **data,
		 size_t *len, struct pinvm_error *err)
{
	struct stat st;
	size_t done = 0;

	*data = NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		error_set(err, "cannot read %s: %s", what,
			  errno ? strerror(errno) : "not a regular file");
		return -1;
	}
	if ((uint64_t)st.st_size > max) {
		error_set(err, "%s: %lld bytes, more than the %llu expected",
			  what, (long long)st.st_size, (unsigned long long)max);
		return -1;
	}
	*data = malloc(st.st_size ? st.st_size : 1);
	while (*data && done < (size_t)st.st_size) {
		ssize_t n = pread(fd, *data + done, st.st_size - done, done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error_set(err, "cannot read %s: %s", what,
				  n < 0 ? strerror(errno) : "file changed while read");
			free(*data);
			*data = NULL;
			return -1;
		}
		done += n;
	}
	if (!*data) {
		error_set(err, "%s: out of memory", what);
		return -1;
	}
	*len = done;
	return 0;
}

int file_read_all(const char *path, uint64_t max, uint8_t **data,
		  size_t *len, struct pinvm_error *err)
{
	int fd, ret;

	*data = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error_set(err, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	errno = 0;
	ret = file_read_fd(fd, path, max, data, len, err);
	close(fd);
	return ret;
}

int file_make_dirs(const char *dir, mode_t mode, struct pinvm_error *err)
{
	char path[PATH_MAX];
	char *p;

	if (snprintf(path, sizeof(path), "%s/", dir) >= (int)sizeof(path)) {
		error_set(err, "%s: path too long", dir);
		return -1;
	}
	for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, p[1] ? 0755 : mode) && errno != EEXIST) {
			error_set(err, "%s: cannot create: %s", path,
				  strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int file_make_parent(const char *path, struct pinvm_error *err)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return file_make_dirs(dir, 0755, err);
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int file_replace(const char *dir, const char *name, const void *data,
		 size_t len, const char *step, struct pinvm_error *err)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	int fd, dfd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, name) >= (int)sizeof(tmp)) {
		error_set(err, "%s/%s: path too long", dir, name);
		return -1;
	}
	/* A full or read-only disk: the write fails, nothing is killed. */
	if (fault_armed(step, "-full")) {
		errno = ENOSPC;
		goto fail;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	/* A power cut in the middle of the write. */
	if (fault_armed(step, "-partial") && !write_all(fd, data, len / 2))
		fault_point(step, "-partial");
	if (write_all(fd, data, len))
		goto fail_fd;
	fault_point(step, "-write");
	if (fsync(fd))
		goto fail_fd;
	fault_point(step, "-fsync");
	if (close(fd)) {
		fd = -1;
		goto fail_fd;
	}
	if (rename(tmp, path))
		goto fail;
	fault_point(step, "-rename");
	/*
	 * The rename is durable only once the directory is. It has happened
	 * all the same, so a failure here is not a failed write.
	 */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd))
		pr_warn("%s: cannot sync the directory: %s", dir,
			strerror(errno));
	if (dfd >= 0)
		close(dfd);
	fault_point(step, "-dirsync");
	return 0;
fail_fd:
	if (fd >= 0)
		close(fd);
fail:
	error_set(err, "%s: cannot write: %s", tmp, strerror(errno));
	unlink(tmp);
	return -1;
}
