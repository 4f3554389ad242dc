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

struct buf_reader {
	const uint8_t	*data;
	size_t		 len;
	size_t		 off;
};

/* Reader over data[0..len). data is borrowed and must outlive the reader. */
void	br_init(struct buf_reader *br, const void *data, size_t len);
size_t	br_left(const struct buf_reader *br);
size_t	br_offset(const struct buf_reader *br);
bool	br_empty(const struct buf_reader *br);

/* Each returns 0, or -EBADMSG without advancing when fewer bytes are left. */
int	br_u8(struct buf_reader *br, uint8_t *v);
int	br_be16(struct buf_reader *br, uint16_t *v);
int	br_be32(struct buf_reader *br, uint32_t *v);
int	br_be64(struct buf_reader *br, uint64_t *v);
int	br_peek_u8(const struct buf_reader *br, uint8_t *v);
/* Copy n bytes into out. */
int	br_bytes(struct buf_reader *br, void *out, size_t n);
int	br_skip(struct buf_reader *br, size_t n);
/* Carve the next n bytes into sub (offsets stay relative to the parent's start). */
int	br_sub(struct buf_reader *br, size_t n, struct buf_reader *sub);
/* Borrow a pointer to the next n bytes and advance (for hashing/copying whole blobs). */
int	br_ptr(struct buf_reader *br, size_t n, const uint8_t **p);

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

void	bw_u8(struct buf_writer *bw, uint8_t v);
void	bw_be16(struct buf_writer *bw, uint16_t v);
void	bw_be32(struct buf_writer *bw, uint32_t v);
void	bw_be64(struct buf_writer *bw, uint64_t v);
void	bw_bytes(struct buf_writer *bw, const void *p, size_t n);
void	bw_zero(struct buf_writer *bw, size_t n);
/* Reserve n bytes to patch later (length fields); returns their offset. */
size_t	bw_reserve(struct buf_writer *bw, size_t n);
void	bw_patch_u8(struct buf_writer *bw, size_t off, uint8_t v);
void	bw_patch_be16(struct buf_writer *bw, size_t off, uint16_t v);

#endif
