// SPDX-License-Identifier: GPL-2.0-only
/*
 * Update bundles: parse, check and make them. The crypto is libsodium's
 * (Ed25519 signatures, SHA-256); nothing here is hand-made crypto.
 *
 * The order of the checks matters: the manifest is parsed (it is fuzzed),
 * then the signature over header and manifest is checked before anything
 * the manifest says is believed, then size and hash of the image.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

int bundle_crypto_init(struct pinvm_error *err)
{
	if (sodium_init() < 0) {
		error_set(err, "libsodium: cannot initialise");
		return -1;
	}
	return 0;
}

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

void bundle_hex(const uint8_t *bin, size_t len, char *hex)
{
	sodium_bin2hex(hex, len * 2 + 1, bin, len);
}

void bundle_sha256(const uint8_t *data, size_t len,
		   uint8_t out[BUNDLE_SHA256_SIZE])
{
	crypto_hash_sha256(out, data, len);
}

void bundle_key_id(const uint8_t *public_key, char id[BUNDLE_KEY_ID_LEN + 1])
{
	uint8_t h[BUNDLE_SHA256_SIZE];

	bundle_sha256(public_key, BUNDLE_KEY_SIZE, h);
	bundle_hex(h, BUNDLE_KEY_ID_LEN / 2, id);
}

int bundle_unhex(const char *hex, size_t hex_len, uint8_t *bin,
		     size_t bin_size)
{
	size_t n;

	if (hex_len != bin_size * 2 ||
	    sodium_hex2bin(bin, bin_size, hex, hex_len, NULL, &n, NULL) ||
	    n != bin_size)
		return -1;
	return 0;
}

int bundle_parse_key(const char *text, size_t len, uint8_t *key,
		     size_t key_size, const char *what, struct pinvm_error *err)
{
	const char *end = text + len, *line, *hex = NULL;
	size_t hex_len = 0;

	for (line = text; line < end; ) {
		const char *nl = memchr(line, '\n', end - line);
		size_t n = (nl ? nl : end) - line;

		if (n && line[0] != '#') {
			if (hex) {
				error_set(err, "%s: more than one key in the file", what);
				return -1;
			}
			hex = line;
			hex_len = n;
		}
		line += n + 1;
	}
	if (!hex || bundle_unhex(hex, hex_len, key, key_size)) {
		error_set(err, "%s: not a pinvm update key (expected %zu hex digits on one line)",
			  what, key_size * 2);
		return -1;
	}
	return 0;
}

/* One manifest line, "key=value"; each key must come exactly once. */
static int manifest_field(struct bundle_manifest *m, const char *key,
			  size_t klen, const char *val, size_t vlen,
			  unsigned int *seen, struct pinvm_error *err)
{
	static const char *const keys[] = {
		"guest", "version", "size", "sha256", "key-id",
	};
	char v[80];
	unsigned int i;
	char *end;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (strlen(keys[i]) == klen && !memcmp(keys[i], key, klen))
			break;
	if (i == ARRAY_SIZE(keys)) {
		error_set(err, "manifest: unknown field \"%.*s\"", (int)klen, key);
		return -1;
	}
	if (*seen & 1u << i) {
		error_set(err, "manifest: field \"%s\" given twice", keys[i]);
		return -1;
	}
	*seen |= 1u << i;
	if (vlen >= sizeof(v) || memchr(val, '\0', vlen)) {
		error_set(err, "manifest: %s: value too long", keys[i]);
		return -1;
	}
	memcpy(v, val, vlen);
	v[vlen] = '\0';
	switch (i) {
	case 0:
		if (!guest_name_valid(v))
			goto bad;
		strcpy(m->guest, v);
		return 0;
	case 1:
		if (!version_valid(v))
			goto bad;
		strcpy(m->version, v);
		return 0;
	case 2:
		errno = 0;
		m->size = strtoull(v, &end, 10);
		if (!vlen || *end || errno || v[0] < '0' || v[0] > '9' ||
		    (v[0] == '0' && vlen > 1))
			goto bad;
		return 0;
	case 3:
		if (bundle_unhex(v, vlen, m->sha256, sizeof(m->sha256)))
			goto bad;
		return 0;
	default:
		if (vlen != BUNDLE_KEY_ID_LEN ||
		    strspn(v, "0123456789abcdef") != vlen)
			goto bad;
		strcpy(m->key_id, v);
		return 0;
	}
bad:
	error_set(err, "manifest: %s: invalid value \"%s\"", keys[i], v);
	return -1;
}

int bundle_parse_manifest(const char *text, size_t len,
			  struct bundle_manifest *m, struct pinvm_error *err)
{
	const char *end = text + len, *line = text;
	unsigned int seen = 0;

	memset(m, 0, sizeof(*m));
	while (line < end) {
		const char *nl = memchr(line, '\n', end - line);
		const char *eq;

		if (!nl) {
			error_set(err, "manifest: the last line has no newline");
			return -1;
		}
		eq = memchr(line, '=', nl - line);
		if (!eq) {
			error_set(err, "manifest: line \"%.*s\" is not key=value",
				  (int)(nl - line > 40 ? 40 : nl - line), line);
			return -1;
		}
		if (manifest_field(m, line, eq - line, eq + 1, nl - eq - 1,
				   &seen, err))
			return -1;
		line = nl + 1;
	}
	if ((seen & 0xf) != 0xf) {
		error_set(err, "manifest: guest, version, size and sha256 are required");
		return -1;
	}
	return 0;
}

