// SPDX-License-Identifier: MIT
/*
 * MRT routes (see mrt_routes.h). Table-dump entries carry bare path attributes; they are
 * wrapped into a synthetic UPDATE body (IPv4: classic NLRI; IPv6: the abbreviated
 * MP_REACH_NLRI of RFC 6396 §4.3.4 rebuilt into a full one) so that the codec's
 * decoder, with all its checks, produces struct bgp_attrs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bgp/bgp_wire.h"
#include "tests/helpers/mrt_routes.h"

static int
read_addr(struct buf_reader *br, int family, struct addr *a)
{
	uint8_t b[16];
	size_t w = family == AF_INET6 ? 16 : 4;

	if (br_bytes(br, b, w) != 0)
		return -EBADMSG;
	return addr_from_bytes(a, family, b, w);
}

/*
 * Write an UPDATE body announcing pfx with the attribute bytes attrs. For IPv6 the
 * MP_REACH_NLRI attribute is rebuilt (RFC 6396 §4.3.4 keeps only its next hop).
 */
static int
synth_update(struct buf_writer *bw, const struct prefix *pfx, struct buf_reader attrs)
{
	size_t alen_off;

	bw_be16(bw, 0);			/* withdrawn routes length */
	alen_off = bw_reserve(bw, 2);
	while (!br_empty(&attrs)) {
		uint8_t flags, code;
		uint16_t alen;
		uint8_t l8;
		struct buf_reader val;

		if (br_u8(&attrs, &flags) || br_u8(&attrs, &code))
			return -EBADMSG;
		if (flags & BGP_ATTR_FLAG_EXTLEN) {
			if (br_be16(&attrs, &alen))
				return -EBADMSG;
		} else {
			if (br_u8(&attrs, &l8))
				return -EBADMSG;
			alen = l8;
		}
		if (br_sub(&attrs, alen, &val))
			return -EBADMSG;
		if (code == BGP_ATTR_MP_REACH_NLRI && pfx->addr.family == AF_INET6) {
			uint8_t nhlen, first;
			const uint8_t *nh;
			size_t start;

			if (br_peek_u8(&val, &first))
				return -EBADMSG;
			if (first == alen - 1) {
				nhlen = first;
				(void)br_skip(&val, 1);
			} else if (br_skip(&val, 3) || br_u8(&val, &nhlen)) {
				return -EBADMSG;
			}
			if (br_ptr(&val, nhlen, &nh))
				return -EBADMSG;
			bw_u8(bw, BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_EXTLEN);
			bw_u8(bw, BGP_ATTR_MP_REACH_NLRI);
			start = bw_reserve(bw, 2);
			bw_be16(bw, 2);		/* AFI IPv6 */
			bw_u8(bw, 1);		/* SAFI unicast */
			bw_u8(bw, nhlen);
			bw_bytes(bw, nh, nhlen);
			bw_u8(bw, 0);		/* reserved */
			bgp_prefix_put(bw, pfx);
			bw_patch_be16(bw, start, (uint16_t)(bw->len - start - 2));
			continue;
		}
		if (code == BGP_ATTR_MP_REACH_NLRI || code == BGP_ATTR_MP_UNREACH_NLRI)
			continue;	/* IPv4 entry: classic NLRI below */
		bw_u8(bw, flags);
		bw_u8(bw, code);
		if (flags & BGP_ATTR_FLAG_EXTLEN)
			bw_be16(bw, alen);
		else
			bw_u8(bw, (uint8_t)alen);
		bw_bytes(bw, val.data + val.off, br_left(&val));
	}
	bw_patch_be16(bw, alen_off, (uint16_t)(bw->len - alen_off - 2));
	if (pfx->addr.family == AF_INET)
		bgp_prefix_put(bw, pfx);
	return bw_error(bw);
}

struct walk {
	mrt_route_cb		 cb;
	void			*arg;
	struct mrt_route_stats	*st;
	struct mrt_route	 r;
	struct mrt_peer_index	*pi;	/* TABLE_DUMP_V2 peer index table */
	bool			 has_pi;
};

static void
ctx_init(struct bgp_wire_ctx *ctx, bool as4)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->as4 = as4;
	ctx->ext_msg = true;
	ctx->families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) | BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST);
}

