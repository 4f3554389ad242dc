// SPDX-License-Identifier: MIT
/*
 * Path attributes: the one descriptor table (code, name, required flags, length
 * rule, RFC 7606 actions, decode/encode/print), the attribute-list decoder with
 * central flag, length and duplicate checks, the RFC 6793 §4.2.3 AS4 merge, and
 * attribute encoding. MP_REACH_NLRI/MP_UNREACH_NLRI are decoded here into the
 * struct bgp_update; the UPDATE framing around them lives in update.c.
 * Helpers for copying, comparing, hashing and printing are in attr_util.c.
 */
#include "bgp/attr_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors, families ---- */

void
bgp_err_clear(struct bgp_err *err)
{
	err->action = BGP_ACT_NONE;
	err->code = err->subcode = err->attr = 0;
	err->afi = 0;
	err->safi = 0;
	err->ndiscarded = 0;
	err->datalen = 0;
	err->reason[0] = '\0';
}

int
bgp_err_set(struct bgp_err *err, enum bgp_action action, uint8_t code, uint8_t subcode,
    const void *data, size_t datalen, const char *fmt, ...)
{
	va_list ap;

	if (action == BGP_ACT_ATTR_DISCARD)
		err->ndiscarded++;
	if (action > err->action) {
		err->action = action;
		err->code = code;
		err->subcode = subcode;
		err->attr = 0;
		if (datalen > sizeof(err->data))
			datalen = sizeof(err->data);
		err->datalen = data ? datalen : 0;
		if (err->datalen)
			memcpy(err->data, data, err->datalen);
		va_start(ap, fmt);
		vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
		va_end(ap);
	}
	return err->action == BGP_ACT_SESSION_RESET ? -EBADMSG : 0;
}

const char *
bgp_action_name(enum bgp_action action)
{
	switch (action) {
	case BGP_ACT_NONE:
		return "none";
	case BGP_ACT_ATTR_DISCARD:
		return "attribute-discard";
	case BGP_ACT_TREAT_AS_WITHDRAW:
		return "treat-as-withdraw";
	case BGP_ACT_AFISAFI_DISABLE:
		return "afi-safi-disable";
	case BGP_ACT_SESSION_RESET:
		return "session-reset";
	}
	return "unknown";
}

int
bgp_family_from_afisafi(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	if (afi == BGP_AFI_IPV4)
		return BGP_FAM_IPV4_UNICAST;
	if (afi == BGP_AFI_IPV6)
		return BGP_FAM_IPV6_UNICAST;
	return -1;
}

void
bgp_family_to_afisafi(enum bgp_family fam, uint16_t *afi, uint8_t *safi)
{
	*afi = fam == BGP_FAM_IPV6_UNICAST ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
	*safi = BGP_SAFI_UNICAST;
}

const char *
bgp_family_name(enum bgp_family fam)
{
	switch (fam) {
	case BGP_FAM_IPV4_UNICAST:
		return "ipv4-unicast";
	case BGP_FAM_IPV6_UNICAST:
		return "ipv6-unicast";
	default:
		return "unknown";
	}
}

size_t
bgp_wire_max_len(const struct bgp_wire_ctx *ctx)
{
	return ctx && ctx->ext_msg ? BGP_EXT_MAX_LEN : BGP_MAX_LEN;
}

uint32_t
bgp_wire_families(const struct bgp_wire_ctx *ctx)
{
	/* A zeroed context means a classic IPv4-only session. */
	return ctx->families ? ctx->families : BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST);
}

/* ---- decode helpers ---- */

/*
 * Record an error about the attribute being decoded; NOTIFICATION data is the
 * whole attribute (RFC 4271 §6.3) unless the caller passes other data.
 */
