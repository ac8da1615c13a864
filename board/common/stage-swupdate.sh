#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# stage-swupdate.sh DESTDIR CACHEDIR
#
# Stage Debian's swupdate binary (default: arm64) plus the transitive closure
# of its DT_NEEDED shared libraries and the dynamic loader into DESTDIR, using
# only `apt-get download` (run in CACHEDIR, no root needed apart from apt's
# normal cache access) and `dpkg-deb -x`.  Package versions are chosen by apt
# (candidate version); nothing is version-pinned.
#
# Environment:
#   ARCH=arm64 (default) | amd64   - Debian architecture to stage
#   SWU_BINARIES="usr/bin/swupdate" - ELF files (relative paths in the
#                                     swupdate package) to stage; e.g. add
#                                     usr/bin/swupdate-client
#   VERBOSE=1                       - chatty
#
# Algorithm: download+extract swupdate; walk DT_NEEDED of every staged ELF;
# resolve each SONAME against the extracted packages; when a SONAME is not
# found, download the direct Depends/Pre-Depends of the package that owns the
# ELF needing it (Debian shlibs guarantee the provider is a direct dependency)
# and retry.  Only packages that actually provide a needed file are reported.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 DESTDIR CACHEDIR" >&2
    exit 2
fi
mkdir -p "$1" "$2"
DESTDIR=$(cd "$1" && pwd)
CACHEDIR=$(cd "$2" && pwd)
ARCH=${ARCH:-arm64}
SWU_BINARIES=${SWU_BINARIES:-usr/bin/swupdate}
VERBOSE=${VERBOSE:-0}

case "$ARCH" in
    arm64) TRIPLET=aarch64-linux-gnu ;;
    amd64) TRIPLET=x86_64-linux-gnu ;;
    armhf) TRIPLET=arm-linux-gnueabihf ;;
    *) echo "unsupported ARCH=$ARCH" >&2; exit 2 ;;
esac
if command -v "$TRIPLET-readelf" >/dev/null 2>&1; then
    READELF="$TRIPLET-readelf"
else
    READELF=readelf   # binutils readelf handles foreign ELF files too
fi

DEBDIR="$CACHEDIR/debs"
XDIR="$CACHEDIR/extract"
URIDIR="$CACHEDIR/.empty"
mkdir -p "$DEBDIR" "$XDIR" "$URIDIR"

log() { [ "$VERBOSE" = 1 ] && echo "stage: $*" >&2 || true; }

declare -A FETCHED=()    # pkg -> 1 (download+extract done, or failed=0)
declare -A EXPANDED=()   # pkg -> 1 (its direct deps already fetched)
declare -A SONAME=()     # soname -> "pkg relpath"
declare -A USEDPKG=()    # pkg -> 1 (contributes a staged file)
declare -A STAGED=()     # relpath -> 1