/* Emit every announcement and withdrawal of a decoded UPDATE. */
static int
emit_update(struct walk *w, const struct bgp_update *u, bool as_withdraw)
{
	int rc;

	w->r.withdraw = true;
	w->r.attrs = NULL;
	for (size_t i = 0; i < u->nwithdrawn; i++) {
		w->r.pfx = u->withdrawn[i];
		w->st->withdraws++;
		if ((rc = w->cb(&w->r, w->arg)) != 0)
			return rc;
	}
	for (size_t i = 0; u->has_mp_unreach && i < u->mp_unreach.nwithdrawn; i++) {
		w->r.pfx = u->mp_unreach.withdrawn[i];
		w->st->withdraws++;
		if ((rc = w->cb(&w->r, w->arg)) != 0)
			return rc;
	}
	w->r.withdraw = as_withdraw;
	w->r.attrs = as_withdraw ? NULL : &u->attrs;
	memset(&w->r.nh, 0, sizeof(w->r.nh));
	w->r.nh.global = u->attrs.next_hop;
	for (size_t i = 0; i < u->nnlri; i++) {
		w->r.pfx = u->nlri[i];
		if (as_withdraw)
			w->st->withdraws++;
		else
			w->st->routes++;
		if ((rc = w->cb(&w->r, w->arg)) != 0)
			return rc;
	}
	if (u->has_mp_reach) {
		w->r.nh.global = u->mp_reach.nexthop;
		w->r.nh.has_ll = u->mp_reach.has_ll;
		w->r.nh.ll = u->mp_reach.nexthop_ll;
		for (size_t i = 0; i < u->mp_reach.nnlri; i++) {
			w->r.pfx = u->mp_reach.nlri[i];
			if (as_withdraw)
				w->st->withdraws++;
			else
				w->st->routes++;
			if ((rc = w->cb(&w->r, w->arg)) != 0)
				return rc;
		}
	}
	return 0;
}

/* One table entry: prefix + attribute bytes. */
static int
table_entry(struct walk *w, const struct prefix *pfx, struct buf_reader attrs, bool as4)
{
	uint8_t store[8192];
	struct buf_writer bw;
	struct bgp_wire_ctx ctx;
	struct bgp_update u;
	struct bgp_err err;
	int rc;

	bw_init(&bw, store, sizeof(store));
	if (synth_update(&bw, pfx, attrs) != 0) {
		w->st->malformed++;
		return 0;
	}
	ctx_init(&ctx, as4);
	bgp_update_init(&u);
	bgp_err_clear(&err);
	rc = bgp_update_decode(&ctx, bw.data, bw.len, &u, &err);
	if (rc != 0 || err.action >= BGP_ACT_TREAT_AS_WITHDRAW) {
		w->st->malformed++;
		bgp_update_free(&u);
		return 0;
	}
	rc = emit_update(w, &u, false);
	w->r.attrs = NULL;
	bgp_update_free(&u);
	return rc;
}

static int
rec_table_dump(struct walk *w, uint16_t subtype, struct buf_reader *b)
{
	int fam = subtype == MRT_TD_AFI_IPV6 ? AF_INET6 : AF_INET;
	uint16_t view, seq, pas, alen;
	uint8_t plen, status;
	uint32_t orig;
	struct prefix p;
	struct buf_reader attrs;

	if (subtype != MRT_TD_AFI_IPV4 && subtype != MRT_TD_AFI_IPV6) {
		w->st->unsupported++;
		return 0;
	}
	memset(&p, 0, sizeof(p));
	if (br_be16(b, &view) || br_be16(b, &seq) || read_addr(b, fam, &p.addr) ||
	    br_u8(b, &plen) || br_u8(b, &status) || br_be32(b, &orig) ||
	    read_addr(b, fam, &w->r.peer) || br_be16(b, &pas) || br_be16(b, &alen) ||
	    br_sub(b, alen, &attrs) || plen > addr_bits(&p.addr)) {
		w->st->malformed++;
		return 0;
	}
	p.len = plen;
	prefix_normalize(&p);
	w->r.peer_as = pas;
	return table_entry(w, &p, attrs, false);
}

