# SPDX-License-Identifier: GPL-2.0-only
# Raspberry Pi 4 Model B: a real board, so no host image and no `make run`
# (those are qemu-virt's). `make` builds build/pinvm for it; docs/boards.md
# says how to install it on the SD card's Raspberry Pi OS or Debian, and
# board/rpi4/cmdline holds the host kernel arguments that isolate the
# guests' cores.
