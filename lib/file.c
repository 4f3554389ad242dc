// SPDX-License-Identifier: MIT
/* Whole-file reads with a cap, whole-buffer writes (see file.h). */
#include "lib/file.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
file_read_stream(FILE *f, size_t max, char **out, size_t *len, struct diag *d)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	struct stat st;

	*out = NULL;
	*len = 0;
	if (fstat(fileno(f), &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return diag_failv(d, -EISDIR, "is a directory");
		/* A regular file says its size up front: refuse it before reading. */
		if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
			return diag_failv(d, -EFBIG, "file too large (%lld bytes, limit %zu)",
			    (long long)st.st_size, max);
	}
	for (;;) {
		size_t r;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb;

			if (cap > max) {
				free(buf);
				return diag_failv(d, -EFBIG,
				    "file too large (more than %zu bytes, limit %zu)", cap, max);
			}
			if (ncap > max + 1)
				ncap = max + 1;	/* one byte past the limit tells it is over */
			nb = realloc(buf, ncap + 1);
			if (!nb) {
				free(buf);
				return diag_failv(d, -ENOMEM, "out of memory");
			}
			buf = nb;
			cap = ncap;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return diag_failv(d, -EIO, "read error");
	}
	if (n > max) {
		free(buf);
		return diag_failv(d, -EFBIG, "file too large (more than %zu bytes, limit %zu)",
		    max, max);
	}
	if (!buf && !(buf = malloc(1)))
		return diag_failv(d, -ENOMEM, "out of memory");
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int
file_read_all(const char *path, size_t max, char **out, size_t *len, struct diag *d)
{
	FILE *f;
	int rc;

	*out = NULL;
	*len = 0;
	if (strcmp(path, "-") == 0)
		return file_read_stream(stdin, max, out, len, d);
	f = fopen(path, "re");
	if (!f)
		return diag_failv(d, -errno, "cannot open: %s", strerror(errno));
	rc = file_read_stream(f, max, out, len, d);
	fclose(f);
	return rc;
}

int
file_write_all(int fd, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}
