# SPDX-License-Identifier: GPL-2.0-only
# The system tests' bare-metal aarch64 guests, built with the guest library
# (rootfs/guests/lib/lib.mk).
TEST_GUEST_DIR	:= test/guests

# The MMIO benchmark's accesses per direction, timed in blocks of
# BENCH_BLOCK (test/guests/bench.c).
BENCH_N		?= 10000
BENCH_BLOCK	?= 250
# Interrupts per round of the interrupt benchmark (test/bench/bench.mk).
BENCH_IRQ_N	?= 40

# name := source and extra flags
guest-ticker	:= $(TEST_GUEST_DIR)/ticker.c -DTICK_MS=200
guest-resetter	:= $(TEST_GUEST_DIR)/ticker.c -DTICK_MS=200 -DTICKS=3 -DEND=1
guest-stopper	:= $(TEST_GUEST_DIR)/ticker.c -DTICK_MS=200 -DTICKS=5 -DEND=2
guest-mmio-le	:= $(TEST_GUEST_DIR)/mmio.c -DMODE=1
guest-mmio-be	:= $(TEST_GUEST_DIR)/mmio.c -DMODE=1 -mbig-endian
guest-mmio-deny	:= $(TEST_GUEST_DIR)/mmio.c -DMODE=2
guest-mmio-hammer := $(TEST_GUEST_DIR)/mmio.c -DMODE=3
guest-bench	:= $(TEST_GUEST_DIR)/bench.c -DBENCH_N=$(BENCH_N) \
		   -DBENCH_BLOCK=$(BENCH_BLOCK)
guest-bench-irq	:= $(TEST_GUEST_DIR)/bench-irq.c $(TEST_GUEST_DIR)/bench-irq-vectors.S \
		   -DBENCH_IRQ_N=$(BENCH_IRQ_N)
guest-bench-irq-relay := $(TEST_GUEST_DIR)/bench-irq.c \
		   $(TEST_GUEST_DIR)/bench-irq-vectors.S \
		   -DBENCH_IRQ_N=$(BENCH_IRQ_N) -DBENCH_RELAY
guest-gpio-out	:= $(TEST_GUEST_DIR)/gpio.c -DMODE=1
guest-gpio-hog	:= $(TEST_GUEST_DIR)/gpio.c -DMODE=2
guest-fw-1	:= $(TEST_GUEST_DIR)/firmware.c -DMODE=1 -DFW_VERSION=\"1.0\"
guest-fw-2	:= $(TEST_GUEST_DIR)/firmware.c -DMODE=1 -DFW_VERSION=\"2.0\"
guest-fw-silent	:= $(TEST_GUEST_DIR)/firmware.c -DMODE=2 -DFW_VERSION=\"3.0\"
guest-fw-resetloop := $(TEST_GUEST_DIR)/firmware.c -DMODE=3 -DFW_VERSION=\"4.0\"
guest-fw-healthreset := $(TEST_GUEST_DIR)/firmware.c -DMODE=4 -DFW_VERSION=\"5.0\"
guest-worker	:= $(TEST_GUEST_DIR)/misbehave.c -DMODE=1
guest-storm	:= $(TEST_GUEST_DIR)/misbehave.c -DMODE=2
guest-spin	:= $(TEST_GUEST_DIR)/misbehave.c -DMODE=3
guest-hammer	:= $(TEST_GUEST_DIR)/misbehave.c -DMODE=4
guest-undef	:= $(TEST_GUEST_DIR)/misbehave.c -DMODE=5
guest-probe	:= $(TEST_GUEST_DIR)/misbehave.c -DMODE=6
guest-alarm	:= $(TEST_GUEST_DIR)/alarm.c -DALARMS=6
guest-alarm-icfgr := $(TEST_GUEST_DIR)/alarm.c -DALARMS=3 -DICFGR=1 -DRTC_SPI=5
guest-alarm-reset := $(TEST_GUEST_DIR)/alarm.c -DALARMS=1000 -DRESET_AFTER=3
guest-pl061-button := $(TEST_GUEST_DIR)/pl061.c -DPRESSES=2
guest-virtio-net := $(TEST_GUEST_DIR)/virtio.c -DCHANGES=2
guest-sleep-race := $(TEST_GUEST_DIR)/sleep-race.c
# Both ends of a pinvm,shmem link (test/system/partitions/shmem*.dts):
# g1's at 0x50000000 (SPI 40), g3's at 0x60000000 (SPI 41).
SHMEM_G1	:= -DLINK=0x50000000ul -DLINK_SPI=40
SHMEM_G3	:= -DLINK=0x60000000ul -DLINK_SPI=41
guest-shmem-tx	:= $(TEST_GUEST_DIR)/shmem.c -DROLE=1 $(SHMEM_G1)
guest-shmem-rx	:= $(TEST_GUEST_DIR)/shmem.c -DROLE=2 $(SHMEM_G3)
guest-shmem-rx-reset := $(TEST_GUEST_DIR)/shmem.c -DROLE=2 -DRESET_AT=3000 $(SHMEM_G3)
# The receiver as field-updated firmware (shmem-update.dts): 1.0 slow, 2.0 not.
guest-shmem-rx-fw1 := $(TEST_GUEST_DIR)/shmem.c -DROLE=2 $(SHMEM_G3) \
		   -DFW_VERSION=\"1.0\" -DPACE_MS=2
