// SPDX-License-Identifier: MIT
/* Bounds-checked byte cursors (see buf.h). The only place that copies input bytes. */
#include "lib/buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
br_init(struct buf_reader *br, const void *data, size_t len)
{
	br->data = data;
	br->len = data ? len : 0;
	br->off = 0;
}

int
br_be64(struct buf_reader *br, uint64_t *v)
{
	uint32_t hi = 0, lo = 0;

	if (br_left(br) < 8)
		return -EBADMSG;
	(void)br_be32(br, &hi);	/* cannot fail: 8 bytes are left */
	(void)br_be32(br, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

int
br_sub(struct buf_reader *br, size_t n, struct buf_reader *sub)
{
	if (br_left(br) < n)
		return -EBADMSG;
	br_init(sub, br->data + br->off, n);
	br->off += n;
	return 0;
}

void
bw_init(struct buf_writer *bw, void *data, size_t cap)
{
	memset(bw, 0, sizeof(*bw));
	bw->data = data;
	bw->cap = cap;
}

void
bw_init_dyn(struct buf_writer *bw, size_t max)
{
	memset(bw, 0, sizeof(*bw));
	bw->growable = true;
	bw->max = max;
}

void
bw_free(struct buf_writer *bw)
{
	if (bw->growable)
		free(bw->data);
	bw->data = NULL;
	bw->len = bw->cap = 0;
}

void
bw_reset(struct buf_writer *bw)
{
	bw->len = 0;
	bw->err = 0;
}

int
bw_error(const struct buf_writer *bw)
{
	return bw->err;
}

bool
bw_grow(struct buf_writer *bw, size_t n)
{
	size_t need, ncap;
	uint8_t *p;

	if (bw->err)
		return false;
	if (n > SIZE_MAX - bw->len) {
		bw->err = -EOVERFLOW;
		return false;
	}
	need = bw->len + n;
	if (need <= bw->cap)
		return true;
	if (!bw->growable || (bw->max && need > bw->max)) {
		bw->err = -ENOSPC;
		return false;
	}
	ncap = bw->cap ? bw->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (bw->max && ncap > bw->max)
		ncap = bw->max;
	p = realloc(bw->data, ncap);
	if (!p) {
		bw->err = -ENOMEM;
		return false;
	}
	bw->data = p;
	bw->cap = ncap;
	return true;
}

void
bw_be64(struct buf_writer *bw, uint64_t v)
{
	bw_be32(bw, (uint32_t)(v >> 32));
	bw_be32(bw, (uint32_t)v);
}

void
bw_zero(struct buf_writer *bw, size_t n)
{
	if (!n || !bw_room(bw, n))
		return;
	memset(bw->data + bw->len, 0, n);
	bw->len += n;
}

size_t
bw_reserve(struct buf_writer *bw, size_t n)
{
	size_t off = bw->len;

	bw_zero(bw, n);
	return off;
}

void
bw_patch_u8(struct buf_writer *bw, size_t off, uint8_t v)
{
	if (bw->err)
		return;
	if (off + 1 > bw->len) {
		bw->err = -EINVAL;
		return;
	}
	bw->data[off] = v;
}

void
bw_patch_be16(struct buf_writer *bw, size_t off, uint16_t v)
{
	if (bw->err)
		return;
	if (off > bw->len || bw->len - off < 2) {
		bw->err = -EINVAL;
		return;
	}
	bw->data[off] = (uint8_t)(v >> 8);
	bw->data[off + 1] = (uint8_t)v;
}
