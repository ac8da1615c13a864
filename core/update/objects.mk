# SPDX-License-Identifier: GPL-2.0-only
# Field update: the state record, bundles, the health register's link and
# the guests' update properties (portable: the unit tests link them), the
# service and its socket.
# core/update/pinvm_sign.c is the build machine's (Makefile: PINVM_SIGN).
core-portable-$(CONFIG_UPDATE) += core/update/bundle.o core/update/update_state.o \
				  core/update/update_link.o core/update/update_props.o
update-y :=
update-$(CONFIG_UPDATE) += core/update/update.o core/update/control.o
