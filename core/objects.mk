# SPDX-License-Identifier: GPL-2.0-only
# The monitor. Files shared with the host unit tests are in core-portable-y.
core-portable-y := core/log.o core/names.o core/guest_memory.o core/mmio.o \
		   core/bus.o core/partition.o core/loader.o core/driver.o \
		   core/guest_fdt.o core/file.o core/service.o \
		   core/sandbox.o
core-portable-$(CONFIG_LOADER_RAW) += core/loader_raw.o
core-portable-$(CONFIG_LOADER_ELF) += core/loader_elf.o
core-portable-$(CONFIG_LOADER_LINUX) += core/loader_linux.o
# Field update: the state record, bundles, the health register's link.
core-portable-$(CONFIG_UPDATE) += core/bundle.o core/update_state.o \
				  core/update_link.o
core-y := $(core-portable-y) core/main.o core/guest.o core/vcpu.o core/kvm.o \
	  core/status.o core/partition_blob.o
core-$(CONFIG_UPDATE) += core/update.o core/control.o
