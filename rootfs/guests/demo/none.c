// SPDX-License-Identifier: GPL-2.0-only
/*
 * The portable demo (demo.bin, demo.elf): no board device, only the
 * console, the health register and the ticks, so any board's partition
 * can name it.
 */
#include "demo.h"

void device_start(void)
{
}

void device_tick(uint64_t n __attribute__((unused)))
{
}
