// SPDX-License-Identifier: GPL-2.0-only
/*
 * alpha: the board's real PL031 RTC, passed through in trap mode (read
 * only, 32-bit): every fifth tick, its seconds since the epoch as a UTC
 * date and time. The host's rtc-pl031 driver is unbound while pinvm owns
 * the device and bound again when it ends.
 */
#include "demo.h"

#define RTC_BASE	0x09010000ul
#define RTC_DR		(RTC_BASE + 0x000)	/* seconds since 1970-01-01 UTC */
#define RTC_EVERY	5			/* ticks between readings */

#define SECS_PER_DAY	86400u

static void put_2(unsigned int v)
{
	con_putc('0' + v / 10 % 10);
	con_putc('0' + v % 10);
}

/*
 * Days since 1970-01-01 to a date of the Gregorian calendar. Counted in
 * 400-year eras of 146097 days from 0000-03-01, so a leap day is the last
 * day of its year (H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms", civil_from_days, here for days >= 0 only).
 */
static void civil_from_days(uint64_t days, uint64_t *year,
			    unsigned int *month, unsigned int *day)
{
	uint64_t z = days + 719468;			/* days since 0000-03-01 */
	uint64_t era = z / 146097;
	uint64_t doe = z - era * 146097;		/* day of era, 0-146096 */
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* 0-365 */
	uint64_t mp = (5 * doy + 2) / 153;		/* 0 = March */

	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = yoe + era * 400 + (*month <= 2);
}

static void show_time(void)
{
	uint32_t t = mmio_read32(RTC_DR);
	unsigned int secs = t % SECS_PER_DAY, month, day;
	uint64_t year;

	civil_from_days(t / SECS_PER_DAY, &year, &month, &day);
	say("PL031 RTC at 0x9010000 (passthrough, trap)");
	put_dec(year);
	con_putc('-');
	put_2(month);
	con_putc('-');
	put_2(day);
	con_putc(' ');
	put_2(secs / 3600);
	con_putc(':');
	put_2(secs / 60 % 60);
	con_putc(':');
	put_2(secs % 60);
	con_puts(" UTC\n");
}

void device_start(void)
{
	show_time();
}

void device_tick(uint64_t n)
{
	if (n % RTC_EVERY == 0)
		show_time();
}
