#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The Linux guest's unmodified gpio-pl061 driver on its virtual PL061:
# sysfs gpio moves the board's PL061 line 0, as the host kernel sees it.
. /test/lib.sh

test_linux_gpio() {
	pinvm_start lgpio linux-gpio
	expect "linux gpio: gpio-pl061 probes the virtual controller" \
		"$(grep -E 'gpio|init' /tmp/lgpio.out | tail -n 3)" \
		wait_for /tmp/lgpio.out "linux-guest: gpio chip 9030000.gpio base [0-9]+" 300
	expect "linux gpio: sysfs gpio set the line" "$(grep 'gpio set' /tmp/lgpio.out)" \
		wait_for /tmp/lgpio.out "linux-guest: gpio set value=1" 60
	expect_line "linux gpio: the real line moved" lx-gpio0 "out hi"
	expect "linux gpio: and back" "$(grep 'gpio cleared' /tmp/lgpio.out)" \
		wait_for /tmp/lgpio.out "linux-guest: gpio cleared value=0" 60
	expect_line "linux gpio: the real line moved back" lx-gpio0 "out lo"
	stop TERM
}

test_linux_gpio
exit 0
