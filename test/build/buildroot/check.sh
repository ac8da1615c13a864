#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Checks of the Buildroot BR2_EXTERNAL tree in board/buildroot/, with no
# network and no Buildroot checkout:
#  - the files Buildroot reads, and the rules of Buildroot's
#    utils/check-package that matter here (header, variable prefix,
#    whitespace, help text);
#  - the Config.in files parse with kconfig-conf inside a stand-in for
#    Buildroot's menu, and pinvm can only be chosen with static libraries;
#  - every example config gives the kernel pinvm's fragments
#    (board/common/ and board/<board>/linux.fragment: KVM, VFIO);
#  - pinvm.mk, unchanged, drives configure, build and install through
#    test/build/buildroot/harness.mk, which defines what Buildroot would.
# Usage: check.sh BUILD_DIR (run from the top of the tree)
set -u
build=$1
top=$(pwd)
ext=board/buildroot
mk=$ext/package/pinvm/pinvm.mk
cfg=$ext/package/pinvm/Config.in
case $build in /*) ;; *) build=$top/$build ;; esac
work=$build/buildroot
passed=0
failed=0

# make of the package's tree: nothing of the make running this (O=,
# BUILD=, the test build's variables) may reach it, as none would from
# Buildroot.
tree_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make "$@"; }

ok() { echo "PASS: $1"; passed=$((passed + 1)); }
bad() { echo "FAIL: $1"; failed=$((failed + 1)); }
check() { # description, command...
	d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}

# --- the files Buildroot reads ----------------------------------------
check "external.desc names the tree PINVM" \
	grep -qx 'name: PINVM' $ext/external.desc
check "external.desc has a desc" grep -Eq '^desc: +[^ ]' $ext/external.desc
check "external.desc has no line Buildroot would misread" \
	sh -c "! grep -Ev '^(#.*|name: .*|desc: .*)$' $ext/external.desc"
check "external.mk includes package/*/*.mk through BR2_EXTERNAL_PINVM_PATH" \
	grep -Eq '^include .*\$\(BR2_EXTERNAL_PINVM_PATH\)/package/\*/\*\.mk' \
	$ext/external.mk
check "Config.in sources package/pinvm/Config.in through \$BR2_EXTERNAL_PINVM_PATH" \
	grep -Eq '^source "\$BR2_EXTERNAL_PINVM_PATH/package/pinvm/Config.in"$' \
	$ext/Config.in
for v in VERSION SITE SITE_METHOD LICENSE LICENSE_FILES DEPENDENCIES \
		KCONFIG_EDITORS KCONFIG_OPTS; do
	check "pinvm.mk sets PINVM_$v" grep -Eq "^PINVM_$v[[:space:]]*[:+]?=" $mk
done
check "pinvm.mk sets PINVM_KCONFIG_FILE or PINVM_KCONFIG_DEFCONFIG" \
	grep -Eq '^PINVM_KCONFIG_(FILE|DEFCONFIG)[[:space:]]*=' $mk
for v in BUILD_CMDS INSTALL_TARGET_CMDS; do
	check "pinvm.mk defines PINVM_$v" grep -q "^define PINVM_$v\$" $mk
done
check "pinvm.mk's site is the tree it is in, copied (local)" \
	sh -c "grep -Eq '^PINVM_SITE = \\\$\\(BR2_EXTERNAL_PINVM_PATH\\)/\\.\\./\\.\\.\$' $mk &&
		grep -Eq '^PINVM_SITE_METHOD = local\$' $mk"
check "pinvm.mk's licence file exists in the tree" test -f "$ext/../../LICENSE"
check "pinvm.mk ends with \$(eval \$(kconfig-package))" \
	sh -c "[ \"\$(tail -n 1 $mk)\" = '\$(eval \$(kconfig-package))' ]"

