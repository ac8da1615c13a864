// SPDX-License-Identifier: GPL-2.0-only
/*
 * drivers/passthrough/claims.c: the record a claim leaves under the run
 * directory, read back by the next pinvm, which trusts nothing in it that
 * would lead a sysfs path out of its bus.
 */
#include <string.h>

#include "unit.h"
#include "passthrough/hostdev.h"

static int parse(const char *text, struct hostdev *h, int *pid)
{
	memset(h, 0, sizeof(*h));
	return hostdev_record_parse(text, h, pid);
}

int main(void)
{
	struct hostdev h, back;
	char buf[256];
	int pid, n;

	TEST("a record says bus, name, host driver and pid, and reads back");
	memset(&h, 0, sizeof(h));
	strcpy(h.bus, "amba");
	strcpy(h.name, "9010000.pl031");
	strcpy(h.driver, "rtc-pl031");
	n = hostdev_record_format(&h, 321, buf, sizeof(buf));
	CHECK(n > 0 && (size_t)n == strlen(buf));
	CHECK(!strcmp(buf, "bus=amba\nname=9010000.pl031\ndriver=rtc-pl031\npid=321\n"));
	CHECK(!parse(buf, &back, &pid));
	CHECK(!strcmp(back.bus, "amba") && !strcmp(back.name, "9010000.pl031") &&
	      !strcmp(back.driver, "rtc-pl031") && pid == 321);

	TEST("no host driver was bound: an empty driver");
	h.driver[0] = '\0';
	CHECK(hostdev_record_format(&h, 7, buf, sizeof(buf)) > 0);
	CHECK(!parse(buf, &back, &pid) && !back.driver[0] && pid == 7);

	TEST("fields in any order");
	CHECK(!parse("pid=9\ndriver=x\nname=a000.dev\nbus=platform\n", &back, &pid));
	CHECK(!strcmp(back.bus, "platform") && !strcmp(back.name, "a000.dev") &&
	      pid == 9);

	TEST("too small a buffer: refused, not cut");
	CHECK(hostdev_record_format(&h, 7, buf, 20) < 0);

	TEST("what is not a record is refused");
	CHECK(parse("", &back, &pid));
	CHECK(parse("bus=amba\nname=x\ndriver=\n", &back, &pid));
	CHECK(parse("bus=pci\nname=x\ndriver=\npid=1\n", &back, &pid));
	CHECK(parse("bus=amba\nname=../../x\ndriver=\npid=1\n", &back, &pid));
	CHECK(parse("bus=amba\nname=..\ndriver=\npid=1\n", &back, &pid));
	CHECK(parse("bus=amba\nname=\ndriver=\npid=1\n", &back, &pid));
	CHECK(parse("bus=amba\nname=x\ndriver=a/b\npid=1\n", &back, &pid));
	CHECK(parse("bus=amba\nname=x y\ndriver=\npid=1\n", &back, &pid));
	CHECK(parse("bus=amba\nname=x\ndriver=\npid=0\n", &back, &pid));
	CHECK(parse("bus=amba\nname=x\ndriver=\npid=12z\n", &back, &pid));
	CHECK(parse("bus=amba\nname=x\ndriver=\npid=99999999999\n", &back, &pid));
	memset(buf, 'a', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	memcpy(buf, "name=", 5);
	CHECK(parse(buf, &back, &pid));
	return unit_report();
}
