# SPDX-License-Identifier: GPL-2.0-only
# The region drivers, each compiled in by its Kconfig symbol: a driver of
# one file is a line here, a driver of several files a folder with its own
# objects.mk, included here.
drivers-y :=
drivers-$(CONFIG_DRIVER_CONSOLE) += drivers/console.o
drivers-$(CONFIG_DRIVER_HEALTH) += drivers/health.o
drivers-$(CONFIG_DRIVER_SHMEM) += drivers/shmem.o
drivers-$(CONFIG_DRIVER_WATCHDOG) += drivers/watchdog.o
include drivers/passthrough/objects.mk
include drivers/gpio/objects.mk
