# SPDX-License-Identifier: GPL-2.0-only
# One file per region driver, compiled in by its Kconfig symbol.
drivers-y :=
drivers-$(CONFIG_DRIVER_CONSOLE) += drivers/console.o
drivers-$(CONFIG_DRIVER_PASSTHROUGH) += drivers/passthrough.o
drivers-$(CONFIG_DRIVER_GPIO) += drivers/gpio.o
drivers-$(CONFIG_DRIVER_HEALTH) += drivers/health.o
