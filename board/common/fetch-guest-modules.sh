#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The Linux test guest's watchdog driver: the stock sp805_wdt module of the
# kernel package fetch-host.sh took the Image from (its name is in
# KVERSION_FILE), so it loads into the guest kernel it was built with.
# apt-get download, as fetch-host.sh; the file is put in place atomically,
# so two builds that share OUTDIR never see half of it.
# Usage: fetch-guest-modules.sh KVERSION_FILE OUTDIR
set -eu
kpkg=$(cat "$1")
abi=${kpkg#linux-image-}
out=$(mkdir -p "$2" && cd "$2" && pwd)
tmp=$(mktemp -d "$out/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# apt's sandbox user cannot write here; downloading as root is fine.
apt-get download -q "$kpkg:arm64" 2>&1 | grep -v 'unsandboxed' || true
deb=$(ls ./*.deb)
dpkg-deb --fsys-tarfile "$deb" |
	tar -x "./lib/modules/$abi/kernel/drivers/watchdog/sp805_wdt.ko" || {
	echo "fetch-guest-modules: $kpkg has no sp805_wdt.ko (CONFIG_ARM_SP805_WATCHDOG=m)" >&2
	exit 1
}
cp "lib/modules/$abi/kernel/drivers/watchdog/sp805_wdt.ko" "$out/sp805_wdt.ko.tmp"
mv "$out/sp805_wdt.ko.tmp" "$out/sp805_wdt.ko"
echo "fetch-guest-modules: sp805_wdt.ko of $kpkg in $out"
