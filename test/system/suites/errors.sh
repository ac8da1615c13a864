#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Errors at the top: pinvm refuses to start with one error line that names
# the fault (source, node, property, value), a non-zero exit status and no
# guest output.
. /test/lib.sh

# run_error NAME PREFIX WORDS COMMAND...: fails at start with one clear
# line, "pinvm: error: PREFIX..." holding each of WORDS (a list separated
# by '|'; see error_line).
run_error() {
	name=$1 prefix=$2 words=$3
	shift 3
	"$@" > /tmp/err.out 2> /tmp/err.err
	rc=$?
	expect "$name: non-zero exit" "exit status $rc" [ $rc -ne 0 ]
	expect "$name: one-line error" "stderr: $(cat /tmp/err.err)" \
		[ "$(wc -l < /tmp/err.err)" -eq 1 ]
	_ifs=$IFS
	IFS='|'
	set -- $words
	IFS=$_ifs
	expect "$name: names the fault" "stderr: $(cat /tmp/err.err)" \
		error_line /tmp/err.err "$prefix" "$@"
	expect "$name: no guest output" "$(cat /tmp/err.out)" [ ! -s /tmp/err.out ]
	expect "$name: no guest started" "a vCPU thread ran" \
		not grep -q "running on core" /tmp/err.err
}

run_error "bad partition" "$P/bad.dtb: /pinvm/g3: cpu: .*\<1\>" "/pinvm/g1" \
	pinvm -p "$P/bad.dtb" -i "$G"

run_error "two watchdogs in one guest" \
	"$P/watchdog-two.dtb: /pinvm/g1/watchdog@a002000: compatible: " \
	"one pinvm,watchdog at most|/pinvm/g1/watchdog@a001000" \
	pinvm -p "$P/watchdog-two.dtb" -i "$G"

mv /dev/kvm /dev/kvm.hidden
run_error "no /dev/kvm" "" "/dev/kvm|No such file or directory" \
	pinvm -p "$P/three.dtb" -i "$G"
mv /dev/kvm.hidden /dev/kvm

mkdir -p /tmp/images
cp "$G"/* /tmp/images/
rm /tmp/images/ticker.elf
run_error "image gone" "$P/three.dtb: /pinvm/g2: image: " \
	"/tmp/images/ticker.elf|No such file or directory" \
	pinvm -p "$P/three.dtb" -i /tmp/images

run_error "truncated partition" "/tmp/cut.dtb: " "truncated" \
	sh -c "head -c 200 $P/three.dtb > /tmp/cut.dtb && exec pinvm -p /tmp/cut.dtb -i $G"

# One guest's first boot fails on its vCPU thread (PINVM_FAULT=boot-NAME):
# no guest runs a single instruction, whichever guest failed and whichever
# booted last (the last to boot opens the start gate only when none failed).
for g in g1 g3; do
	PINVM_FAULT=boot-$g pinvm -p "$P/three.dtb" -i "$G" > /tmp/boot.out 2> /tmp/boot.err
	rc=$?
	expect "first boot of $g fails: non-zero exit" "exit status $rc" [ $rc -ne 0 ]
	expect "first boot of $g fails: the error names $g" "stderr: $(cat /tmp/boot.err)" \
		error_line /tmp/boot.err "/pinvm/$g: " "first boot failed"
	expect "first boot of $g fails: no guest output" "$(cat /tmp/boot.out)" \
		[ ! -s /tmp/boot.out ]
	expect "first boot of $g fails: no guest started" "$(cat /tmp/boot.err)" \
		not grep -q "running on core" /tmp/boot.err
done

pinvm --check > /tmp/check.out 2>&1
expect "built-in partition validates" "$(cat /tmp/check.out)" \
	grep -q "3 guests, valid" /tmp/check.out
exit 0
