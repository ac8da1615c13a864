#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Checks of the build itself: every Kconfig symbol has help text, each
# board's defconfig round-trips through savedefconfig, pinvm is a static
# aarch64 executable, and every board's defconfig builds one. Uses its own
# KCONFIG_CONFIG and scratch copies of the tree under BUILD_DIR/boards/: the
# user's .config is not touched. Usage: build-checks.sh BUILD_DIR
set -u
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { echo "PASS: $1"; passed=$((passed + 1)); }
bad() { echo "FAIL: $1"; failed=$((failed + 1)); }

# A "config" or "choice" entry that declares a symbol (a type or a prompt)
# without a help block before the next entry; a board's entry that only
# adds a default to a symbol declared in Kconfig needs none.
missing=$(awk '
	function flush() { if (sym != "" && decl && !help) print FILENAME ": " sym }
	/^[[:space:]]*(config|menuconfig|choice)([[:space:]]|$)/ {
		flush(); sym = $0; help = 0; decl = ($1 == "choice"); next
	}
	/^[[:space:]]*(bool|tristate|string|int|hex|def_bool|def_tristate|prompt)([[:space:]]|$)/ { decl = 1 }
	/^[[:space:]]*(endchoice|menu|endmenu|if|endif|source|comment|mainmenu)([[:space:]]|$)/ {
		flush(); sym = ""; next
	}
	/^[[:space:]]*help[[:space:]]*$/ { help = 1 }
	ENDFILE { flush(); sym = "" }
' Kconfig board/*/Kconfig*)
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

# Every board builds: `make <board>_defconfig && make` in a copy of the
# source tree (the files git knows, committed or not; no build/, no
# .config), as a user of that board would run it.
jobs=$(nproc 2>/dev/null || echo 2)
for def in configs/*_defconfig; do
	board=$(basename "$def" _defconfig)
	dir=$build/boards/$board
	src=$dir/src
	rm -rf "$src" && mkdir -p "$src/build" || { bad "$board: cannot make $src"; continue; }
	sh test/copy-source.sh "$src"
	# The outer build has checked the Debian packages already.
	touch "$src/build/.deps-ok"
	if (cd "$src" && make "${board}_defconfig" && make -j"$jobs") \
			> "$dir/build.log" 2>&1; then
		kind=$(file -b "$src/build/pinvm")
		case "$kind" in
		*"ARM aarch64"*"statically linked"*)
			ok "${board}_defconfig builds a static aarch64 pinvm" ;;
		*) bad "${board}_defconfig built $src/build/pinvm: $kind" ;;
		esac
	else
		tail -n 20 "$dir/build.log"
		bad "${board}_defconfig does not build (log: $dir/build.log)"
	fi
done

echo "build: $passed passed, $failed failed"
[ $failed -eq 0 ]
