# SPDX-License-Identifier: GPL-2.0-only
# make bench: the MMIO and interrupt benchmarks (test/bench/run.sh).
# BENCH_IRQ_N (test/guests/guests.mk) interrupts per path and round.
BENCH_DIR	:= $(BUILD)/bench
BENCH_ROUNDS	?= 6

$(BENCH_DIR)/floor: test/bench/floor.c test/bench/vfio.c test/bench/vfio.h \
		| $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) CC $@
	$(Q)$(CC) -O2 -static -pthread -Wall -Werror -o $@ test/bench/floor.c \
		test/bench/vfio.c

$(BENCH_DIR)/irqnative: test/bench/irqnative.c test/bench/vfio.c \
		test/bench/vfio.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) CC $@
	$(Q)$(CC) -O2 -static -Wall -Werror -o $@ test/bench/irqnative.c \
		test/bench/vfio.c

# The exit path's own files, and what they call: the bus's overlap check
# (guest_memory.c) and the accessors' fault recovery (mmio.c).
DISPATCH_SRCS	:= test/bench/dispatch.c core/vcpu.c core/bus.c core/log.c \
		   core/guest_memory.c core/mmio.c

$(BENCH_DIR)/dispatch: $(DISPATCH_SRCS) $(wildcard core/*.h core/*/*.h) \
		$(KCONFIG_AUTOHEADER) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) HOSTCC $@
	$(Q)$(HOSTCC) -O2 -g $(COMMON_CFLAGS) -o $@ $(DISPATCH_SRCS)

$(BENCH_DIR)/bench.dtb: test/bench/bench.dts test/system/partitions/three-guests.dtsi \
		$(wildcard dts/*.dtsi) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) DTC $<
	$(Q)$(DTC) -I dts -O dtb -i dts -i test/system/partitions -o $@ $<

$(BENCH_DIR)/bench-irq.dtb: test/bench/bench-irq.dts \
		test/system/partitions/three-guests.dtsi $(wildcard dts/*.dtsi) \
		| $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) DTC $<
	$(Q)$(DTC) -I dts -O dtb -i dts -i test/system/partitions -o $@ $<

bench: $(INITRAMFS) $(HOST_IMAGE) $(BENCH_DIR)/floor $(BENCH_DIR)/dispatch \
		$(BENCH_DIR)/irqnative $(BENCH_DIR)/bench.dtb \
		$(BENCH_DIR)/bench-irq.dtb $(BUILD)/guests/bench.bin \
		$(BUILD)/guests/bench-irq.bin $(BUILD)/guests/bench-irq-relay.bin
	@sh test/bench/size.sh $(BUILD)
	@sh test/bench/run.sh $(BUILD) $(BENCH_ROUNDS) $(BENCH_IRQ_N)

# The start-up section (test/bench/startup.sh), also alone as make
# bench-startup: its own boot, with 8 cores. STARTUP_ROUNDS counted
# rounds, after a warm-up round.
STARTUP_ROUNDS	?= 24
# run.sh's call of startup.sh reads it.
export STARTUP_ROUNDS
STARTUP_FILES	:= $(BENCH_DIR)/startup $(BENCH_DIR)/floor \
		   $(BENCH_DIR)/startup-guest.bin $(BENCH_DIR)/startup-1.dtb \
		   $(BENCH_DIR)/startup-3.dtb $(BENCH_DIR)/startup-7.dtb

$(BENCH_DIR)/startup: test/bench/startup.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) CC $@
	$(Q)$(CC) -O2 -static -Wall -Wextra -Werror -o $@ $<

$(BENCH_DIR)/startup-guest.elf: test/bench/startup-guest.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) GUEST $@
	$(Q)$(GUEST_CC) -nostdlib -static -no-pie -Wl,--build-id=none \
		-Wl,-Ttext=0x40000000 -o $@ $<

$(BENCH_DIR)/startup-guest.bin: $(BENCH_DIR)/startup-guest.elf
	$(quiet) OBJCOPY $@
	$(Q)$(GUEST_OBJCOPY) -O binary $< $@

$(BENCH_DIR)/startup-%.dtb: test/bench/startup-%.dts test/bench/startup-board.dtsi \
		$(wildcard dts/*.dtsi) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) DTC $<
	$(Q)$(DTC) -I dts -O dtb -i dts -i test/bench -o $@ $<

# The link section (test/bench/shmem.sh), also alone as make bench-shmem:
# its own boot. SHMEM_ROUNDS rounds of both doorbell paths.
SHMEM_ROUNDS	?= 3
export SHMEM_ROUNDS
SHMEM_BENCH_FILES := $(BENCH_DIR)/bench-shmem-kernel.dtb \
		   $(BENCH_DIR)/bench-shmem-relay.dtb \
		   $(foreach g,ping pong ping-relay pong-relay,$(BUILD)/guests/shmem-$(g).bin)

$(BENCH_DIR)/bench-shmem-%.dtb: test/bench/bench-shmem-%.dts \
		test/system/partitions/shmem.dtsi \
		test/system/partitions/three-guests.dtsi $(wildcard dts/*.dtsi) \
		| $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(quiet) DTC $<
	$(Q)$(DTC) -I dts -O dtb -i dts -i test/system/partitions -o $@ $<

.PHONY: bench-shmem
bench: $(SHMEM_BENCH_FILES)
bench-shmem: $(INITRAMFS) $(HOST_IMAGE) $(SHMEM_BENCH_FILES)
	@sh test/bench/shmem.sh $(BUILD) $(SHMEM_ROUNDS)

.PHONY: bench-startup
bench: $(STARTUP_FILES)
bench-startup: $(INITRAMFS) $(HOST_IMAGE) $(STARTUP_FILES)
	@sh test/bench/startup.sh $(BUILD) $(STARTUP_ROUNDS)