static int
attr_fail(struct attr_dctx *d, enum bgp_action action, uint8_t subcode, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
attr_fail(struct attr_dctx *d, enum bgp_action action, uint8_t subcode, const char *fmt, ...)
{
	char why[BGP_ERR_REASON_MAX];
	enum bgp_action before = d->err->action;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	rc = bgp_err_set(d->err, action, BGP_ERR_UPDATE, subcode, d->raw, d->rawlen, "%s: %s",
	    bgp_attr_name(d->code), why);
	if (action > before)
		d->err->attr = d->code;
	return rc < 0 ? rc : ATTR_BAD;
}

/* ---- AS_PATH / AS4_PATH (RFC 4271 §4.3, RFC 6793, RFC 7606 §7.2, RFC 7607) ---- */

/*
 * The UPDATE whose arena may hold the arrays decoded for the attribute at hand, or NULL
 * (malloc). Only on a 4-octet-AS session: on a 2-octet one as4_merge() replaces the
 * AS_PATH, freeing the old arrays one by one.
 */
static struct bgp_update *
arena_owner(const struct attr_dctx *d)
{
	return d->ctx->as4 ? d->u : NULL;
}

/* Free a path whose arrays came from bgp_update_alloc(u, ...). */
static void
as_path_release(struct bgp_update *u, struct bgp_as_path *p)
{
	bgp_update_release(u, p->segs);
	bgp_update_release(u, p->asns);
	memset(p, 0, sizeof(*p));
}

/*
 * Parse segments of asn_len-octet ASNs into p, its arrays from bgp_update_alloc(u, ...).
 * Returns 0, -EBADMSG with *why set for a malformed path, -ENOMEM. *zero tells whether
 * an ASN is 0, *confed whether a confederation segment is there (both checked by the
 * callers, on the way here).
 */
static int
as_path_parse(struct bgp_update *u, struct buf_reader *v, size_t asn_len, struct bgp_as_path *p,
    const char **why, bool *zero, bool *confed)
{
	struct buf_reader c = *v;
	size_t nsegs = 0, nasns = 0, si = 0, ai = 0;
	uint8_t type = 0, cnt = 0;
	bool z = false, cf = false;

	/* Pass 1: validate and count. */
	while (!br_empty(&c)) {
		if (br_left(&c) < BGP_AS_SEG_HDR_LEN) {
			*why = "one octet left after the last segment";
			return -EBADMSG;
		}
		br_u8(&c, &type);
		br_u8(&c, &cnt);
		if (type < BGP_AS_SET || type > BGP_AS_CONFED_SET) {
			*why = "unknown segment type";
			return -EBADMSG;
		}
		if (cnt == 0) {
			*why = "zero-length segment";
			return -EBADMSG;
		}
		if (br_skip(&c, (size_t)cnt * asn_len)) {
			*why = "segment overruns the attribute";
			return -EBADMSG;
		}
		cf |= type == BGP_AS_CONFED_SEQUENCE || type == BGP_AS_CONFED_SET;
		nsegs++;
		nasns += cnt;
	}
	/* Every field is written below; nothing reads a segment's padding. */
	p->segs = bgp_update_alloc(u, (nsegs ? nsegs : 1) * sizeof(*p->segs));
	p->asns = bgp_update_alloc(u, (nasns ? nasns : 1) * sizeof(*p->asns));
	if (!p->segs || !p->asns) {
		as_path_release(u, p);
		return -ENOMEM;
	}
	/* Pass 2: fill (cannot fail: pass 1 checked every length). */
	while (!br_empty(v)) {
		const uint8_t *a = NULL;

		br_u8(v, &type);
		br_u8(v, &cnt);
		p->segs[si].type = type;
		p->segs[si].count = cnt;
		p->segs[si].first = (uint32_t)ai;
		si++;
		if (br_ptr(v, (size_t)cnt * asn_len, &a) != 0)
			break;
		if (asn_len == BGP_AS4_LEN) {
			for (unsigned i = 0; i < cnt; i++, a += 4) {
				uint32_t x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
				    (uint32_t)a[2] << 8 | a[3];

				z |= x == 0;
				p->asns[ai++] = x;
			}
		} else {
			for (unsigned i = 0; i < cnt; i++, a += 2) {
				uint32_t x = (uint32_t)a[0] << 8 | a[1];

				z |= x == 0;
				p->asns[ai++] = x;
			}
		}
	}
	if (si != nsegs || ai != nasns) {	/* not possible after pass 1 */
		as_path_release(u, p);
		*why = "inconsistent";
		return -EBADMSG;
	}
	p->nsegs = nsegs;
	p->nasns = nasns;
	*zero = z;
	*confed = cf;
	return 0;
}

static int
dec_as_path(struct attr_dctx *d, struct buf_reader *v)
{
	struct bgp_as_path *p = &d->u->attrs.as_path;
	struct bgp_update *au = arena_owner(d);
	const char *why = NULL;
	bool zero = false, confed = false;
	int rc;

	rc = as_path_parse(au, v, d->ctx->as4 ? BGP_AS4_LEN : BGP_AS2_LEN, p, &why, &zero,
	    &confed);
	if (rc == -ENOMEM)
		return rc;
	/* RFC 7606 §7.2: malformed AS_PATH -> treat-as-withdraw. */
	if (rc)
		why = why ? why : "malformed";
	/* RFC 7607 §2: AS 0 in AS_PATH -> treat-as-withdraw. */
	else if (zero)
		why = "AS 0";
	/* RFC 7606 §7.2 (updating RFC 5065): confederation segments from outside
	 * the confederation -> treat-as-withdraw. */
	else if (d->ctx->ebgp && confed)
		why = "confederation segment from an external peer";
	else
		return 0;
	as_path_release(au, p);
	return attr_fail(d, BGP_ACT_TREAT_AS_WITHDRAW, BGP_ERR_UPD_AS_PATH, "%s", why);
}

static int
dec_as4_path(struct attr_dctx *d, struct buf_reader *v)
{
	struct bgp_as_path tmp = { 0 };
	const char *why = NULL;
	size_t len = br_left(v);
	bool zero = false, confed = false;
	int rc;

	/* RFC 6793 §6: between NEW speakers AS4_PATH must be discarded. */
	if (d->ctx->as4)
		return attr_fail(d, BGP_ACT_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL,
		    "received on a 4-octet AS session");
	/* RFC 6793 §6: malformed -> attribute discard. */
	if (len % BGP_AS2_LEN || len < BGP_AS_SEG_HDR_LEN + BGP_AS4_LEN)
		return attr_fail(d, BGP_ACT_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL,
		    "length %zu", len);
	rc = as_path_parse(NULL, v, BGP_AS4_LEN, &tmp, &why, &zero, &confed);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return attr_fail(d, BGP_ACT_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL, "%s", why);
	/* RFC 7607 §2: AS 0 in AS4_PATH -> treat-as-withdraw. */
	if (zero) {
		bgp_as_path_free(&tmp);
		return attr_fail(d, BGP_ACT_TREAT_AS_WITHDRAW, BGP_ERR_UPD_OPTIONAL, "AS 0");
	}
	/* RFC 6793 §6: confederation segments are dropped, the rest is used. */
	if (confed) {
		struct bgp_as_path clean = { 0 };

		for (size_t i = 0; i < tmp.nsegs; i++) {
			const struct bgp_as_seg *s = &tmp.segs[i];

			if (s->type == BGP_AS_CONFED_SEQUENCE || s->type == BGP_AS_CONFED_SET)
				continue;
			if (bgp_as_path_append(&clean, s->type, tmp.asns + s->first, s->count)) {
				bgp_as_path_free(&clean);
				bgp_as_path_free(&tmp);
				return -ENOMEM;
			}
		}
		bgp_as_path_free(&tmp);
		tmp = clean;
	}
	d->as4_path = tmp;
	d->has_as4_path = true;
	return 0;
}

/*
 * RFC 6793 §4.2.3: rebuild the real path from AS_PATH and AS4_PATH received
 * from an OLD (2-octet) speaker.
 */
static int
as4_merge(struct attr_dctx *d)
{
	struct bgp_attrs *a = &d->u->attrs;
	struct bgp_as_path out = { 0 };
	size_t n2, n4, need;

	if (d->has_as4_agg) {
		/* AGGREGATOR other than AS_TRANS: both AS4 attributes are ignored. */
		if (bgp_attrs_has(a, BGP_ATTR_AGGREGATOR) && a->aggregator_as != BGP_AS_TRANS) {
			bgp_as_path_free(&d->as4_path);
			d->has_as4_path = false;
			return 0;
		}
		if (bgp_attrs_has(a, BGP_ATTR_AGGREGATOR)) {
			a->aggregator_as = d->as4_agg_as;
			a->aggregator_id = d->as4_agg_id;
		}
	}
	if (!d->has_as4_path || !bgp_attrs_has(a, BGP_ATTR_AS_PATH))
		return 0;
	n2 = bgp_as_path_length(&a->as_path);
	n4 = bgp_as_path_length(&d->as4_path);
	if (n2 < n4)
		return 0;	/* AS4_PATH is ignored */
	need = n2 - n4;
	/* Leading confederation segments count 0 but stay: AS4_PATH never
	 * carries them (RFC 6793 §3). */
	for (size_t i = 0; i < a->as_path.nsegs; i++) {
		const struct bgp_as_seg *s = &a->as_path.segs[i];
		size_t take = s->count;

		if (need == 0 && s->type != BGP_AS_CONFED_SEQUENCE &&
		    s->type != BGP_AS_CONFED_SET)
			break;
		if (s->type == BGP_AS_SEQUENCE) {
			if (take > need)
				take = need;
			need -= take;
		} else if (s->type == BGP_AS_SET) {
			need--;
		}
		if (bgp_as_path_append(&out, s->type, a->as_path.asns + s->first, take))
			goto nomem;
	}
	for (size_t i = 0; i < d->as4_path.nsegs; i++) {
		const struct bgp_as_seg *s = &d->as4_path.segs[i];

		if (bgp_as_path_append(&out, s->type, d->as4_path.asns + s->first, s->count))
			goto nomem;
	}
	bgp_as_path_free(&a->as_path);
	a->as_path = out;
	return 0;
nomem:
	bgp_as_path_free(&out);
	return -ENOMEM;
}

/* ---- the other attributes ---- */

static int
dec_origin(struct attr_dctx *d, struct buf_reader *v)
{
	uint8_t o = 0;

	br_u8(v, &o);
	/* RFC 7606 §7.1: undefined value -> treat-as-withdraw. */
	if (o > BGP_ORIGIN_INCOMPLETE)
		return attr_fail(d, BGP_ACT_TREAT_AS_WITHDRAW, BGP_ERR_UPD_ORIGIN, "value %u", o);
	d->u->attrs.origin = o;
	return 0;
}

/* RFC 4271 §6.3: NEXT_HOP must be a valid host address (not 0/8, loopback,
 * multicast, class E or broadcast). */
static bool
v4_martian(uint32_t a)
{
	uint8_t top = (uint8_t)(a >> 24);

	return top == 0 || top == 127 || top >= 224;
}

static int
dec_next_hop(struct attr_dctx *d, struct buf_reader *v)
{
	uint32_t a = 0;

	br_be32(v, &a);
	/* RFC 7606 §7.3: semantically invalid -> treat-as-withdraw. */
	if (v4_martian(a))
		return attr_fail(d, BGP_ACT_TREAT_AS_WITHDRAW, BGP_ERR_UPD_NEXTHOP,
		    "%u.%u.%u.%u is not a host address", a >> 24, (a >> 16) & 0xff,
		    (a >> 8) & 0xff, a & 0xff);
	addr_from_v4(&d->u->attrs.next_hop, a);
	return 0;
}

static int
dec_med(struct attr_dctx *d, struct buf_reader *v)
{
	br_be32(v, &d->u->attrs.med);
	return 0;
}

static int
dec_local_pref(struct attr_dctx *d, struct buf_reader *v)
{
	br_be32(v, &d->u->attrs.local_pref);
	return 0;
}

static int
dec_atomic_aggregate(struct attr_dctx *d, struct buf_reader *v)
{
	(void)d;
	(void)v;
	return 0;
}

static int
dec_aggregator(struct attr_dctx *d, struct buf_reader *v)
{
	size_t want = d->ctx->as4 ? BGP_AGGREGATOR4_LEN : BGP_AGGREGATOR2_LEN;
	struct bgp_attrs *a = &d->u->attrs;
	uint16_t a2;

	/* RFC 7606 §7.7: wrong length -> attribute discard. */
	if (br_left(v) != want)
		return attr_fail(d, BGP_ACT_ATTR_DISCARD, BGP_ERR_UPD_LENGTH,
		    "length %zu, expected %zu", br_left(v), want);
	if (d->ctx->as4) {
		br_be32(v, &a->aggregator_as);
	} else {
		br_be16(v, &a2);
		a->aggregator_as = a2;
	}
	br_be32(v, &a->aggregator_id);
	/* RFC 7607 §2: AS 0 in AGGREGATOR -> attribute discard. */
	if (a->aggregator_as == 0)
		return attr_fail(d, BGP_ACT_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL, "AS 0");
	return 0;
}

static int
dec_as4_aggregator(struct attr_dctx *d, struct buf_reader *v)
{
	if (d->ctx->as4)	/* RFC 6793 §6 */
		return attr_fail(d, BGP_ACT_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL,
		    "received on a 4-octet AS session");
	if (br_left(v) != BGP_AGGREGATOR4_LEN)	/* RFC 6793 §6: discard */
		return attr_fail(d, BGP_ACT_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL,
		    "length %zu", br_left(v));
	br_be32(v, &d->as4_agg_as);
	br_be32(v, &d->as4_agg_id);
	if (d->as4_agg_as == 0)	/* RFC 7607 §2 */
		return attr_fail(d, BGP_ACT_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL, "AS 0");
	d->has_as4_agg = true;
	return 0;
}

/*
 * The community attributes are lists of fixed-size elements (the table's
 * length rule made the value a whole number of elen-octet elements): decode
 * them into a new array of esize-byte elements, get() reading one each.
 * Sets *n and returns the array; NULL on allocation failure.
 */
static void *
dec_elems(struct bgp_update *u, struct buf_reader *v, size_t elen, size_t esize,
    void (*get)(struct buf_reader *, void *), size_t *n)
{
	size_t cnt = br_left(v) / elen;
	unsigned char *p = cnt > SIZE_MAX / esize ? NULL : bgp_update_alloc(u, cnt * esize);

	if (!p)
		return NULL;
	for (size_t i = 0; i < cnt; i++)
		get(v, p + i * esize);
	*n = cnt;
	return p;
}

/* A community, or a CLUSTER_LIST id: one 32-bit value. */
static void
get_u32(struct buf_reader *v, void *e)
{
	br_be32(v, e);
}

static void
get_ext_community(struct buf_reader *v, void *e)
{
	br_be64(v, e);
}

static void
get_large_community(struct buf_reader *v, void *e)
{
	struct bgp_large_comm *l = e;

	br_be32(v, &l->global);
	br_be32(v, &l->local1);
	br_be32(v, &l->local2);
}

static int
dec_communities(struct attr_dctx *d, struct buf_reader *v)
{
	struct bgp_attrs *a = &d->u->attrs;

	a->communities = dec_elems(arena_owner(d), v, BGP_COMMUNITY_LEN,
	    sizeof(*a->communities), get_u32, &a->ncommunities);
	return a->communities ? 0 : -ENOMEM;
}

static int
dec_ext_communities(struct attr_dctx *d, struct buf_reader *v)
{
	struct bgp_attrs *a = &d->u->attrs;

	a->ext_communities = dec_elems(arena_owner(d), v, BGP_EXT_COMMUNITY_LEN,
	    sizeof(*a->ext_communities), get_ext_community, &a->next_communities);
	return a->ext_communities ? 0 : -ENOMEM;
}

static int
dec_large_communities(struct attr_dctx *d, struct buf_reader *v)
{
	struct bgp_attrs *a = &d->u->attrs;

	a->large = dec_elems(arena_owner(d), v, BGP_LARGE_COMMUNITY_LEN, sizeof(*a->large),
	    get_large_community, &a->nlarge);
	return a->large ? 0 : -ENOMEM;
}

static int
dec_originator_id(struct attr_dctx *d, struct buf_reader *v)
{
	br_be32(v, &d->u->attrs.originator_id);
	return 0;
}

static int
dec_cluster_list(struct attr_dctx *d, struct buf_reader *v)
{
	struct bgp_attrs *a = &d->u->attrs;

	a->cluster_list = dec_elems(arena_owner(d), v, BGP_CLUSTER_ID_LEN,
	    sizeof(*a->cluster_list), get_u32, &a->ncluster);
	return a->cluster_list ? 0 : -ENOMEM;
}

/* ---- MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760, RFC 7606 §7.11) ---- */

/* AFI/SAFI disable when the family is known, session reset otherwise. */
static int
mp_fail(struct attr_dctx *d, uint16_t afi, uint8_t safi, bool family_known, const char *why)
{
	enum bgp_action act = family_known ? BGP_ACT_AFISAFI_DISABLE : BGP_ACT_SESSION_RESET;
	enum bgp_action before = d->err->action;
	int rc;

	rc = attr_fail(d, act, BGP_ERR_UPD_OPTIONAL, "AFI %u SAFI %u: %s", afi, safi, why);
	if (act > before && family_known) {
		d->err->afi = afi;
		d->err->safi = safi;
	}
	return rc;
}

static bool
v6_bad_nexthop(const struct addr *a)
{
	static const uint8_t loop[16] = { [15] = 1 };

	/* multicast ff00::/8 or ::1 */
	return a->bytes[0] == 0xff || memcmp(a->bytes, loop, sizeof(loop)) == 0;
}

static bool
v6_unspecified(const struct addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->bytes, zero, sizeof(zero)) == 0;
}

