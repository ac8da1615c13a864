// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinvm-sign: the build machine's half of field updates. Makes the board's
 * update key pair, signs a guest image into a bundle, and checks a bundle
 * the way the board will. Built for the build machine, not the board.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "file.h"
#include "update_state.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pinvm-sign keygen SECRET_KEY PUBLIC_KEY\n"
		"       pinvm-sign sign -k SECRET_KEY -g GUEST -v VERSION -o BUNDLE IMAGE\n"
		"       pinvm-sign verify -p PUBLIC_KEY BUNDLE\n"
		"       pinvm-sign seed UPDATE_DIR GUEST VERSION IMAGE\n"
		"Make the board's update keys (Ed25519), sign a guest image into an\n"
		"update bundle for `pinvm update`, check a bundle as a board would,\n"
		"or put a guest's first firmware in slot a of a board image's\n"
		"UPDATE_DIR, committed, as pinvm would on its first start.\n");
}

static int read_all(const char *path, uint8_t **data, size_t *len)
{
	struct pinvm_error err;

	if (file_read_all(path, SIZE_MAX, data, len, &err)) {
		fprintf(stderr, "pinvm-sign: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int write_all(const char *path, const void *data, size_t len,
		     mode_t mode)
{
	FILE *f;
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "pinvm-sign: %s: cannot write: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int read_key(const char *path, uint8_t *key, size_t size)
{
	struct pinvm_error err;
	uint8_t *text;
	size_t len;
	int ret;

	if (read_all(path, &text, &len))
		return -1;
	ret = bundle_parse_key((char *)text, len, key, size, path, &err);
	free(text);
	if (ret)
		fprintf(stderr, "pinvm-sign: %s\n", err.msg);
	return ret;
}

static int keygen(const char *secret_path, const char *public_path)
{
	uint8_t pk[BUNDLE_KEY_SIZE], sk[BUNDLE_SECRET_KEY_SIZE];
	char text[BUNDLE_SECRET_KEY_SIZE * 2 + 128], hex[BUNDLE_SECRET_KEY_SIZE * 2 + 1];
	char id[BUNDLE_KEY_ID_LEN + 1];
	int n, ret;

	crypto_sign_keypair(pk, sk);
	bundle_key_id(pk, id);
	bundle_hex(sk, sizeof(sk), hex);
	n = snprintf(text, sizeof(text),
		     "# pinvm update signing key (Ed25519 secret key), key-id %s\n%s\n",
		     id, hex);
	sodium_memzero(sk, sizeof(sk));
	ret = write_all(secret_path, text, n, 0600);
	sodium_memzero(text, sizeof(text));
	sodium_memzero(hex, sizeof(hex));
	if (ret)
		return 1;
	bundle_hex(pk, sizeof(pk), hex);
	n = snprintf(text, sizeof(text),
		     "# pinvm update key (Ed25519 public key), key-id %s\n%s\n",
		     id, hex);
	if (write_all(public_path, text, n, 0644))
		return 1;
	printf("key-id %s: secret key %s, public key %s\n", id, secret_path,
	       public_path);
	return 0;
}

static int sign(int argc, char **argv)
{
	const char *secret = NULL, *guest = NULL, *version = NULL, *out = NULL;
	uint8_t sk[BUNDLE_SECRET_KEY_SIZE], *image, *bundle;
	struct pinvm_error err;
	size_t image_len, len;
	int c, ret = 1;

	while ((c = getopt(argc, argv, "k:g:v:o:")) != -1) {
		switch (c) {
		case 'k':
			secret = optarg;
			break;
		case 'g':
			guest = optarg;
			break;
		case 'v':
			version = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!secret || !guest || !version || !out || optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	if (read_key(secret, sk, sizeof(sk)))
		return 1;
	if (read_all(argv[optind], &image, &image_len)) {
		sodium_memzero(sk, sizeof(sk));
		return 1;
	}
	if (bundle_create(image, image_len, guest, version, sk, &bundle, &len,
			  &err)) {
		fprintf(stderr, "pinvm-sign: %s\n", err.msg);
	} else {
		ret = write_all(out, bundle, len, 0644) ? 1 : 0;
		if (!ret)
			printf("%s: guest %s, version %s, %zu image bytes\n",
			       out, guest, version, image_len);
		free(bundle);
	}
	sodium_memzero(sk, sizeof(sk));
	free(image);
	return ret;
}

static int verify(int argc, char **argv)
{
	uint8_t pk[BUNDLE_KEY_SIZE], *data, hash[BUNDLE_SHA256_SIZE];
	char hex[BUNDLE_SHA256_SIZE * 2 + 1];
	struct pinvm_error err;
	struct bundle b;
	size_t len;
	int ret;

	if (argc != 4 || strcmp(argv[1], "-p")) {
		usage(stderr);
		return 2;
	}
	if (read_key(argv[2], pk, sizeof(pk)) ||
	    read_all(argv[3], &data, &len))
		return 1;
	ret = bundle_open(data, len, pk, argv[3], &b, &err);
	if (ret) {
		fprintf(stderr, "pinvm-sign: %s\n", err.msg);
	} else {
		bundle_sha256(b.image, b.image_size, hash);
		bundle_hex(hash, sizeof(hash), hex);
		printf("%s: good signature (key-id %s)\nguest=%s\nversion=%s\nsize=%llu\nsha256=%s\n",
		       argv[3], b.manifest.key_id, b.manifest.guest,
		       b.manifest.version, (unsigned long long)b.image_size, hex);
	}
	free(data);
	return ret ? 1 : 0;
}

static int seed(const char *update_dir, const char *guest,
		const char *version, const char *image_path)
{
	struct update_state st;
	struct pinvm_error err;
	char dir[4096], text[1024];
	uint8_t *image;
	size_t len, n;
	int ret = 1;

	if (!guest_name_valid(guest) || !version_valid(version)) {
		fprintf(stderr, "pinvm-sign: seed: bad %s \"%s\"\n",
			guest_name_valid(guest) ? "version" : "guest name",
			guest_name_valid(guest) ? version : guest);
		return 2;
	}
	if (read_all(image_path, &image, &len))
		return 1;
	update_state_seed(&st, version, image, len,
			  "slot a seeded in the board image");
	n = update_state_format(&st, text, sizeof(text));
	snprintf(dir, sizeof(dir), "%s/%s", update_dir, guest);
	if (file_make_dirs(dir, 0700, &err) ||
	    file_replace(dir, "slot-a.img", image, len, "seed", &err) ||
	    file_replace(dir, "state", text, n, "seed", &err)) {
		fprintf(stderr, "pinvm-sign: seed: %s\n", err.msg);
		goto out;
	}
	ret = 0;
out:
	free(image);
	return ret;
}

int main(int argc, char **argv)
{
	struct pinvm_error err;

	if (bundle_crypto_init(&err)) {
		fprintf(stderr, "pinvm-sign: %s\n", err.msg);
		return 1;
	}
	if (argc == 4 && !strcmp(argv[1], "keygen"))
		return keygen(argv[2], argv[3]);
	if (argc > 1 && !strcmp(argv[1], "sign"))
		return sign(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "verify"))
		return verify(argc - 1, argv + 1);
	if (argc == 6 && !strcmp(argv[1], "seed"))
		return seed(argv[2], argv[3], argv[4], argv[5]);
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
