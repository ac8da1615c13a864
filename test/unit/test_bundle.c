// SPDX-License-Identifier: GPL-2.0-only
/*
 * Update bundles: what pinvm-sign makes, pinvm opens; every way a bundle
 * can be wrong is refused with a message that says which.
 */
#include <sodium.h>

#include "bundle.h"
#include "unit.h"

static uint8_t pk[BUNDLE_KEY_SIZE], sk[BUNDLE_SECRET_KEY_SIZE];
static uint8_t other_pk[BUNDLE_KEY_SIZE], other_sk[BUNDLE_SECRET_KEY_SIZE];
static uint8_t image[3000];

static int open_copy(const uint8_t *b, size_t len, const uint8_t *key,
		     struct bundle *out, struct pinvm_error *err)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	/* An exact-size heap copy: ASan sees any read past its end. */
	memcpy(copy, b, len);
	ret = bundle_open(copy, len, key, "b.pvb", out, err);
	free(copy);
	return ret;
}

static void test_roundtrip(void)
{
	struct pinvm_error err = { "" };
	struct bundle b;
	uint8_t *data;
	size_t len;

	TEST("roundtrip");
	CHECK(!bundle_create(image, sizeof(image), "alpha", "1.2.3", sk, &data,
			     &len, &err));
	CHECK(!bundle_open(data, len, pk, "b.pvb", &b, &err));
	CHECK(!strcmp(b.manifest.guest, "alpha"));
	CHECK(!strcmp(b.manifest.version, "1.2.3"));
	CHECK(b.image_size == sizeof(image));
	CHECK(b.image == data + len - sizeof(image));
	CHECK(!memcmp(b.image, image, sizeof(image)));
	/* An empty image is still a valid bundle; a loader decides if it boots. */
	free(data);
	CHECK(!bundle_create(image, 0, "alpha", "1", sk, &data, &len, &err));
	CHECK(!bundle_open(data, len, pk, "b.pvb", &b, &err));
	free(data);
}

static void expect_refused(const char *name, const uint8_t *data, size_t len,
			   const uint8_t *key, const char *why)
{
	struct pinvm_error err = { "" };
	struct bundle b;

	TEST(name);
	CHECK(open_copy(data, len, key, &b, &err) == -1);
	CHECK_CONTAINS(err.msg, "b.pvb: ");
	CHECK_CONTAINS(err.msg, why);
}

static void test_refusals(void)
{
	struct pinvm_error err;
	uint8_t *data, *bad;
	size_t len, sig_at;
	char id[BUNDLE_KEY_ID_LEN + 1], msg[128];

	bundle_create(image, sizeof(image), "alpha", "2.0", sk, &data, &len, &err);
	sig_at = len - sizeof(image) - BUNDLE_SIG_SIZE;
	bad = malloc(len + 10);

	memcpy(bad, data, len);
	bad[sig_at + 3] ^= 1;
	expect_refused("bad signature", bad, len, pk, "bad signature");
	memcpy(bad, data, len);
	bad[22] = bad[22] == 'a' ? 'b' : 'a';	/* "guest=alpha" -> "guest=blpha" */
	expect_refused("manifest changed", bad, len, pk, "bad signature");
	bundle_key_id(other_pk, id);
	snprintf(msg, sizeof(msg), "this board trusts key-id %s", id);
	expect_refused("another key", data, len, other_pk, msg);
	expect_refused("another key, named", data, len, other_pk,
		       "signed by another key");
	memcpy(bad, data, len);
	bad[len - 1] ^= 0x80;
	expect_refused("tampered image", bad, len, pk, "tampered image");
	expect_refused("truncated image", data, len - 1, pk,
		       "truncated: 2999 image bytes, the manifest says 3000");
	expect_refused("truncated signature", data, sig_at + 10, pk,
		       "too short for its manifest and signature");
	expect_refused("header only", data, 16, pk, "too short");
	expect_refused("empty", data, 0, pk, "not a pinvm update bundle");
	expect_refused("no magic", (const uint8_t *)"PVMBNDL2xxxxxxxxxxxx", 20,
		       pk, "not a pinvm update bundle");
	memcpy(bad, data, len);
	memcpy(bad + len, "trailing", 8);
	expect_refused("trailing data", bad, len + 8, pk, "trailing data");
	memcpy(bad, data, len);
	bad[8] = 0xff;
	bad[9] = 0xff;
	expect_refused("manifest length", bad, len, pk, "bad bundle header");
	memcpy(bad, data, len);
	bad[12] = 1;
	expect_refused("reserved word", bad, len, pk, "bad bundle header");
	free(bad);
	free(data);
}

