// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the slots' state record as pinvm reads it at start. What
 * parses must format back to text that parses to the same record.
 */
#include <stdlib.h>
#include <string.h>

#include "update_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct update_state a, b;
	struct pinvm_error err;
	char text[1024];
	size_t n;

	if (update_state_parse((const char *)data, size, &a, &err))
		return 0;
	n = update_state_format(&a, text, sizeof(text));
	if (!n || update_state_parse(text, n, &b, &err) ||
	    memcmp(&a, &b, sizeof(a)))
		abort();
	return 0;
}