# --- check-package's rules ----------------------------------------------
hashes=$(printf '%80s' '' | tr ' ' '#')
header_ok() {
	[ "$(sed -n 1p $mk)" = "$hashes" ] && [ "$(sed -n 2p $mk)" = "#" ] &&
	[ "$(sed -n 3p $mk)" = "# pinvm" ] && [ "$(sed -n 4p $mk)" = "#" ] &&
	[ "$(sed -n 5p $mk)" = "$hashes" ] && [ -z "$(sed -n 6p $mk)" ]
}
check "pinvm.mk starts with the 80-# header naming the package" header_ok
# Every variable the .mk assigns or defines is the package's own.
stray=$(sed -nE 's/^(define[[:space:]]+)?([A-Za-z0-9_]+)[[:space:]]*([:+?]?=.*)?$/\2/p' $mk |
	grep -v '^PINVM_' | grep -Ev '^(define|endef|ifeq|ifneq|endif|else|include)$')
check "every variable pinvm.mk sets starts with PINVM_${stray:+ (not: $stray)}" \
	test -z "$stray"
files="$ext/external.desc $ext/external.mk $ext/Config.in $cfg $mk"
for f in $files $ext/configs/*; do
	check "$f: no trailing whitespace" sh -c "! grep -nE '[[:space:]]+\$' $f"
	check "$f: no consecutive empty lines" \
		awk 'NR > 1 && prev == "" && $0 == "" { bad = 1 } { prev = $0 } END { exit bad }' $f
	check "$f: ends with one newline" \
		sh -c "[ -z \"\$(tail -c 1 $f)\" ] && [ -n \"\$(tail -n 1 $f)\" ]"
	check "$f: has an SPDX-License-Identifier line" \
		grep -q 'SPDX-License-Identifier: GPL-2.0-only' $f
done
# A defconfig in configs/ of the tree forces hash checks
# (checkpackagelib/lib_defconfig.py, ForceCheckHash): the exact line.
fails() { ! "$@"; }
forces_hashes() { grep -qx 'BR2_DOWNLOAD_FORCE_CHECK_HASHES=y' "$1"; }
for f in $ext/configs/*_defconfig; do
	check "$f: sets BR2_DOWNLOAD_FORCE_CHECK_HASHES=y" forces_hashes "$f"
done
mkdir -p "$work/configs"
for f in $ext/configs/*_defconfig; do
	grep -vx 'BR2_DOWNLOAD_FORCE_CHECK_HASHES=y' "$f" > "$work/configs/${f##*/}"
	check "the rule fails on a copy of $f without it" \
		fails forces_hashes "$work/configs/${f##*/}"
done
# --- the host kernel's configuration ------------------------------------
# Every example config hands Buildroot's linux package
# board/common/linux.fragment and its board's board/<board>/linux.fragment
# (BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES), and together they set what
# pinvm needs of the host kernel.
kernel_needs="CONFIG_KVM=y CONFIG_EVENTFD=y CONFIG_VFIO=y CONFIG_VFIO_PLATFORM=y CONFIG_VFIO_AMBA=y CONFIG_VFIO_NOIOMMU=y"
# sets_kernel_needs FRAGMENT...: the fragments set every one of them.
sets_kernel_needs() {
	for n in $kernel_needs; do
		cat "$@" | grep -qx "$n" || return 1
	done
}
for f in $ext/configs/*; do
	board=$(sed -n 's/^BR2_PACKAGE_PINVM_DEFCONFIG="\(.*\)"$/\1/p' "$f" | tr _ -)
	frags=$(sed -n 's/^BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES="\(.*\)"$/\1/p' "$f")
	want="\$(BR2_EXTERNAL_PINVM_PATH)/../common/linux.fragment \$(BR2_EXTERNAL_PINVM_PATH)/../$board/linux.fragment"
	check "$f: the kernel gets board/common/ and board/$board/linux.fragment" \
		test -n "$board" -a "$frags" = "$want"
	check "$f: its kernel fragments set $kernel_needs" \
		sets_kernel_needs board/common/linux.fragment "board/$board/linux.fragment"
done
for b in board/*/linux.fragment; do
	check "$b: has an SPDX-License-Identifier line" \
		grep -q 'SPDX-License-Identifier: GPL-2.0-only' "$b"
