/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Things every part of the monitor uses: the error record that carries one
 * clear message up to whoever reports it, and logging.
 */
#ifndef PINVM_PINVM_H
#define PINVM_PINVM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "generated/autoconf.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* IS_ENABLED(CONFIG_FOO): 1 or 0 in C expressions, as in Linux. */
#ifdef __CPPCHECK__
/*
 * cppcheck's preprocessor cannot expand the placeholder trick below (it
 * stops on the whole file): for make lint, an option is on when defined.
 */
#define IS_ENABLED(option) (option + 0)
#else
#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x) ___is_defined(x)
#define ___is_defined(val) ____is_defined(__ARG_PLACEHOLDER_##val)
/* arg1_or_junk must stay bare: "0," or junk, then 1 */
#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0) /* NOLINT(bugprone-macro-parentheses) */
#define IS_ENABLED(option) __is_defined(option)
#endif

/* t + ms, normalised: deadlines and timed waits. */
static inline void timespec_add_ms(struct timespec *t, unsigned int ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/*
 * Counters: written by one vCPU thread, read while it runs by the status
 * writer. Relaxed atomics cost what plain accesses do and make that legal.
 */
#define stat_inc(p)	__atomic_store_n((p), *(p) + 1, __ATOMIC_RELAXED)
#define stat_read(p)	__atomic_load_n((p), __ATOMIC_RELAXED)

/*
 * Validation and set-up stop at the first problem and say what it is; the
 * message names the file, the node and the property at fault.
 */
struct pinvm_error {
	char msg[512];
};

void error_set(struct pinvm_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Put fmt's text in front of the message err already holds. */
void error_prefix(struct pinvm_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Console lines of guests go to this descriptor (stdout unless a test says). */
extern int log_console_fd;
/* With --timestamps, guest lines carry seconds since pinvm started. */
extern bool log_timestamps;
void log_start_clock(void);
double log_elapsed(void);
void log_console_line(const char *guest, const char *text, size_t len);
/*
 * len bytes of in, as out (size bytes, always ended with NUL) shows them
 * on a terminal: control bytes (below 0x20 but tab, 0x7f) and bytes that
 * are no well-formed UTF-8 or a C1 control become "\x1b"; printable ASCII
 * and other UTF-8 pass. Stops before what does not fit; returns the
 * length written. pr_*() and the console lines go through it.
 */
size_t log_escape(char *out, size_t size, const char *in, size_t len);

#endif
