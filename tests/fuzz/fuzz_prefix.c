// SPDX-License-Identifier: MIT
/* libFuzzer target: prefix/address text parsing must never crash, and whatever it
 * accepts must format and re-parse to the same value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128], out[PREFIX_STRLEN];
	struct prefix p, q;
	struct addr a;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (unsigned flags = 0; flags < 4; flags++) {
		if (prefix_parse(text, &p, flags) != 0)
			continue;
		prefix_format(&p, out, sizeof(out));
		if (prefix_parse(out, &q, PREFIX_PARSE_STRICT) != 0 || !prefix_eq(&p, &q))
			abort();
	}
	if (addr_parse_n(text, size, &a) == 0) {
		addr_format(&a, out, sizeof(out));
		if (addr_parse(out, &p.addr) != 0 || !addr_eq(&a, &p.addr))
			abort();
	}
	return 0;
}
