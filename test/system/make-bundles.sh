#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The update bundles the board's update tests install, good and bad, made
# on the build machine with pinvm-sign as a release would be.
#   make-bundles.sh BUILD_DIR SECRET_KEY OUT_DIR
set -eu
build=$1
key=$2
out=$3
sign=$build/tools/pinvm-sign
fw=$build/guests
tmp=$out/.tmp

rm -rf "$out"
mkdir -p "$out" "$tmp"
bundle() { "$sign" sign -k "$key" -g "$1" -v "$2" -o "$out/$3.pvb" "$4" > /dev/null; }

bundle g1 2.0 fw-2 "$fw/fw-2.bin"
bundle g1 3.0 fw-silent "$fw/fw-silent.bin"
bundle g1 4.0 fw-resetloop "$fw/fw-resetloop.bin"
bundle g1 5.0 fw-healthreset "$fw/fw-healthreset.bin"
bundle g1 6.0 fw-hang "$fw/fw-hang.bin"
bundle g1 0.5 fw-0.5 "$fw/fw-1.bin"
bundle g3 2.0 wrong-guest "$fw/fw-2.bin"
bundle g2 2.0 no-health "$fw/fw-2.bin"
# The shmem receiver's next version (test/system/suites/shmem-update.sh).
bundle g3 2.0 shmem-rx-2 "$fw/shmem-rx-fw2.bin"

# Another key's signature.
"$sign" keygen "$tmp/other.sec" "$tmp/other.pub" > /dev/null
"$sign" sign -k "$tmp/other.sec" -g g1 -v 2.0 -o "$out/other-key.pvb" \
	"$fw/fw-2.bin" > /dev/null

size=$(wc -c < "$out/fw-2.pvb")
img=$(wc -c < "$fw/fw-2.bin")
sig_end=$((size - img))
# Flip one byte: of the signature; of the image (after signing).
flip() {
	cp "$out/fw-2.pvb" "$out/$1.pvb"
	byte=$(dd if="$out/$1.pvb" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
	printf "\\$(printf %03o $(((byte + 1) % 256)))" |
		dd of="$out/$1.pvb" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
flip bad-signature $((sig_end - 10))
flip tampered-image $((sig_end + img / 2))
head -c $((size - 100)) "$out/fw-2.pvb" > "$out/truncated.pvb"

# An image larger than the guest's 2 MiB of RAM.
cp "$fw/fw-2.bin" "$tmp/big.bin"
truncate -s $((2 * 1024 * 1024 + 16)) "$tmp/big.bin"
bundle g1 5.0 too-big "$tmp/big.bin"

# SWUpdate images carrying pinvm bundles, signed with a fleet certificate
# (CMS); and one signed with a certificate the board does not trust.
swu_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -keyout "$1.key" \
		-out "$1.pem" -subj "/O=pinvm test fleet/CN=$2" \
		-addext "keyUsage=critical,digitalSignature" \
		-addext "extendedKeyUsage=emailProtection" 2> /dev/null
}
swu_cert "$tmp/fleet" "pinvm test fleet"
swu_cert "$tmp/stranger" "someone else"
cp "$tmp/fleet.pem" "$out/swu-cert.pem"
swu() {
	sh board/common/pinvm-swu -c "$tmp/$1.pem" -k "$tmp/$1.key" -g g1 \
		-r 1.0 -o "$out/$2.swu" "$out/$3.pvb" > /dev/null
}
swu fleet swu-fw-2 fw-2
swu fleet swu-other-key other-key
swu stranger swu-stranger fw-2
rm -rf "$tmp"
