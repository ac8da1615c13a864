# SPDX-License-Identifier: GPL-2.0-only
# The bare-metal aarch64 guest library (entry, vectors, console, timer,
# interrupts, PSCI, MMU) and the one way a guest is built from it, shared
# by the demo firmware (rootfs/guests/demo/) and the test guests
# (test/guests/).
#
# A guests.mk names each guest with its sources and extra flags,
#   guest-NAME := path/to/main.c path/to/other.c -DFLAG=1
# and calls $(call guest-rule,NAME,its own guests.mk) for each: that makes
# $(BUILD)/guests/NAME.elf, and the pattern rule below NAME.bin from it.
GUEST_LIB	:= rootfs/guests/lib
GUEST_CC	:= $(CROSS_COMPILE)gcc
GUEST_OBJCOPY	:= $(CROSS_COMPILE)objcopy
GUEST_CFLAGS	:= -O2 -std=gnu11 -Wall -Wextra -Werror -ffreestanding \
		   -fno-builtin -fno-pic -fno-stack-protector \
		   -mgeneral-regs-only -mstrict-align -nostdlib -static \
		   -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
		   -I$(GUEST_LIB) -Wl,-T,$(GUEST_LIB)/guest.ld
# Built for the board's vGIC: its version and the addresses the board's
# partition gives it (CONFIG_FIRMWARE_GIC_*, checked against the partition
# by the board_partition unit test).
GUEST_GIC	:= $(if $(CONFIG_VGIC_V2),2,3)
GUEST_CFLAGS	+= -DGUEST_GIC_VERSION=$(GUEST_GIC) \
		   -DGUEST_GICD_BASE=$(or $(CONFIG_FIRMWARE_GIC_DIST),0)ul \
		   -DGUEST_GIC_CPU_BASE=$(or $(CONFIG_FIRMWARE_GIC_CPU),0)ul
GUEST_SRCS	:= $(GUEST_LIB)/start.S $(GUEST_LIB)/lib.c \
		   $(GUEST_LIB)/gic-v$(GUEST_GIC).c
GUEST_DEPS	:= $(GUEST_SRCS) $(GUEST_LIB)/guest.h $(GUEST_LIB)/gic.h \
		   $(GUEST_LIB)/guest.ld $(GUEST_LIB)/lib.mk $(KCONFIG_CONFIG)

.PHONY: guests

# $(call guest-rule,NAME,MAKEFILE): $(BUILD)/guests/NAME.elf
define guest-rule
$(BUILD)/guests/$(1).elf: $(filter %.c %.S,$(guest-$(1))) $(GUEST_DEPS) $(2) \
		| $(DEPS_STAMP)
	@mkdir -p $$(dir $$@)
	$$(quiet) GUEST $$@
	$$(Q)$$(GUEST_CC) $$(GUEST_CFLAGS) $(filter -%,$(guest-$(1))) -o $$@ \
		$$(GUEST_SRCS) $(filter %.c %.S,$(guest-$(1)))
endef

$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	$(quiet) OBJCOPY $@
	$(Q)$(GUEST_OBJCOPY) -O binary $< $@
