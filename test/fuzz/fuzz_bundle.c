// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: update bundles as pinvm opens them from the control socket.
 * The key is test/fuzz/fuzz-key.pub, so the seeds signed with its secret
 * half reach the checks after the signature too.
 */
#include <stdlib.h>
#include <string.h>

#include "bundle.h"

static uint8_t key[BUNDLE_KEY_SIZE];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char hex[] = FUZZ_KEY_HEX;
	struct pinvm_error err;

	if (bundle_crypto_init(&err) ||
	    bundle_parse_key(hex, strlen(hex), key, sizeof(key), "fuzz key", &err))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pinvm_error err;
	struct bundle b;

	if (bundle_open(data, size, key, "fuzz", &b, &err) == 0 &&
	    (b.image + b.image_size != data + size ||
	     !guest_name_valid(b.manifest.guest) ||
	     !version_valid(b.manifest.version)))
		abort();
	return 0;
}
