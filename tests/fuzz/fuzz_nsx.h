/* SPDX-License-Identifier: MIT */
/*
 * Shared body of the NSX fuzz targets: load arbitrary bytes with one loader, then
 * resolve, compile and emit what loaded. Must never crash, leak or hang; errors are
 * fine. Each target file passes its loader.
 */
#ifndef CUTOVER_TESTS_FUZZ_NSX_H
#define CUTOVER_TESTS_FUZZ_NSX_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nsx-import/translate.h"

typedef int (*fuzz_nsx_loader)(struct nsx_model *m, const char *name, const char *buf,
    size_t len, struct diag *d);

static inline int
fuzz_nsx_run(fuzz_nsx_loader load, const uint8_t *data, size_t size)
{
	struct nsx_model *m = nsx_model_new();
	struct nsx_translate_opts to = { .dflt = NSX_ACT_ALLOW };
	struct nsx_emit_opts eo = { 0 };
	struct nsx_compiled c;
	struct diag d;

	if (!m)
		return 0;
	diag_init(&d, "fuzz");
	if (!load(m, "fuzz", (const char *)data, size, &d) &&
	    !nsx_model_resolve(m, &d) && !nsx_translate(m, &to, &c, &d)) {
		FILE *f = fopen("/dev/null", "w");

		if (f) {
			nsx_emit_cnp(f, m, &c, &eo);
			nsx_report_text(f, m, &c);
			fclose(f);
		}
		nsx_compiled_free(&c);
	}
	nsx_model_free(m);
	return 0;
}

#endif
