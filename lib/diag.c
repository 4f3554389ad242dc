// SPDX-License-Identifier: MIT
/* Error context (see diag.h). */
#include "lib/diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
diag_init(struct diag *d, const char *source)
{
	if (!d)
		return;
	memset(d, 0, sizeof(*d));
	d->offset = DIAG_NO_OFFSET;
	if (source)
		snprintf(d->source, sizeof(d->source), "%s", source);
}

static int diag_vset(struct diag *d, int err, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int
diag_vset(struct diag *d, int err, const char *fmt, va_list ap)
{
	if (d && !d->set) {
		vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		d->set = true;
	}
	return err;
}

int
diag_fail(struct diag *d, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = diag_vset(d, -EINVAL, fmt, ap);
	va_end(ap);
	return rc;
}

int
diag_failv(struct diag *d, int err, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = diag_vset(d, err, fmt, ap);
	va_end(ap);
	return rc;
}

void
diag_set_pos(struct diag *d, int line, int column)
{
	if (d && !d->line) {
		d->line = line;
		d->column = column;
	}
}

void
diag_set_path(struct diag *d, const char *path)
{
	if (d && !d->path[0] && path)
		snprintf(d->path, sizeof(d->path), "%s", path);
}

void
diag_set_offset(struct diag *d, size_t offset)
{
	if (d && d->offset == DIAG_NO_OFFSET)
		d->offset = offset;
}

int
diag_format(const struct diag *d, char *out, size_t outlen)
{
	size_t n = 0;

#define DIAG_APPEND(...) do { \
		int w_ = snprintf(out + n, n < outlen ? outlen - n : 0, __VA_ARGS__); \
		if (w_ > 0) n += (size_t)w_; \
	} while (0)
	if (!outlen)
		return 0;
	out[0] = '\0';
	if (d->source[0])
		DIAG_APPEND("%s:", d->source);
	if (d->line > 0 && d->column > 0)
		DIAG_APPEND("%d:%d:", d->line, d->column);
	else if (d->line > 0)
		DIAG_APPEND("%d:", d->line);
	if (d->offset != DIAG_NO_OFFSET)
		DIAG_APPEND(" byte %zu:", d->offset);
	if (d->path[0])
		DIAG_APPEND(" %s:", d->path);
	DIAG_APPEND(" %s", d->set ? d->msg : "unknown error");
#undef DIAG_APPEND
	return (int)(n < outlen ? n : outlen - 1);
}
