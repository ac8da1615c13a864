// SPDX-License-Identifier: GPL-2.0-only
/*
 * Logging. Monitor messages go to stderr, guest console lines to stdout, so
 * a user can keep the guests' output apart from pinvm's own.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pinvm.h"

int log_console_fd = STDOUT_FILENO;
bool log_timestamps;
static struct timespec log_t0;

void error_set(struct pinvm_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void error_prefix(struct pinvm_error *err, const char *fmt, ...)
{
	char old[sizeof(err->msg)];
	size_t n, len;
	va_list ap;

	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n >= sizeof(err->msg) - 1)
		return;
	len = strnlen(old, sizeof(old) - 1);
	if (len > sizeof(err->msg) - 1 - n)
		len = sizeof(err->msg) - 1 - n;
	memcpy(err->msg + n, old, len);
	err->msg[n + len] = '\0';
}

static void pr_level(const char *level, const char *fmt, va_list ap)
{
	char buf[640];
	int n;

	n = snprintf(buf, sizeof(buf), "pinvm: %s", level);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (n >= (int)sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write per message, so lines of different threads never mix. */
	if (write(STDERR_FILENO, buf, n) < 0)
		return;
}

void pr_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pr_level("", fmt, ap);
	va_end(ap);
}

void pr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pr_level("warning: ", fmt, ap);
	va_end(ap);
}

void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pr_level("error: ", fmt, ap);
	va_end(ap);
}

void log_start_clock(void)
{
	clock_gettime(CLOCK_MONOTONIC, &log_t0);
}

double log_elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - log_t0.tv_sec) +
	       (now.tv_nsec - log_t0.tv_nsec) / 1e9;
}

void log_console_line(const char *guest, const char *text, size_t len)
{
	char buf[4096 + 128];
	int n = 0;

	if (len > 4096)
		len = 4096;
	if (log_timestamps)
		n = snprintf(buf, sizeof(buf), "%10.6f ", log_elapsed());
	n += snprintf(buf + n, sizeof(buf) - n, "[%s] ", guest);
	memcpy(buf + n, text, len);
	n += len;
	buf[n++] = '\n';
	if (write(log_console_fd, buf, n) < 0)
		return;
}
