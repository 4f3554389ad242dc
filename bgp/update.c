// SPDX-License-Identifier: MIT
/*
 * UPDATE messages (RFC 4271 §4.3, RFC 4760, RFC 7606): prefix (NLRI) coding,
 * body decoding with the RFC 7606 rules for the Withdrawn Routes / Total Path
 * Attribute Length / NLRI fields and for missing mandatory attributes,
 * End-of-RIB detection, the general encoder, the packer that fills messages up
 * to the negotiated size, and End-of-RIB markers (RFC 4724 §2).
 * The attribute list itself is decoded by attr.c.
 */
#include "bgp/attr_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- prefixes ---- */

static size_t
prefix_octets(unsigned bits)
{
	return (bits + 7) / 8;
}

size_t
bgp_prefix_wire_len(const struct prefix *p)
{
	return 1 + prefix_octets(p->len);
}

void
bgp_prefix_put(struct buf_writer *bw, const struct prefix *p)
{
	bw_u8(bw, p->len);
	bw_bytes(bw, p->addr.bytes, prefix_octets(p->len));
}

void *
bgp_update_alloc(struct bgp_update *u, size_t size)
{
	struct bgp_arena *a = u ? u->arena : NULL;
	size_t need = (size + 15) & ~(size_t)15;

	if (a && size && need <= a->cap - a->used) {
		void *p = a->base + a->used;

		a->used += need;
		return p;
	}
	return malloc(size ? size : 1);
}

void
bgp_update_release(const struct bgp_update *u, void *p)
{
	const struct bgp_arena *a = u ? u->arena : NULL;

	if (!p)
		return;
	if (a && (uintptr_t)p >= (uintptr_t)a->base && (uintptr_t)p < (uintptr_t)a->base + a->cap)
		return;
	free(p);
}

int
bgp_nlri_decode(struct buf_reader *br, int family, struct prefix **out, size_t *n,
    size_t *cleared)
{
	return bgp_nlri_decode_in(NULL, br, family, out, n, cleared);
}

int
bgp_nlri_decode_in(struct bgp_update *u, struct buf_reader *br, int family, struct prefix **out,
    size_t *n, size_t *cleared)
{
	unsigned maxbits = family == AF_INET ? ADDR_V4_BITS : ADDR_V6_BITS;
	struct buf_reader c = *br;
	const uint8_t *q = NULL;
	struct prefix *v;
	size_t count = 0;
	uint8_t plen = 0;

	*out = NULL;
	*n = 0;
	/* Pass 1: RFC 7606 §5.3 syntax (length within the family, no overrun). */
	while (!br_empty(&c)) {
		br_u8(&c, &plen);
		if (plen > maxbits || br_skip(&c, prefix_octets(plen)))
			return -EBADMSG;
		count++;
	}
	if (!count) {
		br_skip(br, br_left(br));
		return 0;
	}
	/* Every field of every element is written below: no calloc (glibc's skips the
	 * thread cache) and no memset after malloc (which gcc turns back into calloc). */
	v = bgp_update_alloc(u, count * sizeof(*v));
	if (!v)
		return -ENOMEM;
	/* Pass 2 (pass 1 checked every length): straight from the bytes. */
	br_ptr(br, br_left(br), &q);
	for (size_t i = 0; i < count; i++) {
		struct prefix *x = &v[i];
		const uint64_t zero = 0;
		size_t o;

		/* Written in place, field by field: a prefix assembled on the stack and
		 * copied as a whole is read back wider than it was written (a stall). */
		plen = *q++;
		o = prefix_octets(plen);
		x->addr.family = (uint8_t)family;
		x->len = plen;
		memcpy(x->addr.bytes, &zero, sizeof(zero));
		memcpy(x->addr.bytes + sizeof(zero), &zero, sizeof(zero));
		for (size_t k = 0; k < o; k++)	/* 0..4 octets for IPv4: no memcpy call */
			x->addr.bytes[k] = q[k];
		q += o;
		/* Bits beyond the length are ignored by receivers: clear and count. Only
		 * the last octet read can hold any (the rest of the address is zero). */
		if (plen % 8) {
			uint8_t *last = &x->addr.bytes[plen / 8];
			uint8_t keep = (uint8_t)(0xff << (8 - plen % 8));

			if (*last & (uint8_t)~keep) {
				*last &= keep;
				(*cleared)++;
			}
		}
	}
	*out = v;
	*n = count;
	return 0;
}

/* ---- decode ---- */

void
bgp_update_init(struct bgp_update *u)
{
	memset(u, 0, sizeof(*u));
}

