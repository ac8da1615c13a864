/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A guest's firmware slots on disk (<update dir>/<guest>/): slot-a.img,
 * slot-b.img and the state record, "state", which says which slot is
 * committed, which is on trial and with how many boot attempts, and what
 * each slot holds. Every file is replaced atomically (write a temporary
 * file, fsync, rename, fsync the directory): a power cut leaves the old
 * file or the new one, never a torn one.
 */
#ifndef PINVM_UPDATE_STATE_H
#define PINVM_UPDATE_STATE_H

#include "bundle.h"
#include "file.h"

#define SLOT_NONE		(-1)
#define UPDATE_REASON_MAX	200

struct slot_record {
	bool used;
	char version[VERSION_MAX];
	uint64_t size;
	uint8_t sha256[BUNDLE_SHA256_SIZE];
};

struct update_state {
	int committed;		/* 0 = slot a, 1 = slot b */
	int trial;		/* the slot on trial, or SLOT_NONE */
	unsigned int attempts;	/* boots the trial has had so far */
	struct slot_record slot[2];
	char result[16];	/* none, trial, committed, rolled-back */
	char reason[UPDATE_REASON_MAX];
};

static inline char slot_name(int slot)
{
	return slot ? 'b' : 'a';
}

/*
 * The record of a guest's first firmware: image committed in slot a as
 * version, no trial; reason says where it came from.
 */
void update_state_seed(struct update_state *s, const char *version,
		       const uint8_t *image, size_t len, const char *reason);

int update_state_parse(const char *text, size_t len, struct update_state *s,
		       struct pinvm_error *err);
/* The record's text; its length, or 0 when size is too small. */
size_t update_state_format(const struct update_state *s, char *buf,
			   size_t size);

#endif