# fetch PKG...: apt-get download (one batched call; apt itself skips a .deb
# already present in CACHEDIR/debs), then dpkg-deb -x into $XDIR/PKG
# (re-extracted only if the candidate .deb changed).  Packages apt does not
# know as PKG:$ARCH are marked failed and skipped.
fetch() {
    local pkg uri fname size hash line
    local -a want=() args=() lines=()
    for pkg in "$@"; do
        [ -z "${FETCHED[$pkg]:-}" ] && want+=("$pkg")
    done
    [ ${#want[@]} -eq 0 ] && return 0
    for pkg in "${want[@]}"; do
        args+=("$pkg:$ARCH")
    done
    [ ${#args[@]} -eq 0 ] && return 0
    # candidate file names + hashes (run in an empty dir: apt prints nothing
    # for a .deb that already exists in cwd)
    mapfile -t lines < <(cd "$URIDIR" && apt-get download --print-uris "${args[@]}")
    log "downloading (if not cached): ${args[*]}"
    # (the "unsandboxed as root" warning is harmless; keep real errors)
    (cd "$DEBDIR" && apt-get download "${args[@]}" 2>&1 >/dev/null |
        grep -v 'Download is performed unsandboxed' >&2 || true)
    for line in "${lines[@]}"; do
        # 'URI' filename size SHA256:hex
        read -r uri fname size hash <<<"$line"
        pkg=${fname%%_*}
        hash=${hash#SHA256:}
        if [ ! -f "$DEBDIR/$fname" ] ||
           [ "$(sha256sum "$DEBDIR/$fname" | cut -d' ' -f1)" != "$hash" ]; then
            echo "stage: apt-get download $pkg:$ARCH did not produce $fname" >&2
            exit 1
        fi
        if [ "$(cat "$XDIR/$pkg.stamp" 2>/dev/null || true)" != "$fname" ]; then
            rm -rf "${XDIR:?}/$pkg"
            mkdir -p "$XDIR/$pkg"
            dpkg-deb -x "$DEBDIR/$fname" "$XDIR/$pkg"
            echo "$fname" >"$XDIR/$pkg.stamp"
        fi
        FETCHED[$pkg]=1
        index "$pkg"
    done
    for pkg in "${want[@]}"; do
        [ -n "${FETCHED[$pkg]:-}" ] || { echo "stage: no .deb for $pkg:$ARCH" >&2; exit 1; }
    done
}

# index PKG: record every shared-object name in the library directories
index() {
    local pkg=$1 f rel
    while IFS= read -r -d '' f; do
        rel=${f#"$XDIR/$pkg/"}
        # first provider wins (packages fetched earlier are closer to swupdate)
        [ -z "${SONAME[${f##*/}]:-}" ] && SONAME[${f##*/}]="$pkg $rel"
    done < <(find "$XDIR/$pkg" -maxdepth 4 \( -path "$XDIR/$pkg/lib/$TRIPLET/*" \
                                 -o -path "$XDIR/$pkg/usr/lib/$TRIPLET/*" \
                                 -o -path "$XDIR/$pkg/lib/*" \
                                 -o -path "$XDIR/$pkg/lib64/*" \) \
                  \( -type f -o -type l \) -name '*.so*' -print0)
}

# expand PKG: fetch its direct (Pre-)Depends for this architecture
expand() {
    local pkg=$1 dep
    [ -n "${EXPANDED[$pkg]:-}" ] && return 1
    EXPANDED[$pkg]=1
    log "expanding dependencies of $pkg"
    local -a deps=()
    read -r -a deps <<<"${DEPS[$pkg]:-}"
    [ ${#deps[@]} -gt 0 ] && fetch "${deps[@]}"
    return 0
}

# stage_file PKG RELPATH: copy into DESTDIR, following symlink chains
stage_file() {
    local pkg=$1 rel=$2 src tgt dir
    [ -n "${STAGED[$rel]:-}" ] && return 0
    src="$XDIR/$pkg/$rel"
    if [ ! -e "$src" ] && [ ! -L "$src" ]; then
        echo "stage: $rel not found in $pkg" >&2; exit 1
    fi
    STAGED[$rel]=1
    USEDPKG[$pkg]=1
    dir=$(dirname "$rel")
    mkdir -p "$DESTDIR/$dir"
    cp -a --remove-destination "$src" "$DESTDIR/$rel"
    if [ -L "$src" ]; then
        tgt=$(readlink "$src")
        case "$tgt" in
            /*) tgt=${tgt#/} ;;
            *)  tgt="$dir/$tgt" ;;
        esac
        tgt=$(realpath -m -s --relative-to=/ "/$tgt")
        if [ -e "$XDIR/$pkg/$tgt" ] || [ -L "$XDIR/$pkg/$tgt" ]; then
            stage_file "$pkg" "$tgt"
        elif [ -n "${SONAME[${tgt##*/}]:-}" ]; then
            # shellcheck disable=SC2086
            stage_file ${SONAME[${tgt##*/}]}
        else
            echo "stage: dangling symlink $rel -> $tgt in $pkg" >&2; exit 1
        fi
    fi
}

# --- main -----------------------------------------------------------------
# One apt-cache call for the whole recursive dependency graph (each apt call
# costs ~2 s when apt's binary cache is disabled, as in Docker images).
# DEPS[pkg] = direct Depends/Pre-Depends of pkg:$ARCH (real packages only).
declare -A DEPS=()
NATIVE=$(dpkg --print-architecture)
cur=""
while IFS= read -r line; do
    case "$line" in
        " "*)
            [ -z "$cur" ] && continue
            dep=$(sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: \([^<].*\)$/\2/p' <<<"$line")
            [ -z "$dep" ] && continue
            case "$dep" in
                *:"$ARCH") dep=${dep%:*} ;;
                *:*) continue ;;
                *) [ "$ARCH" = "$NATIVE" ] || continue ;;   # other arch / arch-all
            esac
            DEPS[$cur]="${DEPS[$cur]:-} $dep" ;;
        "<"*) cur="" ;;
        *)
            case "$line" in
                *:"$ARCH") cur=${line%:*} ;;
                *:*) cur="" ;;
                *) [ "$ARCH" = "$NATIVE" ] && cur=$line || cur="" ;;
            esac ;;
    esac
done < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
             --no-breaks --no-replaces --no-enhances "swupdate:$ARCH")
[ -n "${DEPS[swupdate]:-}" ] || { echo "stage: apt knows no swupdate:$ARCH" >&2; exit 1; }

fetch swupdate
[ "${FETCHED[swupdate]}" = 1 ] || { echo "stage: cannot download swupdate:$ARCH" >&2; exit 1; }

declare -a QUEUE=()     # "pkg relpath" of ELF files whose NEEDED must be walked
declare -A QUEUED=()
for b in $SWU_BINARIES; do
    stage_file swupdate "$b"
    QUEUE+=("swupdate $b"); QUEUED[$b]=1
done

# dynamic loader (PT_INTERP), resolved like any other library
interp=$("$READELF" -lW "$XDIR/swupdate/${SWU_BINARIES%% *}" |
         sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
interp=${interp#/}
log "interpreter /$interp"

i=0
while [ $i -lt ${#QUEUE[@]} ]; do
    read -r owner rel <<<"${QUEUE[$i]}"
    i=$((i + 1))
    for so in $("$READELF" -dW "$XDIR/$owner/$rel" |
                sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p'); do
        while [ -z "${SONAME[$so]:-}" ]; do
            if ! expand "$owner"; then
                # last resort: widen to deps of every package fetched so far
                progress=0
                for p in "${!FETCHED[@]}"; do
                    [ "${FETCHED[$p]}" = 1 ] && expand "$p" && progress=1
                done
                if [ $progress = 0 ] && [ -z "${SONAME[$so]:-}" ]; then
                    echo "stage: cannot resolve $so (needed by /$rel)" >&2
                    exit 1
                fi
            fi
        done
        read -r p r <<<"${SONAME[$so]}"
        stage_file "$p" "$r"
        # walk the real file behind the soname symlink
        real=$(realpath -m -s --relative-to=/ "/$(dirname "$r")/$(readlink "$XDIR/$p/$r" || basename "$r")")
        [ -L "$XDIR/$p/$r" ] || real=$r
        if [ -z "${QUEUED[$real]:-}" ]; then
            QUEUED[$real]=1
            if [ -e "$XDIR/$p/$real" ]; then QUEUE+=("$p $real")
            else QUEUE+=("$p $r"); fi
        fi
    done
done

# the interpreter path itself (e.g. /lib/ld-linux-aarch64.so.1 symlink)
ipkg=""
for p in "${!FETCHED[@]}"; do
    if [ "${FETCHED[$p]}" = 1 ] && { [ -e "$XDIR/$p/$interp" ] || [ -L "$XDIR/$p/$interp" ]; }; then
        ipkg=$p; break
    fi
done
[ -n "$ipkg" ] || { echo "stage: interpreter /$interp not found" >&2; exit 1; }
stage_file "$ipkg" "$interp"

# report
echo "Packages used ($ARCH):"
for p in $(printf '%s\n' "${!USEDPKG[@]}" | sort); do
    echo "  $p $(cat "$XDIR/$p.stamp")"
done
echo "Files staged into $DESTDIR:"
(cd "$DESTDIR" && for f in $(printf '%s\n' "${!STAGED[@]}" | sort); do
    if [ -L "$f" ]; then echo "  /$f -> $(readlink "$f")"
    else echo "  /$f $(stat -c %s "$f")"; fi
done)
total=0
for f in "${!STAGED[@]}"; do
    [ -L "$DESTDIR/$f" ] || total=$((total + $(stat -c %s "$DESTDIR/$f")))
done
echo "Total staged size: $total bytes ($(( (total + 1023) / 1024 )) KiB)"
