/* SPDX-License-Identifier: MIT */
/*
 * JSON views of BFD sessions (json-c), used by the control API and tested on their own.
 * The caller owns the returned objects (json_object_put).
 */
#ifndef CUTOVER_BGP_BFD_JSON_H
#define CUTOVER_BGP_BFD_JSON_H

#include <json-c/json.h>

#include "bgp/bfd.h"

json_object	*bfd_session_json(const struct bfd_session *s);
/* {"sessions": [...], "drops": {reason: n}} */
json_object	*bfd_ctx_json(struct bfd_ctx *c);

#endif