static int
dec_mp_reach(struct attr_dctx *d, struct buf_reader *v)
{
	struct bgp_mp_reach *r = &d->u->mp_reach;
	uint8_t nhlen, reserved, nh[BGP_MP_NH_V6_LL_LEN];
	struct buf_reader nlri;
	uint16_t afi;
	uint8_t safi;
	int fam, rc;

	if (br_be16(v, &afi) || br_u8(v, &safi))
		return mp_fail(d, 0, 0, false, "too short for AFI/SAFI");
	fam = bgp_family_from_afisafi(afi, safi);
	if (fam < 0 || !(bgp_wire_families(d->ctx) & BGP_FAM_BIT(fam))) {
		/* A family we did not negotiate (RFC 4760 §6): not ours to parse. */
		d->u->mp_ignored = true;
		return ATTR_BAD;
	}
	r->afi = afi;
	r->safi = safi;
	if (br_u8(v, &nhlen) || nhlen > sizeof(nh) || br_bytes(v, nh, nhlen) ||
	    br_u8(v, &reserved))
		return mp_fail(d, afi, safi, true, "truncated next hop");
	/* RFC 7606 §7.11: a next-hop length other than expected -> AFI/SAFI
	 * disable (or session reset). */
	if (fam == BGP_FAM_IPV4_UNICAST) {
		if (nhlen != BGP_MP_NH_V4_LEN)
			return mp_fail(d, afi, safi, true, "IPv4 next hop length");
		addr_from_bytes(&r->nexthop, AF_INET, nh, BGP_MP_NH_V4_LEN);
	} else {
		if (nhlen != BGP_MP_NH_V6_LEN && nhlen != BGP_MP_NH_V6_LL_LEN)
			return mp_fail(d, afi, safi, true, "IPv6 next hop length");
		addr_from_bytes(&r->nexthop, AF_INET6, nh, BGP_MP_NH_V6_LEN);
		if (nhlen == BGP_MP_NH_V6_LL_LEN) {
			r->has_ll = true;
			addr_from_bytes(&r->nexthop_ll, AF_INET6, nh + BGP_MP_NH_V6_LEN,
			    BGP_MP_NH_V6_LEN);
		}
		r->nh_v4_mapped = addr_is_v4_mapped(&r->nexthop);
	}
	br_sub(v, br_left(v), &nlri);
	rc = bgp_nlri_decode_in(d->u, &nlri, fam == BGP_FAM_IPV4_UNICAST ? AF_INET : AF_INET6,
	    &r->nlri, &r->nnlri, &d->u->host_bits_cleared);
	if (rc == -ENOMEM)
		return rc;
	if (rc)	/* RFC 7606 §5.3: bad MP NLRI -> AFI/SAFI disable or reset */
		return mp_fail(d, afi, safi, true, "malformed NLRI");
	d->u->has_mp_reach = true;
	/* Semantically invalid next hop: RFC 4271 §6.3 applied to MP (treat-as-withdraw). */
	if (fam == BGP_FAM_IPV4_UNICAST && v4_martian(addr_to_v4(&r->nexthop)))
		return attr_fail(d, BGP_ACT_TREAT_AS_WITHDRAW, BGP_ERR_UPD_NEXTHOP,
		    "IPv4 next hop is not a host address");
	if (fam == BGP_FAM_IPV6_UNICAST && (v6_bad_nexthop(&r->nexthop) ||
	    (v6_unspecified(&r->nexthop) && !r->has_ll)))
		return attr_fail(d, BGP_ACT_TREAT_AS_WITHDRAW, BGP_ERR_UPD_NEXTHOP,
		    "IPv6 next hop is not a unicast address");
	return 0;
}

