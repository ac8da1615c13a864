#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Checks of the build itself: every Kconfig symbol has help text, each
# board's defconfig round-trips through savedefconfig, and pinvm is a
# static aarch64 executable. Uses its own KCONFIG_CONFIG: the user's .config
# is not touched. Usage: build-checks.sh BUILD_DIR
set -u
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { echo "PASS: $1"; passed=$((passed + 1)); }
bad() { echo "FAIL: $1"; failed=$((failed + 1)); }

# A "config" or "choice" entry without a help block before the next entry.
missing=$(awk '
	function flush() { if (sym != "" && !help) print FILENAME ": " sym }
	/^[[:space:]]*(config|menuconfig|choice)([[:space:]]|$)/ {
		flush(); sym = $0; help = 0; next
	}
	/^[[:space:]]*(endchoice|menu|endmenu|if|endif|source|comment|mainmenu)([[:space:]]|$)/ {
		flush(); sym = ""; next
	}
	/^[[:space:]]*help[[:space:]]*$/ { help = 1 }
	ENDFILE { flush(); sym = "" }
' Kconfig board/*/Kconfig)
if [ -z "$missing" ]; then
	ok "every Kconfig symbol has help text"
else
	bad "Kconfig entries without help: $missing"
fi

# A defconfig, and what savedefconfig makes of it, give the same .config.
kconf() {
	KCONFIG_CONFIG=$tmp/$1 kconfig-conf "$2" Kconfig > /dev/null
}
for def in configs/*_defconfig; do
	kconf a --defconfig="$def" && kconf a --savedefconfig="$tmp/saved" &&
		kconf b --defconfig="$tmp/saved"
	if [ $? -eq 0 ] && diff -I '^#' "$tmp/a" "$tmp/b" > /dev/null; then
		ok "$def round-trips through savedefconfig"
	else
		bad "$def does not round-trip through savedefconfig"
	fi
done

kind=$(file -b "$build/pinvm")
case "$kind" in
*"ARM aarch64"*"statically linked"*) ok "build/pinvm is a static aarch64 executable" ;;
*) bad "build/pinvm is: $kind" ;;
esac

echo "build: $passed passed, $failed failed"
[ $failed -eq 0 ]