done
grep -vx 'CONFIG_VFIO_NOIOMMU=y' board/rpi4/linux.fragment > "$work/linux.fragment"
check "the kernel check fails on a copy of board/rpi4/linux.fragment without VFIO_NOIOMMU" \
	fails sets_kernel_needs board/common/linux.fragment "$work/linux.fragment"
# The .mk: continuation lines and define bodies indented with tabs.
check "pinvm.mk: define bodies and continuation lines start with a tab" \
	awk '
		/^define / { d = 1; next }
		/^endef/ { d = 0; next }
		(d || cont) && !/^\t/ && !/^[[:space:]]*$/ && !/^#/ { bad = 1 }
		{ cont = /\\$/ && !/^#/ }
		END { exit bad }' $mk
# Config.in: attributes indented with one tab, help text with one tab and
# two spaces, at most 62 characters after them (72 columns), a URL alone
# may be longer; entries not indented; every symbol BR2_PACKAGE_PINVM*.
check "package Config.in: help text is <tab><2 spaces>, 72 columns at most" \
	awk '
		/^(config|menuconfig|comment|if|endif|menu|endmenu|choice|endchoice|source)([[:space:]]|$)/ { h = 0; next }
		/^\thelp$/ { h = 1; first = 1; next }
		h && /^[[:space:]]*$/ { next }
		h {
			if ($0 ~ /^\t  [a-z]+:\/\/[^ ]*$/) { first = 0; next }
			if ($0 !~ /^\t  /) { bad = 1; print FILENAME ":" NR ": " $0 }
			else if (length(substr($0, 4)) > 62) { bad = 1; print FILENAME ":" NR ": too long" }
			else if (first && substr($0, 4, 1) ~ /[[:space:]]/) { bad = 1 }
			first = 0
		}
		END { exit bad }' $cfg
check "package Config.in: attributes indented with one tab, entries not indented" \
	awk '
		/^\t  / || /^[[:space:]]*(#|$)/ { next }
		{ w = $1 }
		w ~ /^(bool|string|default|depends|select|help|prompt)$/ && $0 !~ /^\t[a-z]/ { bad = 1; print NR ": " $0 }
		w ~ /^(config|menuconfig|comment|if|endif|menu|endmenu|choice|endchoice|source)$/ && $0 ~ /^[[:space:]]/ { bad = 1; print NR ": " $0 }
		END { exit bad }' $cfg
check "package Config.in: attributes in the order type, default, depends on, select, help" \
	awk '
		BEGIN { o["bool"] = 1; o["string"] = 1; o["prompt"] = 1; o["default"] = 2
			o["depends"] = 3; o["select"] = 4; o["help"] = 5 }
		/^\t  / || /^[[:space:]]*(#|$)/ { next }
		/^[a-z]/ { s = 0; next }
		($1 in o) { if (s > o[$1]) { bad = 1; print NR ": " $0 }; s = o[$1] }
		END { exit bad }' $cfg
syms=$(sed -nE 's/^(menu)?config[[:space:]]+([A-Za-z0-9_]+).*/\2/p' $cfg $ext/Config.in)
other=$(echo "$syms" | grep -v '^BR2_PACKAGE_PINVM' | tr '\n' ' ')
check "every config symbol is BR2_PACKAGE_PINVM*${other:+ (not: $other)}" \
	test -z "$other"
check "package Config.in: depends on BR2_aarch64 and on static libraries" \
	sh -c "grep -qx '	depends on BR2_aarch64' $cfg &&
		grep -qx '	depends on BR2_STATIC_LIBS || BR2_SHARED_STATIC_LIBS' $cfg"
check "package Config.in: a comment for the unmet dependencies" \
	grep -q '^comment "pinvm needs' $cfg

# --- the Config.in files in kconfig-conf ------------------------------
# A stand-in for Buildroot's menu: the BR2_* symbols the package uses, as
# bools a .config can set (with no CONFIG_ prefix, as in Buildroot's
# .config), then the tree's Config.in as Buildroot's
# br2-external script sources it. kconfig-frontends 4.11 expands
# $NAME in source lines from the symbol NAME; option env gives that
# symbol the environment's value.
rm -rf "$work" && mkdir -p "$work/kconfig"
kc=$work/kconfig
{
	echo 'mainmenu "Buildroot stand-in"'
	printf 'config BR2_EXTERNAL_PINVM_PATH\n\tstring\n\toption env="BR2_EXTERNAL_PINVM_PATH"\n'
	for s in BR2_aarch64 BR2_TOOLCHAIN_HAS_THREADS \
			BR2_TOOLCHAIN_HEADERS_AT_LEAST_4_8 BR2_STATIC_LIBS \
			BR2_SHARED_STATIC_LIBS BR2_PACKAGE_DTC BR2_PACKAGE_LIBGPIOD \
			BR2_PACKAGE_LIBSODIUM BR2_PACKAGE_LIBSECCOMP \
			BR2_PACKAGE_LIBSECCOMP_ARCH_SUPPORTS \
			BR2_PACKAGE_HOST_QEMU BR2_PACKAGE_HOST_QEMU_LINUX_USER_MODE \
			BR2_PACKAGE_HOST_QEMU_ARCH_SUPPORTS \
			BR2_TOOLCHAIN_HEADERS_AT_LEAST_5_0; do
		printf 'config %s\n\tbool "%s"\n' $s $s
	done
	printf 'source "$BR2_EXTERNAL_PINVM_PATH/Config.in"\n'
} > "$kc/Config.in"
# Every BR2_ symbol the package names is one the stand-in defines (or the
# package's own): a typo would otherwise be a silent "n".
used=$(grep -Ev '^([[:space:]]*#|	  )' $cfg | grep -oE '\bBR2_[A-Za-z0-9_]+' | sort -u)
unknown=
for s in $used; do
	grep -q "^config $s\$" "$kc/Config.in" $cfg || unknown="$unknown $s"
done
check "package Config.in names only symbols the stand-in defines${unknown:+ (not:$unknown)}" \
	test -z "$unknown"
kconf() { # name, lines of the .config
	printf '%s\n' "$2" > "$kc/$1"
	(cd "$kc" && BR2_EXTERNAL_PINVM_PATH=$top/$ext KCONFIG_CONFIG=$1 \
		CONFIG_= kconfig-conf --olddefconfig Config.in) > "$kc/$1.log" 2>&1
}
base='BR2_aarch64=y
BR2_TOOLCHAIN_HAS_THREADS=y
BR2_TOOLCHAIN_HEADERS_AT_LEAST_4_8=y
BR2_TOOLCHAIN_HEADERS_AT_LEAST_5_0=y
BR2_PACKAGE_LIBSECCOMP_ARCH_SUPPORTS=y
BR2_PACKAGE_HOST_QEMU_ARCH_SUPPORTS=y
BR2_PACKAGE_PINVM=y'
if kconf static "$base
BR2_STATIC_LIBS=y"; then
	ok "Config.in files parse with kconfig-conf --olddefconfig"
	check "BR2_PACKAGE_PINVM=y with BR2_STATIC_LIBS, selecting dtc, libgpiod, libsodium, libseccomp, host-qemu's user mode" \
		sh -c "grep -qx BR2_PACKAGE_PINVM=y $kc/static &&
			grep -qx BR2_PACKAGE_LIBSECCOMP=y $kc/static &&
			grep -qx BR2_PACKAGE_HOST_QEMU=y $kc/static &&
			grep -qx BR2_PACKAGE_HOST_QEMU_LINUX_USER_MODE=y $kc/static &&
			grep -qx BR2_PACKAGE_DTC=y $kc/static &&
			grep -qx BR2_PACKAGE_LIBGPIOD=y $kc/static &&
			grep -qx BR2_PACKAGE_LIBSODIUM=y $kc/static &&
			grep -qx 'BR2_PACKAGE_PINVM_DEFCONFIG=\"qemu_virt\"' $kc/static"
	check "kconfig-conf gives no warning" sh -c "! grep -qi warning $kc/static.log"
else
	bad "Config.in files do not parse: $(cat "$kc/static.log")"
fi
kconf shared "$base
BR2_SHARED_STATIC_LIBS=y" &&
	check "BR2_PACKAGE_PINVM=y with BR2_SHARED_STATIC_LIBS" \
		grep -qx BR2_PACKAGE_PINVM=y "$kc/shared"
kconf dynamic "$base" &&
	check "BR2_PACKAGE_PINVM cannot be y without static libraries" \
		sh -c "! grep -q '^BR2_PACKAGE_PINVM=y' $kc/dynamic"
kconf arm "BR2_TOOLCHAIN_HAS_THREADS=y
BR2_TOOLCHAIN_HEADERS_AT_LEAST_4_8=y
BR2_STATIC_LIBS=y
BR2_PACKAGE_PINVM=y" &&
	check "BR2_PACKAGE_PINVM cannot be y without BR2_aarch64" \
		sh -c "! grep -q '^BR2_PACKAGE_PINVM=y' $kc/arm"

# --- pinvm.mk driven as Buildroot would --------------------------------
# The package's build directory: the tree as the local site method copies
# it (the files git knows, committed or not; no build/, no .config).
src=$work/pinvm-0.1
out=$work/out
mkdir -p "$src" "$out/host/bin" "$out/target"
sh test/copy-source.sh "$src"
# HOST_DIR/bin: dtc (host-dtc), the cross compiler and qemu-aarch64
# (host-qemu, which runs the first link's pinvm filter source), as wrappers that
# leave a mark, so the test sees the .mk made pinvm use them.
for t in dtc aarch64-linux-gnu-gcc qemu-aarch64; do
	case $t in dtc) real=$(command -v dtc) ;; *) real=$(command -v "$t") ;; esac
	printf '#!/bin/sh\necho "$0" >> %s/used\nexec %s "$@"\n' "$out" "$real" \
		> "$out/host/bin/$t"
	chmod +x "$out/host/bin/$t"
done
for t in ar as ld nm strip objcopy; do
	ln -sf "$(command -v aarch64-linux-gnu-$t)" "$out/host/bin/aarch64-linux-gnu-$t"
done
harness() {
	tree_make --no-print-directory -f "$top/test/build/buildroot/harness.mk" \
		TOPDIR="$top" SRC="$src" OUT="$out" "$@"
}
deps=$(harness print-PINVM_DEPENDENCIES)
missing=
for d in dtc host-dtc libgpiod libsodium host-libsodium libseccomp host-qemu; do
	echo " $deps " | grep -q " $d " || missing="$missing $d"
done
check "PINVM_DEPENDENCIES has dtc host-dtc libgpiod libsodium host-libsodium libseccomp host-qemu${missing:+ (missing:$missing)}" \
	test -z "$missing"
check "PINVM_KCONFIG_DEFCONFIG is qemu_virt_defconfig for BR2_PACKAGE_PINVM_DEFCONFIG=\"qemu_virt\"" \
	test "$(harness print-PINVM_KCONFIG_DEFCONFIG)" = qemu_virt_defconfig
for b in $(cd configs && ls *_defconfig | sed 's/_defconfig$//'); do
	check "BR2_PACKAGE_PINVM_DEFCONFIG=\"$b\" names configs/${b}_defconfig" \
		test -f "configs/$(harness BR2_PACKAGE_PINVM_DEFCONFIG="\"$b\"" print-PINVM_KCONFIG_DEFCONFIG)"
