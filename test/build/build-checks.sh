#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Checks of the build itself: every Kconfig symbol has help text,
# docs/kconfig.md is what the Kconfig files make of it, each board's
# defconfig round-trips through savedefconfig and sets no test hook, the
# test build has the hooks, pinvm is a static aarch64 executable that
# carries its seccomp filters built (without libseccomp), every
# board's defconfig builds one, and a missing package stops the build
# with what to run. Uses its own KCONFIG_CONFIG and scratch copies of the
# tree under BUILD_DIR/boards/: the user's .config is not touched.
# Usage: build-checks.sh BUILD_DIR
set -u
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# make in another tree: nothing of the make running this (O=, BUILD=,
# the test build's variables) may reach it.
tree_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make "$@"; }

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
' Kconfig board/*/Kconfig* core/*/Kconfig drivers/Kconfig)
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

# docs/kconfig.md is what docs/kconfig-doc.sh makes of the Kconfig files.
if sh docs/kconfig-doc.sh Kconfig docs/kconfig-header.md | cmp -s - docs/kconfig.md; then
	ok "docs/kconfig.md is made from the Kconfig files, current"
else
	bad "docs/kconfig.md is stale: run make kconfig-doc"
fi

# Shipped defconfigs are minimal (savedefconfig's output; the board may be
# named even when it is the default) and carry no test hook.
hooks=$(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p' test/configs/*.config)
for def in configs/*_defconfig; do
	kconf a --defconfig="$def" && kconf a --savedefconfig="$tmp/saved"
	extra=$(grep -vxF -f "$tmp/saved" "$def" | grep -v '^CONFIG_BOARD_[A-Z0-9_]*=y$')
	lost=$(grep -vxF -f "$def" "$tmp/saved")
	if [ -z "$extra$lost" ]; then
		ok "$def is minimal (savedefconfig)"
	else
		bad "$def is not savedefconfig's output: ${extra:+has $extra }${lost:+lacks $lost}"
	fi
	set -- $(for h in $hooks; do grep -o "^$h=" "$def"; done)
	if [ $# -eq 0 ]; then
		ok "$def sets no test hook of test/configs/"
	else
		bad "$def sets test hooks: $* (they belong in test/configs/)"
	fi
done

# The build under test (make check's, O=build/test) has the test hooks.
if [ -f "$build/.config" ]; then
	missing=$(grep -E '^CONFIG_' test/configs/*.config | cut -d: -f2- |
		grep -vxF -f "$build/.config")
	if [ -z "$missing" ]; then
		ok "$build/.config has the hooks of test/configs/*.config"
	else
		bad "$build/.config lacks $missing"
	fi
fi

# Checking is not installing: a missing package stops the configuration
# with the line to run, before anything is written; NO_DEPS=1 checks
# nothing.
none=pinvm-no-such-package
tree_make --no-print-directory O="$tmp/o" DEPS_KCONFIG=$none \
	qemu_virt_defconfig > "$tmp/deps.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -qx "    make deps" "$tmp/deps.out" &&
		grep -q "apt-get install --no-install-recommends $none\$" "$tmp/deps.out" &&
		! grep -q "installing" "$tmp/deps.out" && [ ! -e "$tmp/o/.config" ]; then
	ok "a missing package stops make <board>_defconfig, naming make deps and apt-get"
else
	bad "make <board>_defconfig with $none missing: exit $rc, $(cat "$tmp/deps.out")"
fi
if tree_make --no-print-directory O="$tmp/o" DEPS_KCONFIG=$none NO_DEPS=1 \
		qemu_virt_defconfig > "$tmp/deps.out" 2>&1 && [ -f "$tmp/o/.config" ]; then
	ok "NO_DEPS=1 checks no package"
else
	bad "NO_DEPS=1 make qemu_virt_defconfig: $(cat "$tmp/deps.out")"
fi

kind=$(file -b "$build/pinvm")
case "$kind" in
*"ARM aarch64"*"statically linked"*) ok "build/pinvm is a static aarch64 executable" ;;
*) bad "build/pinvm is: $kind" ;;
esac

# The monitor carries its seccomp filters as libseccomp built them in the
# build's first link (core/sandbox_rules.c): it links no libseccomp, and
# what it writes of its table is the file that link wrote.
run_arm64=qemu-aarch64
case $(uname -m) in aarch64|arm64) run_arm64= ;; esac
if grep -q '^CONFIG_SECCOMP=y' "$build/.config" 2>/dev/null; then
	if ${CROSS_COMPILE:-aarch64-linux-gnu-}nm "$build/pinvm" | grep -q ' seccomp_rule_add\| seccomp_init'; then
		bad "build/pinvm links libseccomp: it should carry its filters built"
	else
		ok "build/pinvm carries its seccomp filters without libseccomp"
	fi
	if $run_arm64 "$build/pinvm" filter source "$tmp/carried.c" > /dev/null 2>&1 &&
			cmp -s "$tmp/carried.c" "$build/sandbox_filters.c"; then
		ok "pinvm filter source writes the table libseccomp built ($build/sandbox_filters.c)"
	else
		bad "pinvm filter source differs from $build/sandbox_filters.c"
	fi
fi

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
	if (cd "$src" && tree_make "${board}_defconfig" && tree_make -j"$jobs") \
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

# Field update configured out: no service, no libsodium, no update key,
# and no driver of its health register.
src=$build/boards/qemu_virt/src
nu=$src/build/noupdate
if [ -d "$src" ] && (cd "$src" && tree_make O=build/noupdate qemu_virt_defconfig &&
		kconfig-tweak --file build/noupdate/.config --disable UPDATE &&
		tree_make -j"$jobs" O=build/noupdate) > "$build/boards/noupdate.log" 2>&1; then
	ok "CONFIG_UPDATE=n builds"
	if ! grep -q "CONFIG_UPDATE=y\|CONFIG_DRIVER_HEALTH=y" "$nu/include/config/auto.conf" &&
	   ! ${CROSS_COMPILE:-aarch64-linux-gnu-}nm "$nu/pinvm" | grep -q "sodium\|update_service\|control_listen" &&
	   ! grep -q "install new firmware" "$nu/pinvm" && [ ! -e "$nu/include/generated/update_key.h" ]; then
		ok "CONFIG_UPDATE=n: no update service, health driver, libsodium or update key in pinvm"
	else
		bad "CONFIG_UPDATE=n: pinvm still carries field update (see $nu)"
	fi
else
	tail -n 20 "$build/boards/noupdate.log"
	bad "CONFIG_UPDATE=n does not build (log: $build/boards/noupdate.log)"
fi

# Filters configured out: no first link, no table, no libseccomp.
ns=$src/build/noseccomp
if [ -d "$src" ] && (cd "$src" && tree_make O=build/noseccomp qemu_virt_defconfig &&
		kconfig-tweak --file build/noseccomp/.config --disable SECCOMP &&
		tree_make -j"$jobs" O=build/noseccomp) > "$build/boards/noseccomp.log" 2>&1; then
	ok "CONFIG_SECCOMP=n builds"
	if [ ! -e "$ns/pinvm-filters" ] && [ ! -e "$ns/sandbox_filters.c" ] &&
	   ! ${CROSS_COMPILE:-aarch64-linux-gnu-}nm "$ns/pinvm" | grep -q 'seccomp_\|sandbox_carried'; then
		ok "CONFIG_SECCOMP=n: no filter table, first link or libseccomp"
	else
		bad "CONFIG_SECCOMP=n: pinvm still carries filters (see $ns)"
	fi
else
	tail -n 20 "$build/boards/noseccomp.log"
	bad "CONFIG_SECCOMP=n does not build (log: $build/boards/noseccomp.log)"
fi

# The start-up benchmark reads its trace with the board's busybox awk,
# which takes a number with a leading 0 as octal: a guest entry at
# 20.077331 must be 16912 us after an exec at 20.060419 (not -28 ms).
t=$build/build-checks/startup-trace
mkdir -p "$t"
echo "1 pinvm-1 1 STARTUP-RUN 764 20056000000 20100000000 3036 0" > "$t/runs"
cat > "$t/trace" <<'EOF'
# tracer: nop
           pinvm-764     [000] .....    20.060419: sched_process_exec: filename=/usr/sbin/pinvm pid=764 old_pid=764
           pinvm-764     [000] .....    20.063175: sched_process_fork: comm=pinvm pid=764 child_comm=pinvm child_pid=765
         vcpu-g1-765     [001] d....    20.077331: kvm_entry: PC: 0x0000000040000000
         vcpu-g1-765     [001] .....    20.077825: kvm_exit: TRAP: HSR_EC: 0x0016 (HVC64), PC: 0x000000004000000c
EOF
got=$($run_arm64 "$build/host/busybox" awk -f test/bench/startup-trace.awk "$t/runs" "$t/trace" 2>&1)
if [ "$got" = "STARTUP 1 pinvm-1 1 1 16912 16912 44000 22175 3036 0 4419" ]; then
	ok "bench: the start-up trace read by the board's awk, microseconds as decimals"
else
	bad "bench: the start-up trace read by the board's awk: '$got'"
fi

echo "build: $passed passed, $failed failed"
[ $failed -eq 0 ]
