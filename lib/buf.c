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

size_t
br_left(const struct buf_reader *br)
{
	return br->len - br->off;
}

size_t
br_offset(const struct buf_reader *br)
{
	return br->off;
}

bool
br_empty(const struct buf_reader *br)
{
	return br->off >= br->len;
}

int
br_u8(struct buf_reader *br, uint8_t *v)
{
	if (br_left(br) < 1)
		return -EBADMSG;
	*v = br->data[br->off++];
	return 0;
}

int
br_peek_u8(const struct buf_reader *br, uint8_t *v)
{
	if (br_left(br) < 1)
		return -EBADMSG;
	*v = br->data[br->off];
	return 0;
}

int
br_be16(struct buf_reader *br, uint16_t *v)
{
	const uint8_t *p;

	if (br_left(br) < 2)
		return -EBADMSG;
	p = br->data + br->off;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	br->off += 2;
	return 0;
}

int
br_be32(struct buf_reader *br, uint32_t *v)
{
	const uint8_t *p;

	if (br_left(br) < 4)
		return -EBADMSG;
	p = br->data + br->off;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	br->off += 4;
	return 0;
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
br_bytes(struct buf_reader *br, void *out, size_t n)
{
	if (br_left(br) < n)
		return -EBADMSG;
	if (n)
		memcpy(out, br->data + br->off, n);
	br->off += n;
	return 0;
}

int
br_skip(struct buf_reader *br, size_t n)
{
	if (br_left(br) < n)
		return -EBADMSG;
	br->off += n;
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

int
br_ptr(struct buf_reader *br, size_t n, const uint8_t **p)
{
	if (br_left(br) < n)
		return -EBADMSG;
	*p = br->data + br->off;
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

/* Make room for n more bytes; sets the sticky error and returns false when impossible. */
static bool
bw_room(struct buf_writer *bw, size_t n)
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
bw_u8(struct buf_writer *bw, uint8_t v)
{
	if (bw_room(bw, 1))
		bw->data[bw->len++] = v;
}

void
bw_be16(struct buf_writer *bw, uint16_t v)
{
	if (!bw_room(bw, 2))
		return;
	bw->data[bw->len++] = (uint8_t)(v >> 8);
	bw->data[bw->len++] = (uint8_t)v;
}

void
bw_be32(struct buf_writer *bw, uint32_t v)
{
	if (!bw_room(bw, 4))
		return;
	for (int s = 24; s >= 0; s -= 8)
		bw->data[bw->len++] = (uint8_t)(v >> s);
}

void
bw_be64(struct buf_writer *bw, uint64_t v)
{
	bw_be32(bw, (uint32_t)(v >> 32));
	bw_be32(bw, (uint32_t)v);
}

void
bw_bytes(struct buf_writer *bw, const void *p, size_t n)
{
	if (!n || !bw_room(bw, n))
		return;
	memcpy(bw->data + bw->len, p, n);
	bw->len += n;
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
