#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Put the guests' firmware into a board image: every file the partition
# names (image, initrd, dtb) goes to IMAGE_DIR, and each guest that can be
# updated (it has a pinvm,health device) gets its image in slot a of
# UPDATE_DIR, committed, with the partition's firmware-version.
#   install-firmware.sh PARTITION.dtb FIRMWARE_DIR ROOT IMAGE_DIR UPDATE_DIR PINVM_SIGN
set -eu
dtb=$1 firmware=$2 root=$3 image_dir=$4 update_dir=$5 sign=$6

die() { echo "make image: $*" >&2; exit 1; }

[ -d "$firmware" ] || die "CONFIG_IMAGE_FIRMWARE_DIR: $firmware is not a directory"
for guest in $(fdtget -l "$dtb" /pinvm); do
	node=/pinvm/$guest
	for prop in image initrd dtb; do
		file=$(fdtget -t s "$dtb" $node $prop 2>/dev/null) || continue
		case $file in
		/*) src=$firmware/$(basename "$file") dst=$root$file ;;
		*) src=$firmware/$file dst=$root$image_dir/$file ;;
		esac
		[ -f "$src" ] || die "guest $guest: $prop \"$file\" is not in $firmware (set CONFIG_IMAGE_FIRMWARE_DIR to where the guests' firmware is)"
		install -D -m 0644 "$src" "$dst"
	done
	health=
	for child in $(fdtget -l "$dtb" $node); do
		[ "$(fdtget -t s "$dtb" $node/$child compatible 2>/dev/null)" = pinvm,health ] && health=1
	done
	[ -n "$health" ] || continue
	version=$(fdtget -t s "$dtb" $node firmware-version 2>/dev/null) || version=0
	image=$(fdtget -t s "$dtb" $node image)
	case $image in /*) image=$(basename "$image") ;; esac
	mkdir -p "$root$update_dir"
	"$sign" seed "$root$update_dir" "$guest" "$version" "$firmware/$image"
	echo "  SLOT    $guest: version $version in slot a"
done
