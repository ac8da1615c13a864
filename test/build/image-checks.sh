#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Checks of `make image` (already run by make, in BUILD_DIR): the overlay directory, the
# tarball and the qemu-virt initramfs hold pinvm, its start-up, the /etc
# files and the guests' firmware, with updatable guests' slot a seeded and
# matching its record. Then bad input: no board, no firmware directory,
# missing firmware, each with a message saying what to set.
# Usage: image-checks.sh BUILD_DIR
set -u
build=$1
root=$build/image/rootfs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { echo "PASS: $1"; passed=$((passed + 1)); }
bad() { echo "FAIL: $1"; failed=$((failed + 1)); }
check() {
	_what=$1
	shift
	if "$@"; then ok "$_what"; else bad "$_what"; fi
}

case "$(file -b "$root/usr/sbin/pinvm")" in
*"ARM aarch64"*"statically linked"*stripped*) ok "image: /usr/sbin/pinvm, static aarch64, stripped" ;;
*) bad "image: /usr/sbin/pinvm is $(file -b "$root/usr/sbin/pinvm")" ;;
esac
check "image: /etc/init.d/S50pinvm is executable" test -x "$root/etc/init.d/S50pinvm"
check "image: the board's host command line isolates cores 1-3" \
	grep -q "isolcpus=1-3 nohz_full=1-3 irqaffinity=0" "$root/etc/pinvm/cmdline"
check "image: /etc/hwrevision names the board (SWUpdate)" \
	grep -qx "qemu-virt 1.0" "$root/etc/hwrevision"
for f in demo-rtc.elf demo-fwcfg-be.bin demo-gpio.bin; do
	check "image: guest firmware $f" cmp -s "$build/guests/$f" "$root/lib/pinvm/guests/$f"
done
for g in alpha beta gamma; do
	state=$root/var/lib/pinvm/$g/state
	want=$(sed -n 's/^slot-a=1\.0 [0-9]* //p' "$state" 2>/dev/null)
	have=$(sha256sum "$root/var/lib/pinvm/$g/slot-a.img" 2>/dev/null | cut -d' ' -f1)
	check "image: $g's slot a holds version 1.0, committed, matching its record" \
		sh -c "[ -n '$want' ] && [ '$want' = '$have' ] && grep -qx 'committed=a' '$state' && grep -qx 'trial=none' '$state'"
done
(cd "$root" && find . | LC_ALL=C sort) > "$tmp/dir"
tar tzf "$build/image/rootfs.tar.gz" | sed 's|/$||' | LC_ALL=C sort > "$tmp/tar"
check "image: the tarball holds the directory's files" cmp -s "$tmp/dir" "$tmp/tar"
gzip -dc "$build/image/initramfs.cpio.gz" | cpio -t --quiet 2>/dev/null |
	sed 's|^\./||' | LC_ALL=C sort > "$tmp/cpio"
sed 's|^\./||' "$tmp/dir" | LC_ALL=C sort > "$tmp/dir-names"
check "image: the initramfs holds them too, with /init and busybox" \
	sh -c "[ -z \"\$(comm -23 '$tmp/dir-names' '$tmp/cpio')\" ] && grep -qx init '$tmp/cpio' && grep -qx bin/busybox '$tmp/cpio'"

gzip -dc "$build/image/initramfs.cpio.gz" |
	cpio -i --quiet --to-stdout usr/sbin/pinvm > "$tmp/initramfs-pinvm" 2>/dev/null
check "image: the initramfs carries this build's pinvm" \
	cmp -s "$tmp/initramfs-pinvm" "$root/usr/sbin/pinvm"

# Bad input.
make_image() {
	make --no-print-directory image "$@" > "$tmp/out" 2>&1
}
make_image CONFIG_IMAGE_FIRMWARE_DIR=
check "image without firmware directory: says to set CONFIG_IMAGE_FIRMWARE_DIR" \
	grep -q "make image: CONFIG_IMAGE_FIRMWARE_DIR is not set: set it" "$tmp/out"
make_image CONFIG_IMAGE_FIRMWARE_DIR=/nonexistent
check "image with a firmware directory that is not there: says so" \
	grep -q "make image: CONFIG_IMAGE_FIRMWARE_DIR: /nonexistent is not a directory" "$tmp/out"
mkdir "$tmp/fw"
cp "$build/guests/demo-rtc.elf" "$tmp/fw/"
make_image CONFIG_IMAGE_FIRMWARE_DIR="$tmp/fw"
check "image with missing guest firmware: names guest, file and what to set" \
	grep -q "make image: guest beta: image \"demo-fwcfg-be.bin\" is not in $tmp/fw (set CONFIG_IMAGE_FIRMWARE_DIR" "$tmp/out"
mkdir "$tmp/src"
cp -r Makefile Kconfig configs board core drivers dts rootfs test "$tmp/src/"
(cd "$tmp/src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make --no-print-directory image > "$tmp/out" 2>&1)
check "image with no board configured: says to run make <board>_defconfig" \
	grep -q "make image: no board is configured; run make <board>_defconfig first (boards: qemu_virt" "$tmp/out"
# Leave a good image for the system tests.
make --no-print-directory image > /dev/null 2>&1 || bad "make image again"

echo "image: $passed passed, $failed failed"
[ $failed -eq 0 ]
