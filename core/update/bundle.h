/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Update bundles: a guest image with a manifest, signed with the board's
 * update key (Ed25519, libsodium). Shared by the monitor, which checks
 * them, and pinvm-sign, which makes them; docs/update.md has the format.
 *
 *   "PVMBNDL1"  u32le manifest length  u32le 0
 *   manifest    "key=value\n" lines: guest, version, size, sha256, key-id
 *   signature   64 bytes, Ed25519 over everything before it
 *   image       size bytes, whose SHA-256 the manifest carries
 */
#ifndef PINVM_BUNDLE_H
#define PINVM_BUNDLE_H

#include "names.h"
#include "pinvm.h"

#define BUNDLE_MAGIC		"PVMBNDL1"
#define BUNDLE_HEADER_SIZE	16
#define BUNDLE_MANIFEST_MAX	4096
#define BUNDLE_SIG_SIZE		64
#define BUNDLE_KEY_SIZE		32
#define BUNDLE_SECRET_KEY_SIZE	64
#define BUNDLE_SHA256_SIZE	32
/* Hex of the first 8 bytes of SHA-256(public key): names a key in messages. */
#define BUNDLE_KEY_ID_LEN	16

struct bundle_manifest {
	char guest[GUEST_NAME_MAX];
	char version[VERSION_MAX];
	uint64_t size;
	uint8_t sha256[BUNDLE_SHA256_SIZE];
	char key_id[BUNDLE_KEY_ID_LEN + 1];
};

/* A checked bundle: the manifest, and the image inside the caller's buffer. */
struct bundle {
	struct bundle_manifest manifest;
	const uint8_t *image;
	uint64_t image_size;
};

int bundle_crypto_init(struct pinvm_error *err);

/*
 * Check signature, manifest, size and hash of a whole bundle held in
 * memory; the message says which check failed. what names it (a path).
 */
int bundle_open(const uint8_t *data, size_t len, const uint8_t *public_key,
		const char *what, struct bundle *b, struct pinvm_error *err);
/* Parse manifest text alone (no signature check); for bundle_open and fuzzing. */
int bundle_parse_manifest(const char *text, size_t len,
			  struct bundle_manifest *m, struct pinvm_error *err);

/* Sign image as guest/version: a malloc'd bundle in *out. */
int bundle_create(const uint8_t *image, size_t image_size, const char *guest,
		  const char *version, const uint8_t *secret_key,
		  uint8_t **out, size_t *out_len, struct pinvm_error *err);

/* Key files and the built-in key: hex, with "#" comment lines. */
int bundle_parse_key(const char *text, size_t len, uint8_t *key,
		     size_t key_size, const char *what, struct pinvm_error *err);
void bundle_key_id(const uint8_t *public_key, char id[BUNDLE_KEY_ID_LEN + 1]);
void bundle_sha256(const uint8_t *data, size_t len,
		   uint8_t out[BUNDLE_SHA256_SIZE]);
void bundle_hex(const uint8_t *bin, size_t len, char *hex);
/* Exactly size bytes from 2 * size hex digits. */
int bundle_unhex(const char *hex, size_t hex_len, uint8_t *bin, size_t size);

#endif
