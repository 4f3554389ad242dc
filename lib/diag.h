/* SPDX-License-Identifier: MIT */
/*
 * Error context that travels with a failure to the layer that tells the user:
 * where (source file, line:column, JSON path, config key, byte offset) and why.
 * Lower layers fill it (optional: every API takes a NULL diag), the top layer
 * prints it once with diag_format().
 */
#ifndef CUTOVER_LIB_DIAG_H
#define CUTOVER_LIB_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#define DIAG_NO_OFFSET ((size_t)-1)

struct diag {
	char	 source[256];	/* file name, "stdin", peer name, ... */
	int	 line;		/* 1-based, 0 when unknown */
	int	 column;	/* 1-based, 0 when unknown */
	char	 path[256];	/* JSON path ($.rules[3].action) or config key path */
	size_t	 offset;	/* byte offset, DIAG_NO_OFFSET when unknown */
	char	 msg[512];
	bool	 set;
};

void	diag_init(struct diag *d, const char *source);
/* Set the message (first one wins: the innermost layer knows most). Returns -EINVAL
 * so callers can `return diag_fail(d, ...)`. Accepts d == NULL. */
int	diag_fail(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int	diag_failv(struct diag *d, int err, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	diag_set_pos(struct diag *d, int line, int column);
void	diag_set_path(struct diag *d, const char *path);
void	diag_set_offset(struct diag *d, size_t offset);
/* "source:line:col: path: message" with the parts that are known. */
int	diag_format(const struct diag *d, char *out, size_t outlen);

#endif