static int
dec_mp_unreach(struct attr_dctx *d, struct buf_reader *v)
{
	struct bgp_mp_unreach *w = &d->u->mp_unreach;
	struct buf_reader nlri;
	uint16_t afi;
	uint8_t safi;
	int fam, rc;

	if (br_be16(v, &afi) || br_u8(v, &safi))
		return mp_fail(d, 0, 0, false, "too short for AFI/SAFI");
	fam = bgp_family_from_afisafi(afi, safi);
	if (fam < 0 || !(bgp_wire_families(d->ctx) & BGP_FAM_BIT(fam))) {
		d->u->mp_ignored = true;
		return ATTR_BAD;
	}
	w->afi = afi;
	w->safi = safi;
	br_sub(v, br_left(v), &nlri);
	rc = bgp_nlri_decode_in(d->u, &nlri, fam == BGP_FAM_IPV4_UNICAST ? AF_INET : AF_INET6,
	    &w->withdrawn, &w->nwithdrawn, &d->u->host_bits_cleared);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return mp_fail(d, afi, safi, true, "malformed withdrawn NLRI");
	d->u->has_mp_unreach = true;
	return 0;
}

/* ---- encoders (4-octet or 2-octet forms chosen by ctx) ---- */

static void
as_path_put(struct buf_writer *bw, const struct bgp_as_path *p, size_t asn_len, bool skip_confed)
{
	for (size_t i = 0; i < p->nsegs; i++) {
		const struct bgp_as_seg *s = &p->segs[i];

		if (skip_confed && (s->type == BGP_AS_CONFED_SEQUENCE ||
		    s->type == BGP_AS_CONFED_SET))
			continue;
		bw_u8(bw, s->type);
		bw_u8(bw, s->count);
		for (unsigned j = 0; j < s->count; j++) {
			uint32_t asn = p->asns[s->first + j];

			if (asn_len == BGP_AS4_LEN)
				bw_be32(bw, asn);
			else
				bw_be16(bw, (uint16_t)(asn > BGP_AS2_MAX ? BGP_AS_TRANS : asn));
		}
	}
}

