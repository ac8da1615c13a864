# SPDX-License-Identifier: GPL-2.0-only
# Passthrough: the driver, and claiming the host's device for it.
drivers-$(CONFIG_DRIVER_PASSTHROUGH) += drivers/passthrough/passthrough.o \
					 drivers/passthrough/hostdev.o \
					 drivers/passthrough/claims.o \
					 drivers/passthrough/vfio.o \
					 drivers/passthrough/board.o
