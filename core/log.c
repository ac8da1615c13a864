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

/*
 * The length of the UTF-8 character at s (RFC 3629: shortest form, no
 * surrogates, at most U+10FFFF), or 0 when s does not start one or starts
 * a C1 control (U+0080-U+009F), which a terminal may act on as it does
 * on ESC: U+009B is CSI.
 */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len < n)
		return 0;
	cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < 0xa0 || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t log_escape(char *out, size_t size, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, n = 0, u;

	if (!size)
		return 0;
	while (i < len) {
		u = (s[i] >= 0x20 && s[i] < 0x7f) || s[i] == '\t' ? 1 :
		    utf8_len(s + i, len - i);
		if (u) {
			if (n + u >= size)
				break;
			memcpy(out + n, s + i, u);
			n += u;
			i += u;
		} else {
			if (n + 4 >= size)
				break;
			snprintf(out + n, 5, "\\x%02x", s[i++]);
			n += 4;
		}
	}
	out[n] = '\0';
	return n;
}

/*
 * What a guest or a bundle put in a message reaches the board's console
 * only escaped: a raw ESC could move the cursor, erase a line's prefix
 * and make a guest's text look like pinvm's own.
 */
static void pr_level(const char *level, const char *fmt, va_list ap)
{
	char text[640], buf[sizeof("pinvm: warning: ") + 4 * sizeof(text)];
	int n;

	vsnprintf(text, sizeof(text), fmt, ap);
	n = snprintf(buf, sizeof(buf), "pinvm: %s", level);
	n += log_escape(buf + n, sizeof(buf) - n - 1, text, strlen(text));
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
	/* Room for every byte escaped, as 4 ("\x1b"). */
	char buf[4 * 4096 + 128];
	int n = 0;

	if (len > 4096)
		len = 4096;
	if (log_timestamps)
		n = snprintf(buf, sizeof(buf), "%10.6f ", log_elapsed());
	n += snprintf(buf + n, sizeof(buf) - n, "[%s] ", guest);
	n += log_escape(buf + n, sizeof(buf) - n - 1, text, len);
	buf[n++] = '\n';
	if (write(log_console_fd, buf, n) < 0)
		return;
}
