/* SPDX-License-Identifier: MIT */
/*
 * Bounds-checked byte cursors. Every byte that comes from a wire or a file is read
 * through a struct buf_reader; every encoded message is written through a
 * struct buf_writer. Readers fail with -EBADMSG and do not advance; writers carry a
 * sticky error that callers check once at the end (bw_error()).
 * This file does not know any protocol.
 */
#ifndef CUTOVER_LIB_BUF_H
#define CUTOVER_LIB_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

struct buf_reader {
	const uint8_t	*data;
	size_t		 len;
	size_t		 off;
};

/* Reader over data[0..len). data is borrowed and must outlive the reader. */
void	br_init(struct buf_reader *br, const void *data, size_t len);

/*
 * The small readers and writers are inline: a decoder or encoder calls them once per
 * field, millions of times for a full table.
 */
static inline size_t
br_left(const struct buf_reader *br)
{
	return br->len - br->off;
}

static inline size_t
br_offset(const struct buf_reader *br)
{
	return br->off;
}

static inline bool
br_empty(const struct buf_reader *br)
{
	return br->off >= br->len;
}

/* Each returns 0, or -EBADMSG without advancing when fewer bytes are left. */
static inline int
br_u8(struct buf_reader *br, uint8_t *v)
{
	if (br_left(br) < 1)
		return -EBADMSG;
	*v = br->data[br->off++];
	return 0;
}

static inline int
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

static inline int
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

int	br_be64(struct buf_reader *br, uint64_t *v);

static inline int
br_peek_u8(const struct buf_reader *br, uint8_t *v)
{
	if (br_left(br) < 1)
		return -EBADMSG;
	*v = br->data[br->off];
	return 0;
}

/* Copy n bytes into out. */
static inline int
br_bytes(struct buf_reader *br, void *out, size_t n)
{
	if (br_left(br) < n)
		return -EBADMSG;
	if (n)
		memcpy(out, br->data + br->off, n);
	br->off += n;
	return 0;
}

static inline int
br_skip(struct buf_reader *br, size_t n)
{
	if (br_left(br) < n)
		return -EBADMSG;
	br->off += n;
	return 0;
}

/* Carve the next n bytes into sub (offsets stay relative to the parent's start). */
int	br_sub(struct buf_reader *br, size_t n, struct buf_reader *sub);

/* Borrow a pointer to the next n bytes and advance (for hashing/copying whole blobs). */
static inline int
br_ptr(struct buf_reader *br, size_t n, const uint8_t **p)
{
	if (br_left(br) < n)
		return -EBADMSG;
	*p = br->data + br->off;
	br->off += n;
	return 0;
}

struct buf_writer {
	uint8_t		*data;
	size_t		 len;
	size_t		 cap;
	int		 err;		/* sticky: first error, 0 when fine */
	bool		 growable;	/* data is malloc'ed by us and may grow */
	size_t		 max;		/* growable: never beyond this many bytes */
};

/* Writer into caller memory of cap bytes. */
void	bw_init(struct buf_writer *bw, void *data, size_t cap);
/* Growable writer that owns its memory, capped at max bytes (0: no cap). */
void	bw_init_dyn(struct buf_writer *bw, size_t max);
void	bw_free(struct buf_writer *bw);
void	bw_reset(struct buf_writer *bw);
int	bw_error(const struct buf_writer *bw);

/* Make room for n more bytes (growing a growable writer); on failure sets the sticky
 * error and returns false. The out-of-line part of bw_room(). */
bool	bw_grow(struct buf_writer *bw, size_t n);

static inline bool
bw_room(struct buf_writer *bw, size_t n)
{
	if (!bw->err && n <= bw->cap - bw->len)
		return true;
	return bw_grow(bw, n);
}

static inline void
bw_u8(struct buf_writer *bw, uint8_t v)
{
	if (bw_room(bw, 1))
		bw->data[bw->len++] = v;
}

static inline void
bw_be16(struct buf_writer *bw, uint16_t v)
{
	if (!bw_room(bw, 2))
		return;
	bw->data[bw->len] = (uint8_t)(v >> 8);
	bw->data[bw->len + 1] = (uint8_t)v;
	bw->len += 2;
}

static inline void
bw_be32(struct buf_writer *bw, uint32_t v)
{
	if (!bw_room(bw, 4))
		return;
	bw->data[bw->len] = (uint8_t)(v >> 24);
	bw->data[bw->len + 1] = (uint8_t)(v >> 16);
	bw->data[bw->len + 2] = (uint8_t)(v >> 8);
	bw->data[bw->len + 3] = (uint8_t)v;
	bw->len += 4;
}

void	bw_be64(struct buf_writer *bw, uint64_t v);

static inline void
bw_bytes(struct buf_writer *bw, const void *p, size_t n)
{
	if (!n || !bw_room(bw, n))
		return;
	memcpy(bw->data + bw->len, p, n);
	bw->len += n;
}

void	bw_zero(struct buf_writer *bw, size_t n);
/* Reserve n bytes to patch later (length fields); returns their offset. */
size_t	bw_reserve(struct buf_writer *bw, size_t n);
void	bw_patch_u8(struct buf_writer *bw, size_t off, uint8_t v);
void	bw_patch_be16(struct buf_writer *bw, size_t off, uint16_t v);

#endif
