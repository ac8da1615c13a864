# SPDX-License-Identifier: GPL-2.0-only
# The demo firmware, product rather than test: make image puts it into the
# board image's /lib/pinvm/guests (CONFIG_IMAGE_FIRMWARE_DIR, build/guests
# for qemu-virt). Built with the guest library (rootfs/guests/lib/lib.mk).
#   demo-rtc, demo-fwcfg-be, demo-gpio: the three guests of dts/qemu-virt.dts
#   demo (.bin and .elf): the portable demo the other boards' partitions name
#   demo-spi-rpi4, demo-gpio-rpi4: alpha and gamma of dts/rpi4.dts (SPI0
#              and its interrupt; a PL061 line blinking)
DEMO_DIR	:= rootfs/guests/demo

# name := sources and extra flags; DEMO_CORE: the guest's core in
# dts/qemu-virt.dts, which its lines name.
guest-demo	:= $(DEMO_DIR)/demo.c $(DEMO_DIR)/none.c
guest-demo-rtc	:= $(DEMO_DIR)/demo.c $(DEMO_DIR)/rtc.c -DDEMO_CORE=1
guest-demo-fwcfg-be := $(DEMO_DIR)/demo.c $(DEMO_DIR)/fwcfg.c -DDEMO_CORE=2 \
		   -mbig-endian
guest-demo-gpio	:= $(DEMO_DIR)/demo.c $(DEMO_DIR)/gpio.c -DDEMO_CORE=3
guest-demo-gpio-rpi4 := $(DEMO_DIR)/demo.c $(DEMO_DIR)/gpio.c -DDEMO_CORE=3 \
		   -DDEMO_GPIO_RPI4
guest-demo-spi-rpi4 := $(DEMO_DIR)/demo.c $(DEMO_DIR)/spi-rpi4.c -DDEMO_CORE=1
DEMO_GUESTS	:= demo demo-rtc demo-fwcfg-be demo-gpio demo-gpio-rpi4 \
		   demo-spi-rpi4

DEMO_GUEST_FILES := $(DEMO_GUESTS:%=$(BUILD)/guests/%.elf) \
		   $(DEMO_GUESTS:%=$(BUILD)/guests/%.bin)

guests: $(DEMO_GUEST_FILES)
$(foreach g,$(DEMO_GUESTS),$(eval $(call guest-rule,$(g),$(DEMO_DIR)/guests.mk)))
$(DEMO_GUESTS:%=$(BUILD)/guests/%.elf): $(DEMO_DIR)/demo.h