guest-shmem-rx-fw2 := $(TEST_GUEST_DIR)/shmem.c -DROLE=2 $(SHMEM_G3) \
		   -DFW_VERSION=\"2.0\"
guest-shmem-echo := $(TEST_GUEST_DIR)/shmem.c -DROLE=5 $(SHMEM_G3)
guest-shmem-ping := $(TEST_GUEST_DIR)/shmem.c -DROLE=3 $(SHMEM_G1)
guest-shmem-pong := $(TEST_GUEST_DIR)/shmem.c -DROLE=4 $(SHMEM_G3)
guest-shmem-ping-relay := $(TEST_GUEST_DIR)/shmem.c -DROLE=3 -DRELAY=1 $(SHMEM_G1)
guest-shmem-pong-relay := $(TEST_GUEST_DIR)/shmem.c -DROLE=4 -DRELAY=1 $(SHMEM_G3)
guest-watchdog-hang := $(TEST_GUEST_DIR)/watchdog.c -DTIMEOUT_MS=2000
guest-fw-hang	:= $(TEST_GUEST_DIR)/firmware.c -DMODE=5 -DFW_VERSION=\"6.0\"
TEST_GUESTS	:= ticker resetter stopper mmio-le mmio-be mmio-deny \
		   mmio-hammer bench bench-irq bench-irq-relay gpio-out gpio-hog \
		   fw-1 fw-2 fw-silent fw-resetloop fw-healthreset worker storm \
		   spin hammer undef probe alarm alarm-icfgr alarm-reset \
		   pl061-button virtio-net sleep-race shmem-tx shmem-rx \
		   shmem-rx-reset shmem-rx-fw1 shmem-rx-fw2 shmem-echo shmem-ping shmem-pong shmem-ping-relay \
		   shmem-pong-relay watchdog-hang fw-hang

TEST_GUEST_FILES := $(TEST_GUESTS:%=$(BUILD)/guests/%.elf) \
		   $(TEST_GUESTS:%=$(BUILD)/guests/%.bin)

guests: $(TEST_GUEST_FILES)
$(foreach g,$(TEST_GUESTS),$(eval $(call guest-rule,$(g),$(TEST_GUEST_DIR)/guests.mk)))
# The SP805 helpers of the watchdog guests.
$(BUILD)/guests/watchdog-hang.elf $(BUILD)/guests/fw-hang.elf: \
		$(TEST_GUEST_DIR)/sp805.h
# The firmware line of the field-updated ones.
$(patsubst %,$(BUILD)/guests/%.elf,$(filter fw-% shmem-%,$(TEST_GUESTS))): \
		$(TEST_GUEST_DIR)/firmware.h
# The constants the interrupt guest's C and vectors share.
$(BUILD)/guests/bench-irq.elf $(BUILD)/guests/bench-irq-relay.elf: \
		$(TEST_GUEST_DIR)/bench-irq.h
# BENCH_N and BENCH_BLOCK come from the command line: the benchmark
# guest is rebuilt when they change.
$(BUILD)/guests/bench.flags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(guest-bench)' | cmp -s - $@ || echo '$(guest-bench)' > $@
$(BUILD)/guests/bench.elf: $(BUILD)/guests/bench.flags
.PHONY: FORCE
FORCE:
