#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the kernel modules pinvm's passthrough needs and Debian's arm64
# kernel (build/host/kernel-version) lacks: vfio with no-IOMMU mode,
# vfio_virqfd, vfio-platform-base, vfio-platform and vfio-amba, from
# Debian's own packages for exactly that kernel: linux-source-MAJOR,
# linux-headers-ABI-arm64 and -common (its .config and Module.symvers),
# linux-kbuild-MAJOR (fixdep and modpost for this machine). For the Linux
# test guest (the same kernel under pinvm) also uio and uio_pdrv_genirq,
# which Debian's .config leaves out, for a pinvm,shmem link. Fetched with
# apt-get download, unpacked with dpkg-deb: nothing is installed. The
# only change to Debian's source is board/common/linux-patches/MAJOR/.
#
#   build-modules.sh KERNEL_VERSION_FILE OUTDIR
#
# OUTDIR/ABI/ gets the .ko files and modules.load, the order to insmod
# them in with their parameters (rootfs/etc/init.d/S10modules reads it);
# OUTDIR/guest-ABI/ the guest's uio.ko and uio_pdrv_genirq.ko;
# OUTDIR/stamp names the ABI and Debian version built. When the stamp
# already matches, nothing is done.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
patches=$here/../common/linux-patches
cross=${CROSS_COMPILE:-aarch64-linux-gnu-}

die() { echo "build-modules: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: build-modules.sh KERNEL_VERSION_FILE OUTDIR"
pkg=$(cat "$1")
abi=${pkg#linux-image-}			# 6.1.0-57-arm64
case $pkg in
linux-image-?*) ;;
*) die "$1 names no kernel package (linux-image-ABI)" ;;
esac
flavour=${abi##*-}			# arm64
base=${abi%-"$flavour"}			# 6.1.0-57
major=$(echo "$abi" | cut -d. -f1,2)	# 6.1
mkdir -p "$2"
out=$(cd "$2" && pwd)

ver=$(apt-cache policy "$pkg:arm64" 2>/dev/null | sed -n 's/^ *Candidate: //p')
case $ver in
'' | '(none)') die "apt does not know $pkg:arm64; run 'apt-get update'" ;;
esac

want="$abi $ver uio $(cat "$patches/$major"/*.patch 2>/dev/null | cksum | cut -d' ' -f1)"
if [ "$(cat "$out/stamp" 2>/dev/null)" = "$want" ]; then
	echo "build-modules: $abi ($ver) already built in $out"
	touch "$out/stamp"
	exit 0
fi

rm -rf "$out/deb" "$out/x" "${out:?}/$abi" "$out/guest-$abi" "$out/stamp"
mkdir -p "$out/deb" "$out/x" "$out/$abi" "$out/guest-$abi"
cd "$out/deb"
# apt's sandbox user cannot write here; downloading as root is fine.
apt-get download -q "linux-source-$major=$ver" \
	"linux-headers-$abi:arm64=$ver" "linux-headers-$base-common=$ver" \
	"linux-kbuild-$major=$ver" 2>&1 | grep -v 'unsandboxed' || true
for p in "linux-source-$major" "linux-headers-$abi" \
	 "linux-headers-$base-common" "linux-kbuild-$major"; do
	ls "${p}_"*.deb >/dev/null 2>&1 ||
		die "could not download $p $ver from Debian's archive"
done