/*
 * One attribute header for a value of len octets (the extended length form when
 * needed); the caller writes the value. false (error stuck in bw) when len does not fit.
 */
static bool
attr_put_hdr(struct buf_writer *bw, uint8_t flags, uint8_t code, size_t len)
{
	flags &= (uint8_t)~(BGP_ATTR_FLAG_EXTLEN | BGP_ATTR_FLAGS_UNUSED);
	if (len > UINT16_MAX) {
		if (!bw->err)
			bw->err = -EMSGSIZE;
		return false;
	}
	if (len > BGP_ATTR_SHORT_MAX) {
		bw_u8(bw, flags | BGP_ATTR_FLAG_EXTLEN);
		bw_u8(bw, code);
		bw_be16(bw, (uint16_t)len);
	} else {
		bw_u8(bw, flags);
		bw_u8(bw, code);
		bw_u8(bw, (uint8_t)len);
	}
	return true;
}

static bool
as_path_needs_as4(const struct bgp_as_path *p)
{
	for (size_t i = 0; i < p->nasns; i++)
		if (p->asns[i] > BGP_AS2_MAX)
			return true;
	return false;
}

/* Octets as_path_put() writes for p. */
static size_t
as_path_len(const struct bgp_as_path *p, size_t asn_len, bool skip_confed)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nsegs; i++) {
		const struct bgp_as_seg *s = &p->segs[i];

		if (skip_confed && (s->type == BGP_AS_CONFED_SEQUENCE ||
		    s->type == BGP_AS_CONFED_SET))
			continue;
		n += 2 + s->count * asn_len;
	}
	return n;
}

static void
as_path_attr_put(struct buf_writer *bw, uint8_t flags, uint8_t code, const struct bgp_as_path *p,
    size_t asn_len, bool skip_confed)
{
	if (attr_put_hdr(bw, flags, code, as_path_len(p, asn_len, skip_confed)))
		as_path_put(bw, p, asn_len, skip_confed);
}

static void
enc_as_path(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a, struct buf_writer *bw)
{
	bool as4 = ctx && ctx->as4;

	as_path_attr_put(bw, BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_AS_PATH, &a->as_path,
	    as4 ? BGP_AS4_LEN : BGP_AS2_LEN, false);
	/* RFC 6793 §4.2.2: to an OLD speaker, AS4_PATH carries the real ASNs. */
	if (!as4 && as_path_needs_as4(&a->as_path))
		as_path_attr_put(bw, BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE,
		    BGP_ATTR_AS4_PATH, &a->as_path, BGP_AS4_LEN, true);
}

static void
enc_u32(struct buf_writer *bw, uint8_t flags, uint8_t code, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	bgp_attr_put(bw, flags, code, b, sizeof(b));
}

static void
enc_origin(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a, struct buf_writer *bw)
{
	(void)ctx;
	bgp_attr_put(bw, BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_ORIGIN, &a->origin, BGP_ORIGIN_LEN);
}

static void
enc_next_hop(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a, struct buf_writer *bw)
{
	(void)ctx;
	bgp_attr_put(bw, BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_NEXT_HOP, a->next_hop.bytes,
	    BGP_NEXT_HOP_LEN);
}

static void
enc_med(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a, struct buf_writer *bw)
{
	(void)ctx;
	enc_u32(bw, BGP_ATTR_FLAG_OPTIONAL, BGP_ATTR_MED, a->med);
}

static void
enc_local_pref(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a, struct buf_writer *bw)
{
	/* RFC 4271 §5.1.5: never sent to external peers. */
	if (ctx && ctx->ebgp)
		return;
	enc_u32(bw, BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_LOCAL_PREF, a->local_pref);
}

static void
enc_atomic_aggregate(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a,
    struct buf_writer *bw)
{
	(void)ctx;
	(void)a;
	bgp_attr_put(bw, BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_ATOMIC_AGGREGATE, NULL, 0);
}

static void
enc_aggregator(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a, struct buf_writer *bw)
{
	uint8_t v[BGP_AGGREGATOR4_LEN];
	struct buf_writer w;
	const uint8_t fl = BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE;

	bw_init(&w, v, sizeof(v));
	if (ctx && ctx->as4) {
		bw_be32(&w, a->aggregator_as);
		bw_be32(&w, a->aggregator_id);
		bgp_attr_put(bw, fl, BGP_ATTR_AGGREGATOR, v, w.len);
		return;
	}
	bw_be16(&w, (uint16_t)(a->aggregator_as > BGP_AS2_MAX ? BGP_AS_TRANS : a->aggregator_as));
	bw_be32(&w, a->aggregator_id);
	bgp_attr_put(bw, fl, BGP_ATTR_AGGREGATOR, v, w.len);
	if (a->aggregator_as > BGP_AS2_MAX) {	/* RFC 6793 §4.2.2 */
		bw_init(&w, v, sizeof(v));
		bw_be32(&w, a->aggregator_as);
		bw_be32(&w, a->aggregator_id);
		bgp_attr_put(bw, fl, BGP_ATTR_AS4_AGGREGATOR, v, w.len);
	}
}

static void
enc_u32_list(struct buf_writer *bw, uint8_t flags, uint8_t code, const uint32_t *v, size_t n)
{
	if (!attr_put_hdr(bw, flags, code, n * 4))
		return;
	for (size_t i = 0; i < n; i++)
		bw_be32(bw, v[i]);
}

