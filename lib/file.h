/* SPDX-License-Identifier: MIT */
/*
 * Reading whole input files with a size cap: the one way every loader (JSON, YAML,
 * NSX exports, CiliumNetworkPolicy YAML, IPAM lists) reads its input. Works on regular
 * files and on streams (pipes, "-" for stdin). Errors carry the reason in a diag.
 * Also the blocking write of a whole buffer to a descriptor (sockets, pipes).
 */
#ifndef CUTOVER_LIB_FILE_H
#define CUTOVER_LIB_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "lib/diag.h"

/*
 * Read all of path ("-" means stdin) into a malloc'ed buffer with a NUL after the
 * last byte (*len excludes it). More than max bytes: -EFBIG, "file too large (N
 * bytes, limit M)". Other failures: -errno with "cannot open: ..." or "read error:
 * ...". On failure *out is NULL.
 */
int	file_read_all(const char *path, size_t max, char **out, size_t *len, struct diag *d);
/* The same from an open stream (not closed here). */
int	file_read_stream(FILE *f, size_t max, char **out, size_t *len, struct diag *d);
/* Write all n bytes of p to fd, retrying short writes and EINTR: 0 or -errno. */
int	file_write_all(int fd, const void *p, size_t n);

#endif
