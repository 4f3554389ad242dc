// SPDX-License-Identifier: MIT
/* libFuzzer: NSX-V XML loader + resolution + compile + emit on arbitrary
 * bytes. Must never crash, leak or hang; errors are fine. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nsx-import/translate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nsx_model *m = nsx_model_new();
	struct nsx_translate_opts to = { .dflt = NSX_ACT_ALLOW };
	struct nsx_emit_opts eo = { 0 };
	struct nsx_compiled c;
	struct diag d;

	if (!m)
		return 0;
	diag_init(&d, "fuzz");
	if (!nsx_load_xml_buf(m, "fuzz", (const char *)data, size, &d) &&
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