done
jobs=$(nproc 2>/dev/null || echo 2)
log=$work/build.log
if harness configure > "$log" 2>&1; then
	ok "configure: the defconfig step and olddefconfig, as kconfig-package runs them"
	check "configure: .config is the qemu_virt board's" \
		grep -qx 'CONFIG_BOARD_QEMU_VIRT=y' "$src/.config"
	check "pinvm-menuconfig / pinvm-nconfig: pinvm's Makefile has the targets" \
		harness check-editors
else
	bad "configure failed: see $log"
fi
if harness -j"$jobs" install >> "$log" 2>&1; then
	ok "build and install through PINVM_BUILD_CMDS and PINVM_INSTALL_TARGET_CMDS"
else
	bad "build or install failed: see $log"
	tail -n 20 "$log"
fi
kind=$(file -b "$out/target/usr/sbin/pinvm" 2>&1)
case "$kind" in
*"ARM aarch64"*"statically linked"*) ok "TARGET_DIR/usr/sbin/pinvm is a static aarch64 executable" ;;
*) bad "TARGET_DIR/usr/sbin/pinvm is: $kind" ;;
esac
check "TARGET_DIR/etc/init.d/S50pinvm is installed, executable" \
	test -x "$out/target/etc/init.d/S50pinvm"
check "TARGET_DIR/etc/default/pinvm is installed" test -f "$out/target/etc/default/pinvm"
check "the build used TARGET_CROSS's compiler, HOST_DIR's dtc and HOST_DIR's qemu-aarch64" \
	sh -c "grep -q 'bin/aarch64-linux-gnu-gcc\$' $out/used && grep -q 'bin/dtc\$' $out/used &&
		grep -q 'bin/qemu-aarch64\$' $out/used"
