#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench's size section: the stripped static pinvm for qemu-virt per
# Kconfig feature set, each built in BUILD/bench/size/<set>/ from
# configs/qemu_virt_defconfig plus the set's fragment (test/configs/
# merge.sh: a line that does not take fails the set), and where the full
# build's bytes come from, by archive, from the linker's map (the text,
# data and read-only sections each input contributes).
#   size.sh BUILD_DIR
set -eu
build=$1
out=$build/bench/size
strip=${CROSS_COMPILE:-aarch64-linux-gnu-}strip
mkdir -p "$out"

# name, then the fragment's lines (separated by ";")
sets='full:
no-seccomp:# CONFIG_SECCOMP is not set
no-update:# CONFIG_UPDATE is not set
no-update-no-seccomp:# CONFIG_UPDATE is not set;# CONFIG_SECCOMP is not set
bare-metal-only:# CONFIG_UPDATE is not set;# CONFIG_LOADER_LINUX is not set;# CONFIG_LOADER_ELF is not set'

# build NAME FRAGMENT: $out/NAME/pinvm.stripped, and its map.
build() {
	dir=$out/$1
	mkdir -p "$dir"
	echo "$2" | tr ';' '\n' > "$dir/fragment"
	sh test/configs/merge.sh Kconfig configs/qemu_virt_defconfig "$dir/.config" \
		"$dir/fragment" > /dev/null
	make --no-print-directory -s O="$dir" LDFLAGS="-Wl,-Map,$dir/pinvm.map" \
		"$dir/pinvm" > "$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log"; echo "size: the $1 build failed"; exit 1; }
	"$strip" -o "$dir/pinvm.stripped" "$dir/pinvm"
}

# shares MAP: bytes per input archive (pinvm's own objects as "pinvm").
shares() {
	awk '
	function hex(s,   i, v, c) {
		v = 0
		for (i = 3; i <= length(s); i++) {
			c = index("0123456789abcdef", tolower(substr(s, i, 1)))
			v = v * 16 + c - 1
		}
		return v
	}
	# " .text  0xADDR 0xSIZE FILE", or the name alone on its line.
	/^ \.(text|data|rodata|tdata)/ {
		line = $0
		if (NF == 1) { getline line }
		n = split(line, w, " ")
		if (n < 3 || w[n - 1] !~ /^0x/) next
		size = hex(w[n - 1]); file = w[n]
		if (file ~ /\.a\(/) { sub(/\(.*/, "", file); sub(/.*\//, "", file) }
		else if (file ~ /\.o$/) file = "pinvm"
		else next
		bytes[file] += size; total += size
	}
	END { for (k in bytes) printf "%s %d %.1f\n", k, bytes[k], 100 * bytes[k] / total }' "$1" |
		sort -k2,2nr
}

echo "pinvm's size (stripped, static, aarch64) per feature set, qemu_virt_defconfig:"
printf '%-24s %10s %10s\n' "feature set" bytes "vs full"
full=
echo "$sets" | while IFS=: read -r name frag; do
	build "$name" "$frag"
	bytes=$(wc -c < "$out/$name/pinvm.stripped")
	[ -n "$full" ] || full=$bytes
	printf '%-24s %10d %+10d\n' "$name" "$bytes" $((bytes - full))
	echo "METRIC: pinvm_stripped_bytes_$(echo "$name" | tr - _)=$bytes" >> "$out/metrics"
done
echo
echo "Where the full build's bytes come from (sections of each input, from the map):"
shares "$out/full/pinvm.map" | awk '{ printf "  %-20s %9d %5.1f%%\n", $1, $2, $3 }' | head -n 8
cat "$out/metrics"
rm -f "$out/metrics"
