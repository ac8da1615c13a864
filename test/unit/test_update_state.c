// SPDX-License-Identifier: GPL-2.0-only
/*
 * The slots' state record and atomic file replacement. The power-cut
 * checks fork a child that is SIGKILLed at each step of a replacement and
 * then look at what is on disk: the old file or the new, never a mix.
 */
#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "update_state.h"
#include "unit.h"

#define HASH_A "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static const char good[] =
	"pinvm-update-state 1\n"
	"committed=a\n"
	"trial=b\n"
	"attempts=2\n"
	"slot-a=1.0 4096 " HASH_A "\n"
	"slot-b=2.0.1 100 " HASH_A "\n"
	"result=trial\n"
	"reason=version 2.0.1 written to slot b\n";

static void test_roundtrip(void)
{
	struct pinvm_error err = { "" };
	struct update_state s, t;
	char buf[1024];
	size_t n;

	TEST("state roundtrip");
	CHECK(!update_state_parse(good, strlen(good), &s, &err));
	CHECK(s.committed == 0 && s.trial == 1 && s.attempts == 2);
	CHECK(s.slot[0].used && s.slot[0].size == 4096);
	CHECK(!strcmp(s.slot[1].version, "2.0.1"));
	CHECK(s.slot[1].sha256[0] == 0x00 && s.slot[1].sha256[31] == 0xff);
	CHECK(!strcmp(s.result, "trial"));
	CHECK(!strcmp(s.reason, "version 2.0.1 written to slot b"));
	n = update_state_format(&s, buf, sizeof(buf));
	CHECK(n == strlen(good) && !memcmp(buf, good, n));
	s.trial = SLOT_NONE;
	s.slot[1].used = false;
	n = update_state_format(&s, buf, sizeof(buf));
	CHECK_CONTAINS(buf, "trial=none\n");
	CHECK_CONTAINS(buf, "slot-b=-\n");
	CHECK(!update_state_parse(buf, n, &t, &err));
	CHECK(t.trial == SLOT_NONE && !t.slot[1].used);
	CHECK(update_state_format(&s, buf, 10) == 0);
}

/* The good record with one line replaced. */
static void expect_bad(const char *name, const char *line, const char *with,
		       const char *where)
{
	struct pinvm_error err = { "" };
	struct update_state s;
	char text[1024];
	const char *at = strstr(good, line);

	TEST(name);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good), good, with,
		 at + strlen(line));
	CHECK(update_state_parse(text, strlen(text), &s, &err) == -1);
	CHECK_CONTAINS(err.msg, where);
}

static void test_bad_records(void)
{
	struct pinvm_error err = { "" };
	struct update_state s;

	expect_bad("magic", "pinvm-update-state 1\n", "pinvm-update-state 2\n", "first line");
	expect_bad("committed", "committed=a\n", "committed=c\n", "at committed");
	expect_bad("trial same as committed", "trial=b\n", "trial=a\n", "at trial");
	expect_bad("trial", "trial=b\n", "trial=x\n", "at trial");
	expect_bad("attempts", "attempts=2\n", "attempts=two\n", "at attempts");
	expect_bad("attempts big", "attempts=2\n", "attempts=12345\n", "at attempts");
	expect_bad("slot version", "slot-a=1.0 ", "slot-a=1.x ", "at slot-a");
	expect_bad("slot hash", "slot-a=1.0 4096 0011", "slot-a=1.0 4096 zz11", "at slot-a");
	expect_bad("slot extra", "slot-b=2.0.1 100 " HASH_A "\n",
		   "slot-b=2.0.1 100 " HASH_A " x\n", "at slot-b");
	expect_bad("trial slot empty", "slot-b=2.0.1 100 " HASH_A "\n",
		   "slot-b=-\n", "slot-a/slot-b");
	expect_bad("committed slot empty", "slot-a=1.0 4096 " HASH_A "\n",
		   "slot-a=-\n", "slot-a/slot-b");
	expect_bad("slot two spaces", "slot-a=1.0 4096", "slot-a=1.0  4096", "at slot-a");
	expect_bad("slot signed size", "slot-a=1.0 4096", "slot-a=1.0 +4096", "at slot-a");
	expect_bad("slot tab", "slot-a=1.0 4096", "slot-a=1.0\t4096", "at slot-a");
	expect_bad("slot upper-case hash", "slot-a=1.0 4096 0011", "slot-a=1.0 4096 AA11", "at slot-a");
	expect_bad("result", "result=trial\n", "result=maybe\n", "at result");
	expect_bad("missing reason", "reason=version 2.0.1 written to slot b\n", "",
		   "at reason");
	expect_bad("trailing", "reason=version 2.0.1 written to slot b\n",
		   "reason=x\nmore\n", "end of file");
	TEST("torn record");
	CHECK(update_state_parse(good, strlen(good) - 5, &s, &err) == -1);
	CHECK(update_state_parse(good, 0, &s, &err) == -1);
}

