/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The demo firmware. demo.c boots, reports to the health register and
 * ticks once a second; the board device a guest shows is linked in beside
 * it: rtc.c, fwcfg.c or gpio.c (the guests of dts/qemu-virt.dts), or
 * none.c (the portable demo.bin and demo.elf other boards name).
 */
#ifndef DEMO_DEMO_H
#define DEMO_DEMO_H

#include "guest.h"

/* The device's part: once after boot, then after every tick n (1, 2, ...). */
void device_start(void);
void device_tick(uint64_t n);

/* Start a line about a device: "core N: <what>: ". */
void say(const char *what);

#endif
