// SPDX-License-Identifier: GPL-2.0-only
/*
 * Field update's properties of every guest node, read and checked with
 * the rest of the partition: firmware-version (the version of the
 * partition's image, which seeds slot a) and update-attempts (how many
 * boots new firmware gets to report health).
 */
#include "update.h"

static int update_props_parse(const struct partition *p,
			      const struct guest_config *g, void *props,
			      struct pinvm_error *err)
{
	struct update_guest_props *up = props;
	const char *version;

	if (partition_read_string(p, g->node, "firmware-version", &version,
				  err))
		return -1;
	up->firmware_version = version ? version : "0";
	if (!version_valid(up->firmware_version)) {
		partition_error(err, p, g->path, "firmware-version: 1 to 4 dot-separated numbers, e.g. \"1.4.2\"");
		return -1;
	}
	return partition_read_guest_u32(p, g, "update-attempts", 1, 100,
					CONFIG_UPDATE_MAX_ATTEMPTS,
					&up->update_attempts, err);
}

const struct guest_props update_guest_props = {
	.name = "update",
	.size = sizeof(struct update_guest_props),
	.parse = update_props_parse,
};
DEFINE_GUEST_PROPS(update_guest_props);

const struct update_guest_props *update_props_of(const struct guest_config *g)
{
	return guest_props(g, &update_guest_props);
}
