# SPDX-License-Identifier: GPL-2.0-only
# Bare-metal aarch64 guests for the demo and the system tests.
GUEST_CC	:= $(CROSS_COMPILE)gcc
GUEST_OBJCOPY	:= $(CROSS_COMPILE)objcopy
GUEST_CFLAGS	:= -O2 -std=gnu11 -Wall -Wextra -Werror -ffreestanding \
		   -fno-builtin -fno-pic -fno-stack-protector \
		   -mgeneral-regs-only -mstrict-align -nostdlib -static \
		   -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
		   -Wl,-T,test/guests/guest.ld
GUEST_SRCS	:= test/guests/start.S test/guests/lib.c
GUEST_DEPS	:= $(GUEST_SRCS) test/guests/guest.h test/guests/guest.ld \
		   test/guests/guests.mk

BENCH_N		?= 10000

# name := source and extra flags
guest-demo	:= ticker.c -DTICK_MS=1000
guest-ticker	:= ticker.c -DTICK_MS=200
guest-resetter	:= ticker.c -DTICK_MS=200 -DTICKS=3 -DEND=1
guest-stopper	:= ticker.c -DTICK_MS=200 -DTICKS=5 -DEND=2
guest-mmio-le	:= mmio.c -DMODE=1
guest-mmio-be	:= mmio.c -DMODE=1 -mbig-endian
guest-mmio-deny	:= mmio.c -DMODE=2
guest-mmio-hammer := mmio.c -DMODE=3
guest-bench	:= bench.c -DBENCH_N=$(BENCH_N)
guest-gpio-out	:= gpio.c -DMODE=1
guest-gpio-hog	:= gpio.c -DMODE=2
guest-fw-1	:= firmware.c -DMODE=1 -DFW_VERSION=\"1.0\"
guest-fw-2	:= firmware.c -DMODE=1 -DFW_VERSION=\"2.0\"
guest-fw-silent	:= firmware.c -DMODE=2 -DFW_VERSION=\"3.0\"
guest-fw-resetloop := firmware.c -DMODE=3 -DFW_VERSION=\"4.0\"
guest-fw-healthreset := firmware.c -DMODE=4 -DFW_VERSION=\"5.0\"
guest-worker	:= misbehave.c -DMODE=1
guest-storm	:= misbehave.c -DMODE=2
guest-spin	:= misbehave.c -DMODE=3
guest-hammer	:= misbehave.c -DMODE=4
guest-undef	:= misbehave.c -DMODE=5
guest-probe	:= misbehave.c -DMODE=6
GUESTS		:= demo ticker resetter stopper mmio-le mmio-be mmio-deny \
		   mmio-hammer bench gpio-out gpio-hog fw-1 fw-2 fw-silent \
		   fw-resetloop fw-healthreset worker storm spin hammer undef probe

GUEST_ELFS	:= $(GUESTS:%=$(BUILD)/guests/%.elf)
GUEST_BINS	:= $(GUESTS:%=$(BUILD)/guests/%.bin)

.PHONY: guests
guests: $(GUEST_ELFS) $(GUEST_BINS)

$(BUILD)/guests/%.elf: test/guests/ticker.c test/guests/mmio.c test/guests/bench.c \
		test/guests/gpio.c test/guests/firmware.c test/guests/misbehave.c \
		$(GUEST_DEPS) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) GUEST $@
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) $(filter -%,$(guest-$*)) -o $@ $(GUEST_SRCS) \
		$(addprefix test/guests/,$(filter %.c,$(guest-$*)))

$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	$(quiet) OBJCOPY $@
	$(Q)$(GUEST_OBJCOPY) -O binary $< $@
