#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch QEMU 10 (bookworm-backports) for the emulated Raspberry Pi 4
# (-machine raspi4b, which QEMU 7.2 lacks) without touching the system's
# QEMU or /etc/apt. Usage: fetch-qemu.sh OUTDIR
# Result: OUTDIR/root/usr/bin/qemu-system-aarch64 (run it with
# -L OUTDIR/root/usr/share/qemu) and OUTDIR/version.
#
# apt runs on a private state under OUTDIR: its own sources list, lists
# and cache, and no /etc/apt/sources.list.d, so the system's apt never
# sees backports. The archive's address is the one this machine's apt
# already uses: the repo names no mirror of its own.
set -eu
out=$(mkdir -p "$1" && cd "$1" && pwd)
bin=$out/root/usr/bin/qemu-system-aarch64
if [ -x "$bin" ] && "$bin" -L "$out/root/usr/share/qemu" -version \
		>/dev/null 2>&1; then
	exit 0
fi

# The URI of the entry whose Suites name bookworm (deb822 stanzas are
# separated by blank lines), else of a one-line `deb` entry for it.
uri=$(awk '
	/^[ \t]*$/ { if (s && u) { print u; exit } s = 0; u = ""; next }
	tolower($1) == "uris:" { u = $2 }
	tolower($1) == "suites:" { for (i = 2; i <= NF; i++)
		if ($i == "bookworm") s = 1 }
	END { if (s && u) print u }
	' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
	uri=$(awk '$1 == "deb" { sub(/\[[^]]*\]/, ""); $0 = $0
			if ($3 == "bookworm") { print $2; exit } }' /etc/apt/sources.list)
fi
if [ -z "$uri" ]; then
	echo "fetch-qemu: no bookworm entry in /etc/apt sources" >&2
	exit 1
fi

apt=$out/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$out/deb"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
	"$uri bookworm-backports main" > "$apt/sources.list"
set -- -o Dir::Etc::SourceList="$apt/sources.list" \
	-o Dir::Etc::SourceParts=/nonexistent \
	-o Dir::State::Lists="$apt/lists" \
	-o Dir::Cache="$apt/cache"
# Only the host's architecture: QEMU is an amd64 program here, and the
# arm64 lists the system may also carry would double the download.
apt-get "$@" -o APT::Architectures::=amd64 -q update >/dev/null

# Backports are pinned low; ask for the backports version explicitly.
ver=$(apt-cache "$@" -o APT::Architectures::=amd64 madison qemu-system-arm |
	awk -F'|' '$3 ~ /bookworm-backports/ { gsub(/ /, "", $2); print $2; exit }')
if [ -z "$ver" ]; then
	echo "fetch-qemu: no qemu-system-arm in bookworm-backports" >&2
	exit 1
fi
cd "$out/deb"
rm -f ./*.deb
# apt's sandbox user cannot write here; downloading as root is fine.
apt-get "$@" -o APT::Architectures::=amd64 -q download \
	"qemu-system-arm=$ver" "qemu-system-data=$ver" \
	"qemu-system-common=$ver" 2>&1 | grep -v 'unsandboxed' || true
ls ./*.deb >/dev/null

rm -rf "$out/root"
for d in ./*.deb; do
	dpkg-deb -x "$d" "$out/root"
done
rm -f ./*.deb
"$bin" -L "$out/root/usr/share/qemu" -version | head -n 1
echo "$ver" > "$out/version"
echo "fetch-qemu: QEMU $ver in $out/root"