static int
rec_td2(struct walk *w, const struct mrt_record *rec)
{
	struct mrt_rib rib;
	struct mrt_rib_entry e;
	int rc;

	if (rec->subtype == MRT_TDV2_PEER_INDEX_TABLE) {
		if (mrt_peer_index_decode(rec, w->pi) != 0) {
			w->st->malformed++;
			w->has_pi = false;
		} else {
			w->has_pi = true;
		}
		return 0;
	}
	rc = mrt_rib_decode(rec, &rib);
	if (rc == -ENOTSUP) {
		w->st->unsupported++;
		return 0;
	}
	if (rc != 0) {
		w->st->malformed++;
		return 0;
	}
	while ((rc = mrt_rib_next(&rib, &e)) == 1) {
		struct buf_reader attrs;

		if (w->has_pi && e.peer_index < w->pi->npeers) {
			w->r.peer = w->pi->peers[e.peer_index].ip;
			w->r.peer_as = w->pi->peers[e.peer_index].as;
		} else {
			memset(&w->r.peer, 0, sizeof(w->r.peer));
			w->r.peer_as = 0;
		}
		br_init(&attrs, e.attrs, e.attrs_len);
		if ((rc = table_entry(w, &rib.prefix, attrs, true)) != 0)
			return rc;
	}
	if (rc < 0)
		w->st->malformed++;
	return 0;
}

static int
rec_bgp4mp(struct walk *w, const struct mrt_record *rec)
{
	struct mrt_bgp4mp m4;
	struct bgp_wire_ctx ctx;
	struct bgp_msg m;
	struct bgp_err err;
	int rc;

	rc = mrt_bgp4mp_decode(rec, &m4);
	if (rc == -ENOTSUP || (rc == 0 && (m4.state_change || m4.add_path))) {
		w->st->unsupported++;
		return 0;
	}
	if (rc != 0) {
		w->st->malformed++;
		return 0;
	}
	w->r.peer = m4.peer_ip;
	w->r.peer_as = m4.peer_as;
	ctx_init(&ctx, m4.as4);
	memset(&m, 0, sizeof(m));
	bgp_err_clear(&err);
	if (bgp_msg_decode(&ctx, m4.msg, m4.msglen, &m, &err) != 0) {
		bgp_msg_free(&m);
		w->st->malformed++;
		return 0;
	}
	rc = 0;
	if (m.type == BGP_MSG_UPDATE && !m.u.update.eor)
		rc = emit_update(w, &m.u.update, err.action == BGP_ACT_TREAT_AS_WITHDRAW);
	else if (m.type != BGP_MSG_UPDATE)
		w->st->unsupported++;
	w->r.attrs = NULL;
	bgp_msg_free(&m);
	return rc;
}

int
mrt_routes_walk(const uint8_t *buf, size_t len, mrt_route_cb cb, void *arg,
    struct mrt_route_stats *st, struct diag *d)
{
	struct mrt_route_stats dummy = { 0 };
	struct mrt_reader rd;
	struct mrt_record rec;
	struct walk w;
	int rc = 0, more;

	memset(&w, 0, sizeof(w));
	w.cb = cb;
	w.arg = arg;
	w.st = st ? st : &dummy;
	memset(w.st, 0, sizeof(*w.st));
	w.pi = calloc(1, sizeof(*w.pi));
	if (!w.pi)
		return -ENOMEM;
	mrt_reader_init(&rd, buf, len);
	while ((more = mrt_next(&rd, &rec)) == 1) {
		struct buf_reader body;

		w.st->records++;
		w.r.time = rec.timestamp;
		w.r.type = rec.type;
		w.r.subtype = rec.subtype;
		br_init(&body, rec.body, rec.len);
		switch (rec.type) {
		case MRT_TABLE_DUMP:
			rc = rec_table_dump(&w, rec.subtype, &body);
			break;
		case MRT_TABLE_DUMP_V2:
			rc = rec_td2(&w, &rec);
			break;
		case MRT_BGP4MP:
		case MRT_BGP4MP_ET:
			rc = rec_bgp4mp(&w, &rec);
			break;
		default:
			w.st->unsupported++;
			break;
		}
		if (rc != 0)
			break;
	}
	if (rc == 0 && more < 0) {
		diag_set_offset(d, rec.offset);
		rc = diag_failv(d, -EBADMSG, "truncated or oversized MRT record");
	}
	free(w.pi);
	return rc;
}