static void
enc_communities(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a, struct buf_writer *bw)
{
	(void)ctx;
	enc_u32_list(bw, BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_COMMUNITIES,
	    a->communities, a->ncommunities);
}

static void
enc_ext_communities(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a,
    struct buf_writer *bw)
{
	(void)ctx;
	if (!attr_put_hdr(bw, BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE,
	    BGP_ATTR_EXT_COMMUNITIES, a->next_communities * 8))
		return;
	for (size_t i = 0; i < a->next_communities; i++)
		bw_be64(bw, a->ext_communities[i]);
}

static void
enc_large_communities(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a,
    struct buf_writer *bw)
{
	(void)ctx;
	if (!attr_put_hdr(bw, BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE,
	    BGP_ATTR_LARGE_COMMUNITIES, a->nlarge * 12))
		return;
	for (size_t i = 0; i < a->nlarge; i++) {
		bw_be32(bw, a->large[i].global);
		bw_be32(bw, a->large[i].local1);
		bw_be32(bw, a->large[i].local2);
	}
}

static void
enc_originator_id(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a,
    struct buf_writer *bw)
{
	if (ctx && ctx->ebgp)	/* RFC 4456 §8: iBGP only */
		return;
	enc_u32(bw, BGP_ATTR_FLAG_OPTIONAL, BGP_ATTR_ORIGINATOR_ID, a->originator_id);
}

static void
enc_cluster_list(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a, struct buf_writer *bw)
{
	if (ctx && ctx->ebgp)
		return;
	enc_u32_list(bw, BGP_ATTR_FLAG_OPTIONAL, BGP_ATTR_CLUSTER_LIST, a->cluster_list,
	    a->ncluster);
}

void
bgp_attr_put(struct buf_writer *bw, uint8_t flags, uint8_t code, const void *val, size_t len)
{
	if (attr_put_hdr(bw, flags, code, len) && len)
		bw_bytes(bw, val, len);
}

/* ---- the descriptor table ---- */

#define WK	BGP_ATTR_FLAG_TRANSITIVE				/* well-known */
#define OT	(BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE)	/* optional transitive */
#define ON	BGP_ATTR_FLAG_OPTIONAL					/* optional non-transitive */
#define TAW	BGP_ACT_TREAT_AS_WITHDRAW
#define DISC	BGP_ACT_ATTR_DISCARD

/*
 * Length rules and the RFC 7606 action for a length or flags error. A flags
 * error on any attribute is treat-as-withdraw (RFC 7606 §3 (c)) unless its own
 * specification says otherwise (AS4_*: attribute discard, RFC 6793 §6).
 * Zero length is an error except where ATTR_LEN_ZERO_OK (RFC 7606 §5: only
 * AS_PATH and ATOMIC_AGGREGATE).
 */
const struct bgp_attr_desc bgp_attr_table[] = {
	{ BGP_ATTR_ORIGIN, "ORIGIN", WK, ATTR_LEN_FIXED, BGP_ORIGIN_LEN, TAW, TAW,
	    dec_origin, enc_origin, fmt_origin },
	{ BGP_ATTR_AS_PATH, "AS_PATH", WK, ATTR_LEN_ANY | ATTR_LEN_ZERO_OK, 0, TAW, TAW,
	    dec_as_path, enc_as_path, fmt_as_path },
	{ BGP_ATTR_NEXT_HOP, "NEXT_HOP", WK, ATTR_LEN_FIXED, BGP_NEXT_HOP_LEN, TAW, TAW,
	    dec_next_hop, enc_next_hop, fmt_next_hop },
	{ BGP_ATTR_MED, "MULTI_EXIT_DISC", ON, ATTR_LEN_FIXED, BGP_MED_LEN, TAW, TAW,
	    dec_med, enc_med, fmt_med },
	{ BGP_ATTR_LOCAL_PREF, "LOCAL_PREF", WK, ATTR_LEN_FIXED | ATTR_EBGP_DISCARD,
	    BGP_LOCAL_PREF_LEN, TAW, TAW,
	    dec_local_pref, enc_local_pref, fmt_local_pref },
	{ BGP_ATTR_ATOMIC_AGGREGATE, "ATOMIC_AGGREGATE", WK, ATTR_LEN_FIXED | ATTR_LEN_ZERO_OK, 0,
	    DISC, TAW, dec_atomic_aggregate, enc_atomic_aggregate, fmt_atomic_aggregate },
	{ BGP_ATTR_AGGREGATOR, "AGGREGATOR", OT, ATTR_LEN_ANY, 0, DISC, TAW,
	    dec_aggregator, enc_aggregator, fmt_aggregator },
	{ BGP_ATTR_COMMUNITIES, "COMMUNITIES", OT, ATTR_LEN_MULTIPLE, BGP_COMMUNITY_LEN, TAW, TAW,
	    dec_communities, enc_communities, fmt_communities },
	{ BGP_ATTR_ORIGINATOR_ID, "ORIGINATOR_ID", ON, ATTR_LEN_FIXED | ATTR_EBGP_DISCARD,
	    BGP_ORIGINATOR_ID_LEN, TAW, TAW, dec_originator_id, enc_originator_id,
	    fmt_originator_id },
	{ BGP_ATTR_CLUSTER_LIST, "CLUSTER_LIST", ON, ATTR_LEN_MULTIPLE | ATTR_EBGP_DISCARD,
	    BGP_CLUSTER_ID_LEN, TAW, TAW, dec_cluster_list, enc_cluster_list, fmt_cluster_list },
	{ BGP_ATTR_MP_REACH_NLRI, "MP_REACH_NLRI", ON, ATTR_LEN_ANY, 0, BGP_ACT_SESSION_RESET,
	    TAW, dec_mp_reach, NULL, NULL },
	{ BGP_ATTR_MP_UNREACH_NLRI, "MP_UNREACH_NLRI", ON, ATTR_LEN_ANY, 0,
	    BGP_ACT_SESSION_RESET, TAW, dec_mp_unreach, NULL, NULL },
	{ BGP_ATTR_EXT_COMMUNITIES, "EXTENDED_COMMUNITIES", OT, ATTR_LEN_MULTIPLE,
	    BGP_EXT_COMMUNITY_LEN, TAW, TAW, dec_ext_communities, enc_ext_communities,
	    fmt_ext_communities },
	{ BGP_ATTR_AS4_PATH, "AS4_PATH", OT, ATTR_LEN_ANY, 0, DISC, DISC,
	    dec_as4_path, NULL, NULL },
	{ BGP_ATTR_AS4_AGGREGATOR, "AS4_AGGREGATOR", OT, ATTR_LEN_ANY, 0, DISC, DISC,
	    dec_as4_aggregator, NULL, NULL },
	{ BGP_ATTR_LARGE_COMMUNITIES, "LARGE_COMMUNITY", OT, ATTR_LEN_MULTIPLE,
	    BGP_LARGE_COMMUNITY_LEN, TAW, TAW, dec_large_communities, enc_large_communities,
	    fmt_large_communities },
};
const size_t bgp_attr_table_len = sizeof(bgp_attr_table) / sizeof(bgp_attr_table[0]);

