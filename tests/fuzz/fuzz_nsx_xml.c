// SPDX-License-Identifier: MIT
/* libFuzzer: NSX-V XML loader + resolution + compile + emit on arbitrary bytes
 * (body in fuzz_nsx.h). */
#include "tests/fuzz/fuzz_nsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_nsx_run(nsx_load_xml_buf, data, size);
}
