#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Errors at the top: pinvm refuses to start with one error line that names
# the fault, a non-zero exit status and no guest output.
. /test/lib.sh

# run_error NAME PATTERN COMMAND...: fails at start with one clear line.
run_error() {
	name=$1
	pattern=$2
	shift 2
	"$@" > /tmp/err.out 2> /tmp/err.err
	rc=$?
	expect "$name: non-zero exit" "exit status $rc" [ $rc -ne 0 ]
	expect "$name: one-line error" "stderr: $(cat /tmp/err.err)" \
		[ "$(wc -l < /tmp/err.err)" -eq 1 ]
	expect "$name: names the fault" "stderr: $(cat /tmp/err.err)" \
		grep -qE "$pattern" /tmp/err.err
	expect "$name: no guest output" "$(cat /tmp/err.out)" [ ! -s /tmp/err.out ]
	expect "$name: no guest started" "a vCPU thread ran" \
		not grep -q "running on core" /tmp/err.err
}

run_error "bad partition" \
	"^pinvm: error: $P/bad.dtb: /pinvm/g3: cpu: core 1 is already given to /pinvm/g1$" \
	pinvm -p "$P/bad.dtb" -i "$G"

mv /dev/kvm /dev/kvm.hidden
run_error "no /dev/kvm" \
	"^pinvm: error: cannot open /dev/kvm: No such file or directory" \
	pinvm -p "$P/three.dtb" -i "$G"
mv /dev/kvm.hidden /dev/kvm

mkdir -p /tmp/images
cp "$G"/* /tmp/images/
rm /tmp/images/ticker.elf
run_error "image gone" \
	"^pinvm: error: $P/three.dtb: /pinvm/g2: image: cannot read /tmp/images/ticker.elf: No such file or directory$" \
	pinvm -p "$P/three.dtb" -i /tmp/images

run_error "truncated partition" "^pinvm: error: /tmp/cut.dtb: truncated" \
	sh -c "head -c 200 $P/three.dtb > /tmp/cut.dtb && exec pinvm -p /tmp/cut.dtb -i $G"

pinvm --check > /tmp/check.out 2>&1
expect "built-in partition validates" "$(cat /tmp/check.out)" \
	grep -q "3 guests, valid" /tmp/check.out
exit 0