void
bgp_update_free(struct bgp_update *u)
{
	if (!u)
		return;
	bgp_update_release(u, u->withdrawn);
	bgp_update_release(u, u->nlri);
	bgp_update_release(u, u->mp_reach.nlri);
	bgp_update_release(u, u->mp_unreach.withdrawn);
	if (u->arena) {
		/* the arrays the decoder took from the arena, before bgp_attrs_free() */
		struct bgp_attrs *a = &u->attrs;
		void **v[] = { (void **)&a->as_path.segs, (void **)&a->as_path.asns,
		    (void **)&a->communities, (void **)&a->ext_communities, (void **)&a->large,
		    (void **)&a->cluster_list };

		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			bgp_update_release(u, *v[i]);
			*v[i] = NULL;
		}
	}
	bgp_attrs_free(&u->attrs);
	bgp_update_init(u);
}

static int
missing(struct bgp_err *err, uint8_t code)
{
	/* RFC 4271 §6.3: data is the missing attribute's type code. */
	return bgp_err_set(err, BGP_ACT_TREAT_AS_WITHDRAW, BGP_ERR_UPDATE, BGP_ERR_UPD_MISSING,
	    &code, sizeof(code), "missing %s", bgp_attr_name(code));
}

int
bgp_update_decode(const struct bgp_wire_ctx *ctx, const uint8_t *body, size_t len,
    struct bgp_update *u, struct bgp_err *err)
{
	return bgp_update_decode_arena(ctx, body, len, u, err, NULL);
}

int
bgp_update_decode_arena(const struct bgp_wire_ctx *ctx, const uint8_t *body, size_t len,
    struct bgp_update *u, struct bgp_err *err, struct bgp_arena *arena)
{
	struct buf_reader br, wr, ar;
	uint16_t wlen = 0, alen = 0;
	int rc;

	bgp_update_init(u);
	if (arena) {
		arena->used = 0;
		u->arena = arena;
	}
	br_init(&br, body, len);
	/* RFC 4271 §6.3: lengths that do not fit the message -> Malformed
	 * Attribute List; the NLRI cannot be located, so RFC 7606 keeps the reset. */
	if (br_be16(&br, &wlen) || br_sub(&br, wlen, &wr) || br_be16(&br, &alen) ||
	    br_sub(&br, alen, &ar))
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_UPDATE,
		    BGP_ERR_UPD_ATTR_LIST, NULL, 0,
		    "withdrawn (%u) and attribute lengths exceed the UPDATE", wlen);

	/* RFC 7606 §3 (h), §5.3: Withdrawn Routes are checked like NLRI. */
	rc = bgp_nlri_decode_in(u, &wr, AF_INET, &u->withdrawn, &u->nwithdrawn,
	    &u->host_bits_cleared);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_UPDATE,
		    BGP_ERR_UPD_NETWORK, NULL, 0, "malformed Withdrawn Routes field");

	rc = bgp_attrs_decode(ctx, &ar, u, err);
	if (rc)
		return rc;

	/* The rest of the message is the NLRI field (RFC 4271 §4.3). */
	rc = bgp_nlri_decode_in(u, &br, AF_INET, &u->nlri, &u->nnlri, &u->host_bits_cleared);
	if (rc == -ENOMEM)
		return rc;
	if (rc)	/* RFC 7606 §5.3: an incorrect NLRI field -> session reset */
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_UPDATE,
		    BGP_ERR_UPD_NETWORK, NULL, 0, "malformed NLRI field");

	/* RFC 4724 §2: End-of-RIB markers. */
	if (len == BGP_UPDATE_MIN_LEN - BGP_HDR_LEN) {
		u->eor = true;
		u->eor_afi = BGP_AFI_IPV4;
		u->eor_safi = BGP_SAFI_UNICAST;
		return 0;
	}
	if (u->has_mp_unreach && !u->mp_unreach.nwithdrawn && !u->has_mp_reach &&
	    !u->nwithdrawn && !u->nnlri && !u->attrs.present && !u->attrs.nunknown &&
	    err->action == BGP_ACT_NONE) {
		u->eor = true;
		u->eor_afi = u->mp_unreach.afi;
		u->eor_safi = u->mp_unreach.safi;
		return 0;
	}

	/* RFC 7606 §3 (d): missing well-known mandatory attributes when there is
	 * NLRI -> treat-as-withdraw. NEXT_HOP only for the classic NLRI field
	 * (RFC 4760 §3). */
	if (u->nnlri || (u->has_mp_reach && u->mp_reach.nnlri)) {
		if (!bgp_attrs_has(&u->attrs, BGP_ATTR_ORIGIN))
			missing(err, BGP_ATTR_ORIGIN);
		if (!bgp_attrs_has(&u->attrs, BGP_ATTR_AS_PATH))
			missing(err, BGP_ATTR_AS_PATH);
		if (u->nnlri && !bgp_attrs_has(&u->attrs, BGP_ATTR_NEXT_HOP))
			missing(err, BGP_ATTR_NEXT_HOP);
	}
	if (err->action != BGP_ACT_NONE) {	/* the packed form is for clean UPDATEs only */
		u->packed = NULL;
		u->packed_len = 0;
	}
	return 0;
}

