#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the Debian packages named on the command line that are missing
# (check-deps.sh finds them), adding the arm64 architecture first when a
# package asks for it. Runs apt-get as root, through sudo when not root.
# Only make deps, make run, make check and make bench install; every
# other target only checks.
set -eu

missing=$(sh "$(dirname "$0")/check-deps.sh" --missing "$@")
[ -n "$missing" ] || exit 0
missing=" $missing"

if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "install-deps: missing Debian packages:$missing" >&2
	echo "install-deps: run as root, or install them with apt-get" >&2
	exit 1
fi

case "$missing" in
*:arm64*)
	dpkg --print-foreign-architectures | grep -qx arm64 ||
		$SUDO dpkg --add-architecture arm64
	;;
esac
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
