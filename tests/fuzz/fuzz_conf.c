// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: cutoverd's YAML config (lib/yamlconf + the bgp section of
 * bgp/conf). Any bytes must load or fail with a positioned message, never crash;
 * a failure always carries a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/conf.h"
#include "lib/yamlconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_conf c;
	struct ycfg_section secs[] = { { "bgp", bgp_conf_parse, &c } };
	struct diag d;
	struct ycfg *y;
	struct ynode root;
	char out[1024];

	diag_init(&d, "fuzz.yaml");
	bgp_conf_init(&c);
	y = ycfg_load_buf("fuzz.yaml", data, size, &d);
	if (y) {
		ycfg_root(y, &root);
		if (ycfg_sections(&root, secs, 1) != 0 && !d.set)
			abort();	/* every failure must explain itself */
		ycfg_free(y);
	} else if (!d.set) {
		abort();
	}
	diag_format(&d, out, sizeof(out));
	bgp_conf_free(&c);
	return 0;
}
