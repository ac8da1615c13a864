# SPDX-License-Identifier: GPL-2.0-only
# The GPIO driver: its glue, the PL061 model, the libgpiod backend.
drivers-$(CONFIG_DRIVER_GPIO) += drivers/gpio/gpio.o drivers/gpio/pl061.o \
				  drivers/gpio/gpiod.o
