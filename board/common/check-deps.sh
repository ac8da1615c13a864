#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Check that the Debian packages named on the command line are installed,
# with one dpkg-query, as Buildroot's support/dependencies/dependencies.sh
# checks the build machine. NAME:ARCH must be installed for that
# architecture, NAME for any. Installs nothing.
#   check-deps.sh PKG...            exit 1, saying what to run, if any is missing
#   check-deps.sh --missing PKG...  print the missing ones (install-deps.sh)
set -u
list=
if [ "${1:-}" = --missing ]; then
	list=1
	shift
fi

# shellcheck disable=SC2046
installed=$(dpkg-query -W -f='${Package}:${Architecture} ${db:Status-Status}\n' \
	$(printf '%s\n' "$@" | sed 's/:.*//' | sort -u) 2> /dev/null |
	sed -n 's/ installed$//p')
missing=
for pkg in "$@"; do
	case $pkg in
	*:*) want=$pkg ;;
	*) want="$pkg:*" ;;
	esac
	found=
	for have in $installed; do
		# shellcheck disable=SC2254
		case $have in $want) found=1; break ;; esac
	done
	[ -n "$found" ] || missing="$missing $pkg"
done

if [ -n "$list" ]; then
	[ -z "$missing" ] || echo $missing
	exit 0
fi
[ -n "$missing" ] || exit 0

arch=
case $missing in
*:arm64*)
	dpkg --print-foreign-architectures 2> /dev/null | grep -qx arm64 ||
		arch="dpkg --add-architecture arm64 && "
	;;
esac
cat >&2 << EOT
pinvm: missing Debian packages:$missing
Install them with:
    make deps
or, as root:
    ${arch}apt-get update && apt-get install --no-install-recommends$missing
EOT
exit 1