/* ---- encode ---- */

static void
mp_reach_put_head(struct buf_writer *bw, uint16_t afi, uint8_t safi, const struct addr *nh,
    bool has_ll, const struct addr *ll)
{
	bw_be16(bw, afi);
	bw_u8(bw, safi);
	if (nh->family == AF_INET) {
		bw_u8(bw, BGP_MP_NH_V4_LEN);
		bw_bytes(bw, nh->bytes, BGP_MP_NH_V4_LEN);
	} else {
		bw_u8(bw, has_ll ? BGP_MP_NH_V6_LL_LEN : BGP_MP_NH_V6_LEN);
		bw_bytes(bw, nh->bytes, BGP_MP_NH_V6_LEN);
		if (has_ll)
			bw_bytes(bw, ll->bytes, BGP_MP_NH_V6_LEN);
	}
	bw_u8(bw, 0);	/* reserved (RFC 4760 §3) */
}

/* Attribute header with a 2-octet length to patch later. */
static size_t
attr_begin_ext(struct buf_writer *bw, uint8_t flags, uint8_t code)
{
	bw_u8(bw, flags | BGP_ATTR_FLAG_EXTLEN);
	bw_u8(bw, code);
	return bw_reserve(bw, sizeof(uint16_t));
}

static void
len16_finish(struct buf_writer *bw, size_t off)
{
	size_t n;

	if (bw->err)
		return;
	n = bw->len - off - sizeof(uint16_t);
	if (n > UINT16_MAX) {
		bw->err = -EMSGSIZE;
		return;
	}
	bw_patch_be16(bw, off, (uint16_t)n);
}

void
bgp_update_encode(const struct bgp_wire_ctx *ctx, struct buf_writer *bw,
    const struct bgp_update *u)
{
	size_t off, wl, al, ml;

	off = bgp_hdr_begin(bw, BGP_MSG_UPDATE);
	wl = bw_reserve(bw, sizeof(uint16_t));
	for (size_t i = 0; i < u->nwithdrawn; i++)
		bgp_prefix_put(bw, &u->withdrawn[i]);
	len16_finish(bw, wl);
	al = bw_reserve(bw, sizeof(uint16_t));
	/* RFC 7606 §5.1: MP_* attributes first. */
	if (u->has_mp_unreach) {
		ml = attr_begin_ext(bw, BGP_ATTR_FLAG_OPTIONAL, BGP_ATTR_MP_UNREACH_NLRI);
		bw_be16(bw, u->mp_unreach.afi);
		bw_u8(bw, u->mp_unreach.safi);
		for (size_t i = 0; i < u->mp_unreach.nwithdrawn; i++)
			bgp_prefix_put(bw, &u->mp_unreach.withdrawn[i]);
		len16_finish(bw, ml);
	}
	if (u->has_mp_reach) {
		ml = attr_begin_ext(bw, BGP_ATTR_FLAG_OPTIONAL, BGP_ATTR_MP_REACH_NLRI);
		mp_reach_put_head(bw, u->mp_reach.afi, u->mp_reach.safi, &u->mp_reach.nexthop,
		    u->mp_reach.has_ll, &u->mp_reach.nexthop_ll);
		for (size_t i = 0; i < u->mp_reach.nnlri; i++)
			bgp_prefix_put(bw, &u->mp_reach.nlri[i]);
		len16_finish(bw, ml);
	}
	bgp_attrs_encode(ctx, &u->attrs, bw);
	len16_finish(bw, al);
	for (size_t i = 0; i < u->nnlri; i++)
		bgp_prefix_put(bw, &u->nlri[i]);
	bgp_hdr_finish(bw, off, bgp_wire_max_len(ctx));
}

/* Append pfx[*used] if it is of family; checked while packing so a call costs
 * what it consumes, not the length of the caller's whole array. */
static void
put_same_family(struct buf_writer *bw, const struct prefix *pfx, size_t *used, int family,
    bool *mixed)
{
	if (pfx[*used].addr.family != family) {
		*mixed = true;
		return;
	}
	bgp_prefix_put(bw, &pfx[(*used)++]);
}

