#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch the emulated board's host: Debian's arm64 kernel Image (the one
# linux-image-arm64 points at today), its Raspberry Pi 4 devicetree and a
# static arm64 busybox, from the Debian archive with apt-get download.
# Usage: fetch-host.sh OUTDIR
set -eu
out=$(mkdir -p "$1" && cd "$1" && pwd)
mkdir -p "$out/deb"
cd "$out/deb"

kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
	sed -n 's/.*Depends: \(linux-image-[0-9][^ :]*-arm64\).*/\1/p' | head -n 1)
if [ -z "$kpkg" ]; then
	echo "fetch-host: apt does not know linux-image-arm64:arm64;" \
	     "run 'dpkg --add-architecture arm64 && apt-get update'" >&2
	exit 1
fi
rm -f ./*.deb
# apt's sandbox user cannot write here; downloading as root is fine.
apt-get download -q "$kpkg:arm64" busybox-static:arm64 2>&1 |
	grep -v 'unsandboxed' || true
ls ./*.deb >/dev/null

rm -rf x && mkdir x
for d in ./*.deb; do
	dpkg-deb -x "$d" x
done
cp x/boot/vmlinuz-* "$out/Image"
cp x/bin/busybox "$out/busybox"
# The emulated Raspberry Pi 4 (board/rpi4/run.sh) boots the same kernel
# with its own devicetree, which comes in the kernel package.
cp x/usr/lib/linux-image-*/broadcom/bcm2711-rpi-4-b.dtb \
	"$out/bcm2711-rpi-4-b.dtb"
echo "$kpkg" > "$out/kernel-version"
rm -rf x ./*.deb
echo "fetch-host: $kpkg and busybox-static in $out"