static char dir[] = "/tmp/pinvm-unit-XXXXXX";

static char *read_text(const char *name)
{
	char path[256];
	size_t n;
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (access(path, F_OK))
		return NULL;
	text = unit_read_file(path, &n);
	text[n] = '\0';
	return text;
}

static unsigned int count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned int n = 0;

	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_replace(void)
{
	struct pinvm_error err = { "" };
	char *text;

	TEST("file_replace");
	CHECK(!file_replace(dir, "f", "old\n", 4, "t", &err));
	text = read_text("f");
	CHECK(text && !strcmp(text, "old\n"));
	free(text);
	CHECK(count_files() == 1);
	CHECK(file_replace("/nonexistent", "f", "x", 1, "t", &err) == -1);
	CHECK_CONTAINS(err.msg, "/nonexistent/f.tmp: cannot write");

	TEST("file_replace on a full disk (fault point -full)");
	setenv("PINVM_FAULT", "t-full", 1);
	CHECK(file_replace(dir, "f", "new\n", 4, "t", &err) == -1);
	unsetenv("PINVM_FAULT");
	CHECK_CONTAINS(err.msg, "/f.tmp: cannot write: No space left on device");
	text = read_text("f");
	CHECK(text && !strcmp(text, "old\n"));
	free(text);
	CHECK(count_files() == 1);
}

/* Kill a child at point; the file must then be whole, old or new. */
static void power_cut_at(const char *point, bool new_expected)
{
	static const char new_text[] = "the new record, long enough to be torn\n";
	char step[32], *text, *tmp;
	int status;
	pid_t pid;

	TEST(point);
	unit_write_file(dir, "f", "old\n", 4);
	snprintf(step, sizeof(step), "cut%s", point);
	pid = fork();
	if (pid == 0) {
		struct pinvm_error err;

		setenv("PINVM_FAULT", step, 1);
		file_replace(dir, "f", new_text, strlen(new_text), "cut", &err);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	text = read_text("f");
	CHECK(text && !strcmp(text, new_expected ? new_text : "old\n"));
	free(text);
	tmp = read_text("f.tmp");
	if (!strcmp(point, "-partial"))
		CHECK(tmp && strlen(tmp) == strlen(new_text) / 2);
	free(tmp);
}

int main(void)
{
	char path[64];

	if (!mkdtemp(dir))
		return 2;
	test_roundtrip();
	test_bad_records();
	test_replace();
	power_cut_at("-partial", false);
	power_cut_at("-write", false);
	power_cut_at("-fsync", false);
	power_cut_at("-rename", true);
	power_cut_at("-dirsync", true);
	unlink(strcat(strcpy(path, dir), "/f"));
	unlink(strcat(strcpy(path, dir), "/f.tmp"));
	rmdir(dir);
	return unit_report();
}