int
bgp_update_pack(const struct bgp_wire_ctx *ctx, struct buf_writer *bw,
    const struct bgp_attrs *attrs, const struct bgp_nexthop *nh,
    const struct prefix *pfx, size_t n)
{
	size_t max = bgp_wire_max_len(ctx), start = bw->len, off, wl, al, ml = 0, used = 0, fixed;
	bool mixed = false;
	struct buf_writer aw;
	struct bgp_attrs tmp;
	bool v4;
	int family, rc;

	if (!n || !pfx || (attrs && !nh))
		return -EINVAL;
	if (bw->err)
		return bw->err;
	family = pfx[0].addr.family;
	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	v4 = family == AF_INET;
	if (attrs && (nh->global.family != (v4 ? AF_INET : AF_INET6) ||
	    (!v4 && addr_is_v4_mapped(&nh->global))))
		return -EINVAL;	/* never an IPv4-mapped IPv6 next hop */

	/* The other attributes first, into scratch, to know the room left. */
	bw_init_dyn(&aw, BGP_EXT_MAX_LEN);
	if (attrs) {
		tmp = *attrs;
		if (v4) {
			tmp.next_hop = nh->global;
			tmp.present |= BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
		} else {
			tmp.present &= ~BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP);
		}
		bgp_attrs_encode(ctx, &tmp, &aw);
	}
	if (aw.err) {
		rc = aw.err;
		goto out;
	}

	/* Room for the fixed parts and at least one prefix? Checked before
	 * writing so the caller's writer never carries our -EMSGSIZE. */
	fixed = BGP_UPDATE_MIN_LEN + aw.len;
	if (!v4)
		fixed += BGP_ATTR_HDR_EXT_LEN + BGP_MP_UNREACH_MIN_LEN + (attrs ? 2 +
		    (nh->has_ll ? BGP_MP_NH_V6_LL_LEN : BGP_MP_NH_V6_LEN) : 0);
	if (fixed + bgp_prefix_wire_len(&pfx[0]) > max) {
		rc = -EMSGSIZE;
		goto out;
	}
	off = bgp_hdr_begin(bw, BGP_MSG_UPDATE);
	wl = bw_reserve(bw, sizeof(uint16_t));
	if (v4 && !attrs) {
		/* Withdrawn Routes, then an empty attribute list. */
		while (used < n && !mixed && bw->len - off + bgp_prefix_wire_len(&pfx[used]) +
		    BGP_UPDATE_ATTRS_LEN_LEN <= max)
			put_same_family(bw, pfx, &used, family, &mixed);
		len16_finish(bw, wl);
		bw_be16(bw, 0);
	} else {
		bw_patch_be16(bw, wl, 0);
		al = bw_reserve(bw, sizeof(uint16_t));
		if (!v4) {
			ml = attr_begin_ext(bw, BGP_ATTR_FLAG_OPTIONAL, attrs ?
			    BGP_ATTR_MP_REACH_NLRI : BGP_ATTR_MP_UNREACH_NLRI);
			if (attrs) {
				mp_reach_put_head(bw, BGP_AFI_IPV6, BGP_SAFI_UNICAST, &nh->global,
				    nh->has_ll, &nh->ll);
			} else {
				bw_be16(bw, BGP_AFI_IPV6);
				bw_u8(bw, BGP_SAFI_UNICAST);
			}
			while (used < n && !mixed && bw->len - off +
			    bgp_prefix_wire_len(&pfx[used]) + aw.len <= max)
				put_same_family(bw, pfx, &used, family, &mixed);
			len16_finish(bw, ml);
		}
		bw_bytes(bw, aw.data, aw.len);
		len16_finish(bw, al);
		if (v4)
			while (used < n && !mixed && bw->len - off +
			    bgp_prefix_wire_len(&pfx[used]) <= max)
				put_same_family(bw, pfx, &used, family, &mixed);
	}
	bgp_hdr_finish(bw, off, max);
	if (bw->err) {
		rc = bw->err;
		goto out;
	}
	if (mixed) {
		bw->len = start;	/* one family per call: nothing half-written */
		rc = -EINVAL;
		goto out;
	}
	if (used == 0) {
		bw->len = start;	/* the attributes alone fill the message */
		rc = -EMSGSIZE;
		goto out;
	}
	rc = (int)(used > INT32_MAX ? INT32_MAX : used);
out:
	bw_free(&aw);
	return rc;
}

void
bgp_eor_encode(struct buf_writer *bw, uint16_t afi, uint8_t safi)
{
	size_t off = bgp_hdr_begin(bw, BGP_MSG_UPDATE);

	bw_be16(bw, 0);
	if (afi == BGP_AFI_IPV4 && safi == BGP_SAFI_UNICAST) {
		bw_be16(bw, 0);
	} else {
		bw_be16(bw, BGP_ATTR_HDR_LEN + BGP_MP_UNREACH_MIN_LEN);
		bw_u8(bw, BGP_ATTR_FLAG_OPTIONAL);
		bw_u8(bw, BGP_ATTR_MP_UNREACH_NLRI);
		bw_u8(bw, BGP_MP_UNREACH_MIN_LEN);
		bw_be16(bw, afi);
		bw_u8(bw, safi);
	}
	bgp_hdr_finish(bw, off, BGP_MAX_LEN);
}
