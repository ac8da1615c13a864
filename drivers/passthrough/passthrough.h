/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A passthrough device's parsed config (dev->config), exposed for the
 * partition's unit test.
 */
#ifndef PINVM_PASSTHROUGH_H
#define PINVM_PASSTHROUGH_H

#include "partition.h"

struct passthrough_config {
	/* The board's node behind `device`, and its registers on the host. */
	char host_path[NODE_PATH_MAX];
	uint64_t host_base;
	uint64_t host_size;
	/* mode = "direct": mapped into stage 2, never trapped. */
	bool direct;
};

#endif
