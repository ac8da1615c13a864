# SPDX-License-Identifier: GPL-2.0-only
# Image loaders: the registry and one file per format.
core-portable-y += core/loader/loader.o
core-portable-$(CONFIG_LOADER_RAW) += core/loader/raw.o
core-portable-$(CONFIG_LOADER_ELF) += core/loader/elf.o
core-portable-$(CONFIG_LOADER_LINUX) += core/loader/linux.o