#undef WK
#undef OT
#undef ON
#undef TAW
#undef DISC

const struct bgp_attr_desc *
bgp_attr_desc_find(uint8_t code)
{
	for (size_t i = 0; i < bgp_attr_table_len; i++)
		if (bgp_attr_table[i].code == code)
			return &bgp_attr_table[i];
	return NULL;
}

const char *
bgp_attr_name(uint8_t code)
{
	static const char *const extra[] = {
		[BGP_ATTR_OTC] = "OTC",
	};
	static _Thread_local char buf[16];
	const struct bgp_attr_desc *desc = bgp_attr_desc_find(code);

	if (desc)
		return desc->name;
	if (code < sizeof(extra) / sizeof(extra[0]) && extra[code])
		return extra[code];
	snprintf(buf, sizeof(buf), "attr-%u", code);
	return buf;
}

/* ---- the attribute list (RFC 4271 §4.3, RFC 7606 §3, §4) ---- */

/* Keep an unknown optional transitive attribute byte-exactly (RFC 4271 §5). */
static int
keep_unknown(struct bgp_attrs *a, uint8_t flags, uint8_t code, struct buf_reader *v)
{
	const uint8_t *p;
	size_t n = br_left(v);

	br_ptr(v, n, &p);
	/* The low four bits are ignored on receipt (RFC 4271 §4.3) and the
	 * length form is ours to choose: neither is part of the value. */
	flags &= (uint8_t)~(BGP_ATTR_FLAG_EXTLEN | BGP_ATTR_FLAGS_UNUSED);
	return bgp_attrs_add_unknown(a, flags, code, p, n);
}

static int
attr_check_len(const struct bgp_attr_desc *desc, size_t len)
{
	unsigned rule = desc->rule & ATTR_LEN_RULE_MASK;

	if (len == 0)
		return (desc->rule & ATTR_LEN_ZERO_OK) ? 0 : -1;
	if (rule == ATTR_LEN_FIXED && len != desc->len)
		return -1;
	if (rule == ATTR_LEN_MULTIPLE && len % desc->len)
		return -1;
	return 0;
}

int
bgp_attrs_decode(const struct bgp_wire_ctx *ctx, struct buf_reader *br, struct bgp_update *u,
    struct bgp_err *err)
{
	uint8_t seen[(UINT8_MAX + 1) / 8] = { 0 };
	struct attr_dctx d = { .ctx = ctx, .u = u, .err = err };
	struct buf_reader v;
	int rc = 0;
	/* whether the non-MP attributes are one run in pack form: [run, run_end) */
	bool canon = ctx->as4, mp_after = false;
	const uint8_t *run = NULL, *run_end = NULL;
	int last_code = -1;

	u->packed = NULL;
	u->packed_len = 0;
	while (!br_empty(br)) {
		const struct bgp_attr_desc *desc;
		size_t start = br_offset(br), hlen;
		uint8_t flags = 0, code = 0, l8 = 0;
		uint16_t len;

		/* RFC 7606 §4: too few octets for an attribute header, or an
		 * attribute overrunning the Total Attribute Length: treat-as-withdraw,
		 * and stop (the Total Attribute Length locates the NLRI). */
		if (br_left(br) < BGP_ATTR_HDR_LEN)
			goto list_overrun;
		br_u8(br, &flags);
		br_u8(br, &code);
		if (flags & BGP_ATTR_FLAG_EXTLEN) {
			if (br_be16(br, &len))
				goto list_overrun;
			hlen = BGP_ATTR_HDR_EXT_LEN;
		} else {
			br_u8(br, &l8);
			len = l8;
			hlen = BGP_ATTR_HDR_LEN;
		}
		d.flags = flags;
		d.code = code;
		d.raw = br->data + start;
		d.rawlen = hlen + len;
		if (br_sub(br, len, &v)) {
			d.rawlen = br->len - start;
			/* The NLRI of an overrunning MP attribute cannot be parsed
			 * (RFC 7606 §3 (j)): session reset. */
			if (code == BGP_ATTR_MP_REACH_NLRI || code == BGP_ATTR_MP_UNREACH_NLRI) {
				rc = attr_fail(&d, BGP_ACT_SESSION_RESET, BGP_ERR_UPD_ATTR_LIST,
				    "length %u overruns the attribute list", len);
				goto out;
			}
			attr_fail(&d, BGP_ACT_TREAT_AS_WITHDRAW, BGP_ERR_UPD_LENGTH,
			    "length %u overruns the attribute list", len);
			br_skip(br, br_left(br));
			break;
		}

		if (code == BGP_ATTR_MP_REACH_NLRI || code == BGP_ATTR_MP_UNREACH_NLRI) {
			mp_after = run != NULL;
		} else if (canon) {
			/* bgp_attrs_encode() writes the attribute table's (code) order, the
			 * O and T flags alone, the extended length only above 255 */
			canon = !mp_after && code > last_code &&
			    !(flags & (BGP_ATTR_FLAG_PARTIAL | BGP_ATTR_FLAGS_UNUSED)) &&
			    !(flags & BGP_ATTR_FLAG_EXTLEN) == (len <= BGP_ATTR_SHORT_MAX);
			last_code = code;
			if (!run)
				run = d.raw;
			run_end = d.raw + d.rawlen;
		}

		/* RFC 7606 §3 (g): a second MP_REACH/MP_UNREACH is a session reset,
		 * any other repeat is discarded. */
		if (seen[code / 8] & (1u << (code % 8))) {
			if (code == BGP_ATTR_MP_REACH_NLRI || code == BGP_ATTR_MP_UNREACH_NLRI) {
				rc = bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_UPDATE,
				    BGP_ERR_UPD_ATTR_LIST, NULL, 0, "%s appears twice",
				    bgp_attr_name(code));
				goto out;
			}
			attr_fail(&d, BGP_ACT_ATTR_DISCARD, BGP_ERR_UPD_ATTR_LIST, "repeated");
			continue;
		}
		seen[code / 8] |= (uint8_t)(1u << (code % 8));