static void expect_manifest(const char *name, const char *text,
			    const char *why)
{
	struct pinvm_error err = { "" };
	struct bundle_manifest m;
	int ret = bundle_parse_manifest(text, strlen(text), &m, &err);

	TEST(name);
	if (!why) {
		CHECK(ret == 0);
		return;
	}
	CHECK(ret == -1);
	CHECK_CONTAINS(err.msg, why);
}

#define SHA "sha256=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"

static void test_manifest(void)
{
	expect_manifest("manifest ok", "guest=a\nversion=1\nsize=0\n" SHA, NULL);
	expect_manifest("manifest with key-id",
			"guest=a\nversion=1\nsize=10\n" SHA "key-id=0123456789abcdef\n",
			NULL);
	expect_manifest("missing field", "guest=a\nversion=1\n" SHA,
			"guest, version, size and sha256 are required");
	expect_manifest("twice", "guest=a\nguest=b\nversion=1\nsize=0\n" SHA,
			"field \"guest\" given twice");
	expect_manifest("unknown", "guest=a\nversion=1\nsize=0\nmode=x\n" SHA,
			"unknown field \"mode\"");
	expect_manifest("no newline", "guest=a\nversion=1\nsize=0\nsha256=00",
			"no newline");
	expect_manifest("not key=value", "guest a\n", "not key=value");
	expect_manifest("bad guest", "guest=Alpha\nversion=1\nsize=0\n" SHA,
			"guest: invalid value \"Alpha\"");
	expect_manifest("bad version", "guest=a\nversion=1..2\nsize=0\n" SHA,
			"version: invalid value");
	expect_manifest("bad size", "guest=a\nversion=1\nsize=-1\n" SHA,
			"size: invalid value");
	expect_manifest("size leading zero", "guest=a\nversion=1\nsize=01\n" SHA,
			"size: invalid value");
	expect_manifest("size overflow",
			"guest=a\nversion=1\nsize=99999999999999999999\n" SHA,
			"size: invalid value");
	expect_manifest("short sha", "guest=a\nversion=1\nsize=0\nsha256=0011\n",
			"sha256: invalid value");
	expect_manifest("bad key-id",
			"guest=a\nversion=1\nsize=0\n" SHA "key-id=XYZ\n",
			"key-id: invalid value");
	expect_manifest("long value", "guest=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
			"value too long");
}

static void test_versions(void)
{
	TEST("versions");
	CHECK(version_valid("1"));
	CHECK(version_valid("1.10.3.4"));
	CHECK(version_valid("123456789"));
	CHECK(!version_valid("1234567890"));
	CHECK(!version_valid(""));
	CHECK(!version_valid("1."));
	CHECK(!version_valid(".1"));
	CHECK(!version_valid("1.2.3.4.5"));
	CHECK(!version_valid("1.a"));
	CHECK(!version_valid("v1"));
	CHECK(version_compare("1.10", "1.9") > 0);
	CHECK(version_compare("1.9", "1.10") < 0);
	CHECK(version_compare("2", "2.0") == 0);
	CHECK(version_compare("2.0.1", "2") > 0);
	CHECK(version_compare("0.5", "1.0") < 0);
}

static void test_keys(void)
{
	struct pinvm_error err = { "" };
	uint8_t key[BUNDLE_KEY_SIZE];
	char hex[BUNDLE_KEY_SIZE * 2 + 1], text[200];

	TEST("keys");
	bundle_hex(pk, sizeof(pk), hex);
	snprintf(text, sizeof(text), "# comment\n%s\n", hex);
	CHECK(!bundle_parse_key(text, strlen(text), key, sizeof(key), "k", &err));
	CHECK(!memcmp(key, pk, sizeof(pk)));
	CHECK(bundle_parse_key(text, strlen(text) - 3, key, sizeof(key), "k.pub", &err));
	CHECK_CONTAINS(err.msg, "k.pub: not a pinvm update key (expected 64 hex digits");
	snprintf(text, sizeof(text), "%s\n%s\n", hex, hex);
	CHECK(bundle_parse_key(text, strlen(text), key, sizeof(key), "k", &err));
	CHECK_CONTAINS(err.msg, "more than one key");
	CHECK(bundle_parse_key("# only a comment\n", 17, key, sizeof(key), "k", &err));
}

int main(void)
{
	struct pinvm_error err;
	unsigned int i;

	if (bundle_crypto_init(&err))
		return 2;
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(other_pk, other_sk);
	for (i = 0; i < sizeof(image); i++)
		image[i] = i * 7;
	test_roundtrip();
	test_refusals();
	test_manifest();
	test_versions();
	test_keys();
	return unit_report();
}
