#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# GPIO lines for guests, on the board's PL061. The kernel's own view of
# each line (debugfs) is the oracle, not pinvm's. The input edge comes
# from QEMU's power button (PL061 line 3, QEMU's gpio-key device pulses it
# high for 100 ms), pressed by test/system/run.sh on the QEMU monitor when
# this prints NEED-POWERDOWN (the boot's "monitor" column in
# test/system/boots).
. /test/lib.sh

# A second pinvm wants the lines the running one holds: busy.
test_gpio_busy() {
	pinvm -p "$P/gpio.dtb" -i "$G" -s /tmp/busy.status -C /tmp/busy.control > /tmp/busy.out 2> /tmp/busy.err
	rc=$?
	expect "gpio busy line: refused, naming chip and line" "exit $rc: $(cat /tmp/busy.err)" \
		error_line /tmp/busy.err ".*/pinvm/g1/gpio@9030000/line@0: line: " \
			'"9030000.pl061"' "line 0" "Device or resource busy"
	expect "gpio busy line: exit status" "exit $rc" [ $rc -ne 0 ]
	expect "gpio busy line: no guest ran" "$(cat /tmp/busy.out)" [ ! -s /tmp/busy.out ]
	expect_line "gpio busy line: the holder's line untouched" g1-out0 "out lo"
}

test_gpio_errors() {
	pinvm -p "$P/gpio-badchip.dtb" -i "$G" > /tmp/bad.out 2> /tmp/bad.err
	rc=$?
	expect "gpio missing chip: refused, naming chip and line" "exit $rc: $(cat /tmp/bad.err)" \
		error_line /tmp/bad.err ".*/pinvm/g2/gpio@9030000/line@[0-9]*: chip: " '"no-such-chip"' "line 2"
	expect "gpio missing chip: no guest ran" "$(cat /tmp/bad.out)" [ ! -s /tmp/bad.out ]
}

test_gpio() {
	test_gpio_errors
	# QEMU's power button is line 3; gpio-keys would hold it, if loaded.
	[ -e /sys/bus/platform/drivers/gpio-keys/gpio-keys ] &&
		echo gpio-keys > /sys/bus/platform/drivers/gpio-keys/unbind
	start gpio
	expect "gpio: g1 drives step 1" "no step 1" \
		wait_for /tmp/gpio.out "\[g1\] gpio-step 1" 60
	expect_line "gpio step 1" g1-out0 "out hi"
	expect_line "gpio step 1" g1-out1 "out lo"
	expect "gpio: g1 drives step 2" "no step 2" \
		wait_for /tmp/gpio.out "\[g1\] gpio-step 2 data=0x02" 30
	expect_line "gpio step 2" g1-out0 "out lo"
	expect_line "gpio step 2" g1-out1 "out hi"
	expect "gpio: g2 wrote ones to all it has" "$(grep g2 /tmp/gpio.out)" \
		wait_for /tmp/gpio.out "\[g2\] gpio-hog done data=0x01" 30
	expect_line "gpio two guests" g2-out "out hi"
	expect_line "gpio two guests: g1's lines untouched by g2" g1-out0 "out lo"
	expect_line "gpio two guests: g1's lines untouched by g2" g1-out1 "out hi"
	expect_line "gpio input" g1-button "in lo"
	test_gpio_busy
	expect "gpio: g1 waits for its interrupt" "no wait" \
		wait_for /tmp/gpio.out "\[g1\] gpio-wait-irq" 30
	echo "NEED-POWERDOWN"
	expect "gpio: the edge reached g1 as an interrupt" "$(tail -n 3 /tmp/gpio.out)" \
		wait_for /tmp/gpio.out "\[g1\] gpio-irq mis=0x04" 60
	expect "gpio: GPIOIC cleared it" "$(grep irq-cleared /tmp/gpio.out)" \
		wait_for /tmp/gpio.out "\[g1\] gpio-irq-cleared mis=0x00" 30
	expect "gpio: g1 stops" "no power-off" \
		wait_for /tmp/gpio.err "g1: powered off" 30
	expect "gpio: a stopped guest's lines are released" "$(grep g1- /sys/kernel/debug/gpio)" \
		wait_until 5 not grep -q "g1-out0" /sys/kernel/debug/gpio
	expect_line "gpio: the other guest's lines stay" g2-out "out hi"
	stop TERM
	expect "gpio: pinvm exits 0" "exit status $RC" [ "$RC" -eq 0 ]
	expect "gpio: pinvm's exit releases every line" "$(grep -- '-out' /sys/kernel/debug/gpio)" \
		not grep -q "g2-out" /sys/kernel/debug/gpio
}

test_gpio
exit 0