/* Says whose key signed it when it is not ours, from the signed key-id. */
static void signature_error(const struct bundle_manifest *m,
			    const uint8_t *public_key, const char *what,
			    struct pinvm_error *err)
{
	char ours[BUNDLE_KEY_ID_LEN + 1];

	bundle_key_id(public_key, ours);
	if (m->key_id[0] && strcmp(m->key_id, ours))
		error_set(err, "%s: signed by another key (the bundle names key-id %s); this board trusts key-id %s",
			  what, m->key_id, ours);
	else
		error_set(err, "%s: bad signature: the bundle was changed after signing, or not signed by this board's key (key-id %s)",
			  what, ours);
}

int bundle_open(const uint8_t *data, size_t len, const uint8_t *public_key,
		const char *what, struct bundle *b, struct pinvm_error *err)
{
	struct bundle_manifest *m = &b->manifest;
	uint8_t hash[BUNDLE_SHA256_SIZE];
	size_t mlen, signed_len;

	memset(b, 0, sizeof(*b));
	if (len < BUNDLE_HEADER_SIZE || memcmp(data, BUNDLE_MAGIC, 8)) {
		error_set(err, "%s: not a pinvm update bundle (made by pinvm-sign)",
			  what);
		return -1;
	}
	mlen = get_le32(data + 8);
	if (mlen == 0 || mlen > BUNDLE_MANIFEST_MAX || get_le32(data + 12)) {
		error_set(err, "%s: bad bundle header (manifest length %zu)",
			  what, mlen);
		return -1;
	}
	signed_len = BUNDLE_HEADER_SIZE + mlen;
	if (len < signed_len + BUNDLE_SIG_SIZE) {
		error_set(err, "%s: truncated: %zu bytes, too short for its manifest and signature",
			  what, len);
		return -1;
	}
	if (bundle_parse_manifest((const char *)data + BUNDLE_HEADER_SIZE, mlen,
				  m, err)) {
		error_prefix(err, "%s: ", what);
		return -1;
	}
	if (crypto_sign_verify_detached(data + signed_len, data, signed_len,
					public_key)) {
		signature_error(m, public_key, what, err);
		return -1;
	}
	if (len - signed_len - BUNDLE_SIG_SIZE != m->size) {
		error_set(err, "%s: %s: %zu image bytes, the manifest says %llu",
			  what, len - signed_len - BUNDLE_SIG_SIZE < m->size ?
			  "truncated" : "trailing data",
			  len - signed_len - BUNDLE_SIG_SIZE,
			  (unsigned long long)m->size);
		return -1;
	}
	b->image = data + signed_len + BUNDLE_SIG_SIZE;
	b->image_size = m->size;
	bundle_sha256(b->image, b->image_size, hash);
	if (sodium_memcmp(hash, m->sha256, sizeof(hash))) {
		error_set(err, "%s: the image's SHA-256 does not match the signed manifest (tampered image)",
			  what);
		return -1;
	}
	return 0;
}

int bundle_create(const uint8_t *image, size_t image_size, const char *guest,
		  const char *version, const uint8_t *secret_key,
		  uint8_t **out, size_t *out_len, struct pinvm_error *err)
{
	uint8_t hash[BUNDLE_SHA256_SIZE];
	char hex[BUNDLE_SHA256_SIZE * 2 + 1], key_id[BUNDLE_KEY_ID_LEN + 1];
	char manifest[BUNDLE_MANIFEST_MAX];
	size_t mlen, signed_len;
	uint8_t *b;

	if (!guest_name_valid(guest) || !version_valid(version)) {
		error_set(err, "%s", !guest_name_valid(guest) ?
			  "guest name: only a-z, 0-9, '-' and '_', 1 to 31 characters" :
			  "version: 1 to 4 dot-separated numbers, e.g. 1.4.2");
		return -1;
	}
	bundle_sha256(image, image_size, hash);
	bundle_hex(hash, sizeof(hash), hex);
	/* An Ed25519 secret key ends with its public key. */
	bundle_key_id(secret_key + 32, key_id);
	mlen = snprintf(manifest, sizeof(manifest),
			"guest=%s\nversion=%s\nsize=%zu\nsha256=%s\nkey-id=%s\n",
			guest, version, image_size, hex, key_id);
	signed_len = BUNDLE_HEADER_SIZE + mlen;
	b = malloc(signed_len + BUNDLE_SIG_SIZE + image_size);
	if (!b) {
		error_set(err, "out of memory");
		return -1;
	}
	memcpy(b, BUNDLE_MAGIC, 8);
	put_le32(b + 8, mlen);
	put_le32(b + 12, 0);
	memcpy(b + BUNDLE_HEADER_SIZE, manifest, mlen);
	crypto_sign_detached(b + signed_len, NULL, b, signed_len, secret_key);
	memcpy(b + signed_len + BUNDLE_SIG_SIZE, image, image_size);
	*out = b;
	*out_len = signed_len + BUNDLE_SIG_SIZE + image_size;
	return 0;
}
