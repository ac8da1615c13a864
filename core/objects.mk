# SPDX-License-Identifier: GPL-2.0-only
# The monitor. Files shared with the host unit tests are in core-portable-y;
# the loaders and field update have folders of their own.
core-portable-y := core/log.o core/names.o core/guest_memory.o core/mmio.o \
		   core/bus.o core/partition.o core/driver.o core/guest_fdt.o \
		   core/file.o core/service.o core/sandbox.o core/sandbox_rules.o \
		   core/landlock.o \
		   core/host_irq.o core/guest_request.o
include core/loader/objects.mk core/update/objects.mk
core-y := $(core-portable-y) core/main.o core/monitor.o core/guest.o core/vcpu.o core/kvm.o \
	  core/status.o core/partition_blob.o $(update-y)
