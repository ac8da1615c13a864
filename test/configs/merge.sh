#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The test build's configuration: BASE (the user's .config or a board's
# defconfig) with the FRAGMENTs merged on top by kconfig-merge, as the
# kernel's merge_config.sh does, then olddefconfig. Every line of a
# fragment must be in the result (a symbol whose dependencies the base
# does not meet would otherwise be dropped silently). OUT is replaced only
# when it changes.
#   merge.sh KCONFIG BASE OUT FRAGMENT...
set -eu
kconfig=$1
base=$2
out=$3
shift 3
new=$out.new
rm -f "$new"
KCONFIG_CONFIG=$new kconfig-merge -m "$base" "$@" > /dev/null
KCONFIG_CONFIG=$new kconfig-conf --olddefconfig "$kconfig" > /dev/null
for frag in "$@"; do
	grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' "$frag" |
	while IFS= read -r line; do
		grep -qxF "$line" "$new" && continue
		echo "$frag: $line did not take on $base (its dependencies are not met)" >&2
		exit 1
	done
done
rm -f "$new.old"
if cmp -s "$new" "$out"; then
	rm -f "$new"
else
	echo "  KCONFIG $out = $base + $*"
	mv "$new" "$out"
fi
