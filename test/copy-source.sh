#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Copy the source tree to DEST as a clean checkout would have it: the files
# git knows, committed or not (a tracked file deleted in the worktree is
# skipped), or without git everything but build/ and .config.
#   copy-source.sh DEST
set -u
dest=$1
mkdir -p "$dest"
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2> /dev/null |
		tar -xf - -C "$dest"
else
	tar --exclude=./build --exclude=./.config --exclude=./.config.old \
		-cf - . | tar -xf - -C "$dest"
fi
