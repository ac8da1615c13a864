# SPDX-License-Identifier: GPL-2.0-only
# Radxa ROCK 3A: a real board, so no host image and no `make run` (those are
# qemu-virt's). `make` builds build/pinvm for it; docs/boards.md says how to
# install it on a Debian or Armbian image, and board/rock3a/cmdline holds
# the host kernel arguments that isolate the guests' cores.