x=$out/x
for d in ./*.deb; do
	dpkg-deb -x "$d" "$x"
done
hdr=$x/usr/src/linux-headers-$abi
# The flavour's Makefile includes the -common tree by its installed path.
sed -i "s|/usr/src/|$x/usr/src/|g" "$hdr/Makefile"

src=$x/linux
mkdir -p "$src"
tar -xJf "$x/usr/src/linux-source-$major.tar.xz" -C "$src" \
	--strip-components=1 "linux-source-$major/drivers/vfio" \
	"linux-source-$major/drivers/uio"
rm -f "$x/usr/src/linux-source-$major.tar.xz"
for p in "$patches/$major"/*.patch; do
	[ -f "$p" ] || continue
	echo "build-modules: applying $(basename "$p")"
	patch -p1 -s -d "$src" < "$p"
done

# Debian's .config says VFIO=m, VFIO_VIRQFD=m, no VFIO_PLATFORM and no
# VFIO_NOIOMMU: build vfio/ with these instead, and nothing else of it.
echo "build-modules: building vfio for $abi ($ver)"
# Not the make of pinvm that runs this: none of its flags or variables
# (O=, V=, -j) may reach Kbuild.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -s -C "$hdr" M="$src/drivers/vfio" ARCH=arm64 CROSS_COMPILE="$cross" \
	CONFIG_VFIO=m CONFIG_VFIO_VIRQFD=m CONFIG_VFIO_PLATFORM=m \
	CONFIG_VFIO_AMBA=m CONFIG_VFIO_IOMMU_TYPE1= CONFIG_VFIO_PCI= \
	CONFIG_VFIO_MDEV= CONFIG_VFIO_FSL_MC= CONFIG_VFIO_IOMMU_SPAPR_TCE= \
	CONFIG_VFIO_SPAPR_EEH= KCFLAGS=-DCONFIG_VFIO_NOIOMMU=1 \
	-j"$(nproc)" modules

# The order to load them in, with their parameters; one module a line.
cat > "$out/$abi/modules.load" << EOF
vfio enable_unsafe_noiommu_mode=1
vfio_virqfd
vfio-platform-base
vfio-platform reset_required=0
vfio-amba
EOF
uts=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$hdr/include/generated/utsrelease.h")
[ "$uts" = "$abi" ] || die "the headers are for $uts, not $abi"
# install_ko DIR NAME DEST: DIR's NAME.ko, built for exactly $abi, into DEST.
install_ko() {
	ko=$(find "$1" -name "$2.ko")
	[ -n "$ko" ] || die "$2.ko was not built"
	magic=$("${cross}strings" -a "$ko" | sed -n 's/^vermagic=//p')
	case $magic in
	"$abi "*) ;;
	*) die "$2.ko: vermagic '$magic' is not the kernel's ($abi)" ;;
	esac
	"${cross}strip" --strip-debug -o "$3/$2.ko" "$ko"
}
while read -r name _; do
	install_ko "$src/drivers/vfio" "$name" "$out/$abi"
done < "$out/$abi/modules.load"
"${cross}strings" -a "$out/$abi/vfio.ko" | grep -q enable_unsafe_noiommu_mode ||
	die "vfio.ko was built without CONFIG_VFIO_NOIOMMU"

# The guest's: UIO's core and the generic platform driver, nothing else.
echo "build-modules: building uio, uio_pdrv_genirq for $abi ($ver)"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -s -C "$hdr" M="$src/drivers/uio" ARCH=arm64 CROSS_COMPILE="$cross" \
	CONFIG_UIO=m CONFIG_UIO_PDRV_GENIRQ=m CONFIG_UIO_CIF= CONFIG_UIO_AEC= \
	CONFIG_UIO_SERCOS3= CONFIG_UIO_PCI_GENERIC= CONFIG_UIO_NETX= \
	CONFIG_UIO_DMEM_GENIRQ= CONFIG_UIO_PRUSS= CONFIG_UIO_MF624= \
	CONFIG_UIO_HV_GENERIC= CONFIG_UIO_DFL= CONFIG_UIO_FSL_ELBC_GPCM= \
	-j"$(nproc)" modules
for name in uio uio_pdrv_genirq; do
	install_ko "$src/drivers/uio" "$name" "$out/guest-$abi"
done

rm -rf "$out/deb" "$x"
echo "$want" > "$out/stamp"
echo "build-modules: $(find "$out/$abi" -name '*.ko' | wc -l) modules for $abi ($ver) in $out/$abi"
