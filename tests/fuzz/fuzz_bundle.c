// SPDX-License-Identifier: MIT
/* libFuzzer target for the policy bundle parser (datapath/bundle.c): any input must
 * either parse or fail with a diag message, never crash or leak. */
#include <stddef.h>
#include <stdint.h>

#include "datapath/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_bundle *b = NULL;
	struct diag d;

	diag_init(&d, "fuzz");
	if (dp_bundle_parse((const char *)data, size, &b, &d) == 0) {
		if (!b)
			__builtin_trap();
		dp_bundle_free(b);
	} else if (!d.set) {
		__builtin_trap();	/* every failure explains itself */
	}
	return 0;
}
