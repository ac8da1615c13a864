// SPDX-License-Identifier: GPL-2.0-only
/*
 * The state record of a guest's firmware slots: its text format, strictly
 * parsed (a record that does not parse is never guessed at: the guest runs
 * its partition's image, core/update/update.c). It is written with
 * file_replace() (core/file.c).
 *
 *   pinvm-update-state 1
 *   committed=a
 *   trial=b                   or "none"
 *   attempts=1
 *   slot-a=1.0 4096 <sha256>  or "-" for an empty slot
 *   slot-b=2.0 4100 <sha256>
 *   result=trial              none, trial, committed or rolled-back
 *   reason=<one line>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "update_state.h"

#define STATE_MAGIC	"pinvm-update-state 1"

static const char *const results[] = {
	"none", "trial", "committed", "rolled-back",
};

void update_state_seed(struct update_state *s, const char *version,
		       const uint8_t *image, size_t len, const char *reason)
{
	struct slot_record *r = &s->slot[0];

	memset(s, 0, sizeof(*s));
	s->trial = SLOT_NONE;
	r->used = true;
	snprintf(r->version, sizeof(r->version), "%s", version);
	r->size = len;
	bundle_sha256(image, len, r->sha256);
	strcpy(s->result, "none");
	snprintf(s->reason, sizeof(s->reason), "%s", reason);
}

/* The value of line "key=..." at *p, which moves to the next line. */
static const char *state_line(const char **p, const char *end,
			      const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *nl = memchr(*p, '\n', end - *p), *v;

	if (!nl || (size_t)(nl - *p) < klen + 1 || memcmp(*p, key, klen) ||
	    (*p)[klen] != '=')
		return NULL;
	v = *p + klen + 1;
	*vlen = nl - v;
	*p = nl + 1;
	return v;
}

static int parse_slot_name(const char *v, size_t len, bool none_ok)
{
	if (len == 1 && (v[0] == 'a' || v[0] == 'b'))
		return v[0] - 'a';
	if (none_ok && len == 4 && !memcmp(v, "none", 4))
		return SLOT_NONE;
	return -2;
}

static int parse_slot_record(const char *v, size_t len,
			     struct slot_record *r)
{
	char buf[VERSION_MAX + 100], hex[BUNDLE_SHA256_SIZE * 2 + 2];
	char size[21];
	int end = 0;

	memset(r, 0, sizeof(*r));
	if (len == 1 && v[0] == '-')
		return 0;
	if (len >= sizeof(buf) || memchr(v, '\0', len) || v[0] == ' ')
		return -1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	/* Single spaces, and a size of digits alone: one way to write each. */
	if (sscanf(buf, "%31[0-9.]%*1[ ]%19[0-9]%*1[ ]%65[0-9a-f]%n",
		   r->version, size, hex, &end) != 3 || (size_t)end != len ||
	    !version_valid(r->version) ||
	    bundle_unhex(hex, strlen(hex), r->sha256, sizeof(r->sha256)))
		return -1;
	r->size = strtoull(size, NULL, 10);
	r->used = true;
	return 0;
}

static int parse_result(const char *v, size_t len, char *out)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(results); i++)
		if (strlen(results[i]) == len && !memcmp(results[i], v, len)) {
			strcpy(out, results[i]);
			return 0;
		}
	return -1;
}

int update_state_parse(const char *text, size_t len, struct update_state *s,
		       struct pinvm_error *err)
{
	const char *p = text, *end = text + len, *v;
	const char *field = "first line";
	size_t vlen;
	char num[16];

	memset(s, 0, sizeof(*s));
	if (len < sizeof(STATE_MAGIC) || memcmp(p, STATE_MAGIC "\n",
						sizeof(STATE_MAGIC)))
		goto bad;
	p += sizeof(STATE_MAGIC);
	field = "committed";
	v = state_line(&p, end, field, &vlen);
	if (!v || (s->committed = parse_slot_name(v, vlen, false)) < 0)
		goto bad;
	field = "trial";
	v = state_line(&p, end, field, &vlen);
	if (!v || (s->trial = parse_slot_name(v, vlen, true)) < -1 ||
	    s->trial == s->committed)
		goto bad;
	field = "attempts";
	v = state_line(&p, end, field, &vlen);
	if (!v || !vlen || vlen > 3 || strspn(v, "0123456789") < vlen)
		goto bad;
	memcpy(num, v, vlen);
	num[vlen] = '\0';
	s->attempts = strtoul(num, NULL, 10);
	field = "slot-a";
	v = state_line(&p, end, field, &vlen);
	if (!v || parse_slot_record(v, vlen, &s->slot[0]))
		goto bad;
	field = "slot-b";
	v = state_line(&p, end, field, &vlen);
	if (!v || parse_slot_record(v, vlen, &s->slot[1]))
		goto bad;
	field = "result";
	v = state_line(&p, end, field, &vlen);
	if (!v || parse_result(v, vlen, s->result))
		goto bad;
	field = "reason";
	v = state_line(&p, end, field, &vlen);
	if (!v || vlen >= sizeof(s->reason) || memchr(v, '\0', vlen))
		goto bad;
	memcpy(s->reason, v, vlen);
	field = "end of file";
	if (p != end)
		goto bad;
	/* The committed slot and the trial's must hold firmware. */
	field = "slot-a/slot-b";
	if (!s->slot[s->committed].used ||
	    (s->trial != SLOT_NONE && !s->slot[s->trial].used))
		goto bad;
	return 0;
bad:
	error_set(err, "not a valid state record (at %s)", field);
	return -1;
}

static size_t format_slot(const struct slot_record *r, char *buf, size_t size)
{
	char hex[BUNDLE_SHA256_SIZE * 2 + 1];

	if (!r->used)
		return snprintf(buf, size, "-");
	bundle_hex(r->sha256, sizeof(r->sha256), hex);
	return snprintf(buf, size, "%s %llu %s", r->version,
			(unsigned long long)r->size, hex);
}

size_t update_state_format(const struct update_state *s, char *buf,
			   size_t size)
{
	char a[VERSION_MAX + 100], b[VERSION_MAX + 100];
	size_t n;

	format_slot(&s->slot[0], a, sizeof(a));
	format_slot(&s->slot[1], b, sizeof(b));
	n = snprintf(buf, size,
		     STATE_MAGIC "\ncommitted=%c\ntrial=%s\nattempts=%u\n"
		     "slot-a=%s\nslot-b=%s\nresult=%s\nreason=%s\n",
		     slot_name(s->committed),
		     s->trial == SLOT_NONE ? "none" : s->trial ? "b" : "a",
		     s->attempts, a, b, s->result, s->reason);
	return n < size ? n : 0;
}