		desc = bgp_attr_desc_find(code);
		if (!desc) {
			canon = false;	/* kept with the Partial bit set, or dropped */
			if (!(flags & BGP_ATTR_FLAG_OPTIONAL)) {
				/* RFC 4271 §6.3, unchanged by RFC 7606. */
				rc = attr_fail(&d, BGP_ACT_SESSION_RESET, BGP_ERR_UPD_WELLKNOWN,
				    "unrecognized well-known attribute");
				goto out;
			}
			if (flags & BGP_ATTR_FLAG_TRANSITIVE) {
				rc = keep_unknown(&u->attrs, flags, code, &v);
				if (rc)
					goto out;
			}
			/* Unknown optional non-transitive: quietly ignored (RFC 4271 §5). */
			continue;
		}

		/* RFC 7606 §7.5, §7.9, §7.10: from an external peer these are
		 * discarded whatever their flags or length. */
		if ((desc->rule & ATTR_EBGP_DISCARD) && ctx->ebgp) {
			attr_fail(&d, BGP_ACT_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL,
			    "received from an external peer");
			continue;
		}

		/* Central flag check (RFC 4271 §6.3, RFC 7606 §3 (c)): Optional and
		 * Transitive as specified; Partial only on optional transitive. */
		if ((flags & (BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE)) != desc->flags ||
		    ((flags & BGP_ATTR_FLAG_PARTIAL) &&
		    desc->flags != (BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE))) {
			rc = attr_fail(&d, desc->flag_action, BGP_ERR_UPD_FLAGS,
			    "flags 0x%02x", flags);
			if (rc < 0)
				goto out;
			/* MP attributes are still parsed: their NLRI must be withdrawn. */
			if (code != BGP_ATTR_MP_REACH_NLRI && code != BGP_ATTR_MP_UNREACH_NLRI)
				continue;
		}
		if (attr_check_len(desc, len)) {
			rc = attr_fail(&d, desc->len_action, BGP_ERR_UPD_LENGTH, "length %u", len);
			if (rc < 0)
				goto out;
			continue;
		}
		rc = desc->decode(&d, &v);
		if (rc < 0)
			goto out;
		if (rc == 0 && code < 64 && desc->encode)
			u->attrs.present |= BGP_ATTR_BIT(code);
		else if (code != BGP_ATTR_MP_REACH_NLRI && code != BGP_ATTR_MP_UNREACH_NLRI)
			canon = false;	/* not written back as received */
	}
	if (!ctx->as4) {
		rc = as4_merge(&d);
		if (rc)
			goto out;
	}
	/* RFC 4271 §6.3: the leftmost AS of an external peer's path is its own. */
	if (ctx->ebgp && ctx->check_first_as && ctx->peer_as &&
	    bgp_attrs_has(&u->attrs, BGP_ATTR_AS_PATH) &&
	    bgp_as_path_first(&u->attrs.as_path) != ctx->peer_as)
		bgp_err_set(err, BGP_ACT_TREAT_AS_WITHDRAW, BGP_ERR_UPDATE, BGP_ERR_UPD_AS_PATH,
		    NULL, 0, "AS_PATH does not start with the peer's AS %u", ctx->peer_as);
	if (canon && err->action == BGP_ACT_NONE) {
		u->packed = run ? run : br->data;
		u->packed_len = run ? (size_t)(run_end - run) : 0;
	}
	rc = 0;
	goto out;
list_overrun:
	d.raw = br->data + br_offset(br);
	d.rawlen = br_left(br);
	d.code = 0;
	bgp_err_set(err, BGP_ACT_TREAT_AS_WITHDRAW, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTR_LIST, NULL, 0,
	    "%zu stray octets at the end of the attribute list", br_left(br));
	br_skip(br, br_left(br));
	rc = 0;
out:
	bgp_as_path_free(&d.as4_path);
	return rc;
}

void
bgp_attrs_encode(const struct bgp_wire_ctx *ctx, const struct bgp_attrs *a, struct buf_writer *bw)
{
	size_t ui = 0;

	for (size_t i = 0; i < bgp_attr_table_len; i++) {
		const struct bgp_attr_desc *desc = &bgp_attr_table[i];

		/* Unknown attributes interleave in code order. */
		while (ui < a->nunknown && a->unknown[ui].code < desc->code) {
			const struct bgp_raw_attr *r = &a->unknown[ui++];

			bgp_attr_put(bw, r->flags | BGP_ATTR_FLAG_PARTIAL, r->code, r->data, r->len);
		}
		if (desc->encode && bgp_attrs_has(a, desc->code))
			desc->encode(ctx, a, bw);
	}
	while (ui < a->nunknown) {
		const struct bgp_raw_attr *r = &a->unknown[ui++];

		bgp_attr_put(bw, r->flags | BGP_ATTR_FLAG_PARTIAL, r->code, r->data, r->len);
	}
}

/* The storage form: what a 4-octet-AS session would carry (no AS4_PATH, no AS_TRANS). */
static const struct bgp_wire_ctx pack_ctx = { .as4 = true, .ext_msg = true };

void
bgp_attrs_pack(const struct bgp_attrs *a, struct buf_writer *bw)
{
	bgp_attrs_encode(&pack_ctx, a, bw);
}

bool
bgp_attrs_packs_to(const struct bgp_attrs *a, const uint8_t *p, size_t len)
{
	struct buf_writer bw;
	bool same;

	bw_init_dyn(&bw, 0);
	bgp_attrs_pack(a, &bw);
	same = bw_error(&bw) == 0 && bw.len == len && (len == 0 || memcmp(bw.data, p, len) == 0);
	bw_free(&bw);
	return same;
}

int
bgp_attrs_unpack(const void *data, size_t len, struct bgp_attrs *out)
{
	struct bgp_update u;
	struct bgp_err err;
	struct buf_reader br;
	int rc;

	bgp_attrs_init(out);
	bgp_update_init(&u);
	bgp_err_clear(&err);
	br_init(&br, data, len);
	rc = bgp_attrs_decode(&pack_ctx, &br, &u, &err);
	if (rc == 0 && (err.action != BGP_ACT_NONE || u.has_mp_reach || u.has_mp_unreach))
		rc = -EBADMSG;
	if (rc == 0) {
		*out = u.attrs;
		bgp_attrs_init(&u.attrs);
	}
	bgp_update_free(&u);
	return rc < 0 ? rc : 0;
}