check "the build passed TARGET_CFLAGS (-Os -g0) to the compiler" \
	sh -c "cd $src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -n --no-print-directory NO_DEPS=1 \
		CC=$out/host/bin/aarch64-linux-gnu-gcc CFLAGS='-Os -g0' -W core/main.c build/obj/core/main.o |
		grep -q -- '-Os -g0'"
check "pinvm-sign was built for the build machine (HOSTCC), the development key made" \
	sh -c "file -b $src/build/tools/pinvm-sign | grep -q x86-64 && test -f $src/build/keys/development.pub"
# The build directory is inside this git tree, as Buildroot's output often
# is inside a Buildroot checkout: pinvm must not take that tree's version.
ver=$(harness print-PINVM_VERSION)
around=$(cd "$src" && git describe --always --dirty 2> /dev/null)
check "pinvm says it is version $ver (PINVM_VERSION)${around:+, not $around (the git tree around it)}" \
	sh -c "strings -a -n 3 $out/target/usr/sbin/pinvm | grep -qx '$ver' &&
		{ [ -z '$around' ] || ! strings -a -n 3 $out/target/usr/sbin/pinvm | grep -qx '$around'; }"

# BR2_PACKAGE_PINVM_UPDATE_PUBLIC_KEY reaches CONFIG_UPDATE_PUBLIC_KEY
# through the kconfig fixup (configure only: no second build).
src2=$work/pinvm-key
rm -rf "$src2" && cp -a "$src" "$src2" && rm -f "$src2/.stamp_"* "$src2/.config"
key=$src/build/keys/development.pub
if tree_make --no-print-directory -f "$top/test/build/buildroot/harness.mk" TOPDIR="$top" \
		SRC="$src2" OUT="$out" \
		BR2_PACKAGE_PINVM_UPDATE_PUBLIC_KEY="\"$key\"" configure > "$work/key.log" 2>&1; then
	check "BR2_PACKAGE_PINVM_UPDATE_PUBLIC_KEY sets CONFIG_UPDATE_PUBLIC_KEY" \
		grep -qx "CONFIG_UPDATE_PUBLIC_KEY=\"$key\"" "$src2/.config"
else
	bad "configure with an update key failed: see $work/key.log"
fi

echo "buildroot: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
