// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the whole BGP message decoder. Input: one mode octet
 * (FUZZ_MODE_* bits: 4-octet AS, extended messages, eBGP, IPv6 negotiated,
 * first-AS check), then a stream of messages, each framed by its own header
 * exactly as a session reads them. Every message is checked by bgp_hdr_decode()
 * and decoded by bgp_msg_decode(); whatever decodes cleanly must encode and
 * decode back to the same value (UPDATE attributes and prefixes, OPEN
 * capabilities), the arena and packed-form variants of the UPDATE decode must agree
 * with it, and every printer must run on it. Seeds: tests/fuzz/corpus/
 * fuzz_bgp_msg/, written by tests/fuzz/gen_fuzz_bgp_msg.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/msg.h"
#include "tests/fuzz/fuzz_bgp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
prefixes_equal(const struct prefix *a, size_t na, const struct prefix *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!prefix_eq(&a[i], &b[i]))
			return false;
	return true;
}

static bool
path_has_inner_confed(const struct bgp_as_path *p)
{
	bool seen_other = false;

	for (size_t i = 0; i < p->nsegs; i++) {
		bool confed = p->segs[i].type == BGP_AS_CONFED_SEQUENCE ||
		    p->segs[i].type == BGP_AS_CONFED_SET;

		if (confed && seen_other)
			return true;
		if (!confed)
			seen_other = true;
	}
	return false;
}

static void
check_update(const struct bgp_wire_ctx *ctx, const struct bgp_update *u)
{
	struct buf_writer bw;
	struct bgp_update d;
	struct bgp_err err;
	char text[4096];

	bgp_attrs_format(&u->attrs, text, sizeof(text));
	(void)bgp_attrs_hash(&u->attrs);
	if (u->mp_ignored)
		return;
	/* RFC 6793: AS4_PATH cannot carry confederation segments, so a 2-octet
	 * session cannot reproduce a confed segment after a normal one. */
	if (!ctx->as4 && path_has_inner_confed(&u->attrs.as_path))
		return;
	bw_init_dyn(&bw, BGP_EXT_MAX_LEN);
	bgp_update_encode(ctx, &bw, u);
	if (bw_error(&bw)) {	/* our framing can be 2 octets longer */
		bw_free(&bw);
		return;
	}
	bgp_err_clear(&err);
	if (bgp_update_decode(ctx, bw.data + BGP_HDR_LEN, bw.len - BGP_HDR_LEN, &d, &err) != 0 ||
	    err.action != BGP_ACT_NONE)
		abort();
	if (!bgp_attrs_equal(&u->attrs, &d.attrs) ||
	    bgp_attrs_hash(&u->attrs) != bgp_attrs_hash(&d.attrs) ||
	    !prefixes_equal(u->nlri, u->nnlri, d.nlri, d.nnlri) ||
	    !prefixes_equal(u->withdrawn, u->nwithdrawn, d.withdrawn, d.nwithdrawn) ||
	    u->has_mp_reach != d.has_mp_reach || u->has_mp_unreach != d.has_mp_unreach ||
	    !prefixes_equal(u->mp_reach.nlri, u->mp_reach.nnlri, d.mp_reach.nlri,
	    d.mp_reach.nnlri) ||
	    !prefixes_equal(u->mp_unreach.withdrawn, u->mp_unreach.nwithdrawn,
	    d.mp_unreach.withdrawn, d.mp_unreach.nwithdrawn) ||
	    /* An UPDATE whose only attributes were dropped re-encodes as a
	     * minimum-length UPDATE, which is an End-of-RIB (RFC 4724 §2): only
	     * the other direction is a bug. */
	    (u->eor && !d.eor))
		abort();
	if (u->has_mp_reach && (!addr_eq(&u->mp_reach.nexthop, &d.mp_reach.nexthop) ||
	    u->mp_reach.has_ll != d.mp_reach.has_ll))
		abort();
	bgp_update_free(&d);
	bw_free(&bw);
}

/*
 * The receive path's variants of the same decode must agree with it: with a small
 * arena (some lists in it, some on malloc), the same result, attributes and prefixes;
 * and a received run marked as packed must be what packing the attributes writes.
 */
static void
check_update_arena(const struct bgp_wire_ctx *ctx, const uint8_t *msg, size_t len,
    int rc, const struct bgp_err *err, const struct bgp_update *u)
{
	static uint8_t mem[256];
	struct bgp_arena arena = { .base = mem, .cap = sizeof(mem) };
	struct bgp_update a;
	struct bgp_err aerr;
	int arc;

	bgp_err_clear(&aerr);
	arc = bgp_update_decode_arena(ctx, msg + BGP_HDR_LEN, len - BGP_HDR_LEN, &a, &aerr,
	    &arena);
	if (arc != rc || aerr.action != err->action)
		abort();
	if (rc == 0 && (!bgp_attrs_equal(&u->attrs, &a.attrs) ||
	    !prefixes_equal(u->nlri, u->nnlri, a.nlri, a.nnlri) ||
	    !prefixes_equal(u->withdrawn, u->nwithdrawn, a.withdrawn, a.nwithdrawn) ||
	    !prefixes_equal(u->mp_reach.nlri, u->mp_reach.nnlri, a.mp_reach.nlri,
	    a.mp_reach.nnlri) ||
	    !prefixes_equal(u->mp_unreach.withdrawn, u->mp_unreach.nwithdrawn,
	    a.mp_unreach.withdrawn, a.mp_unreach.nwithdrawn) ||
	    u->packed_len != a.packed_len || !u->packed != !a.packed))
		abort();
	if (rc == 0 && a.packed && (!ctx->as4 || aerr.action != BGP_ACT_NONE ||
	    !bgp_attrs_packs_to(&a.attrs, a.packed, a.packed_len)))
		abort();
	bgp_update_free(&a);
}

static void
check_open(const struct bgp_open *o)
{
	uint8_t out[BGP_MAX_LEN];
	struct buf_writer bw;
	struct bgp_open d;
	struct bgp_err err;

	bgp_err_clear(&err);
	(void)bgp_open_check(o, 0, 1, false, &err);
	bw_init(&bw, out, sizeof(out));
	bgp_open_encode(&bw, o);
	if (bw_error(&bw))	/* more capabilities than one parameter holds */
		return;
	bgp_err_clear(&err);
	if (bgp_open_decode(out + BGP_HDR_LEN, bw.len - BGP_HDR_LEN, &d, &err) != 0)
		abort();
	if (d.my_as != o->my_as || d.hold_time != o->hold_time || d.bgp_id != o->bgp_id ||
	    d.caps.nmp != o->caps.nmp || d.caps.as4 != o->caps.as4 ||
	    d.caps.as4_asn != o->caps.as4_asn || d.caps.gr != o->caps.gr ||
	    d.caps.ngr != o->caps.ngr || d.caps.gr_time != o->caps.gr_time ||
	    d.caps.nunknown != o->caps.nunknown || d.caps.ext_msg != o->caps.ext_msg ||
	    d.caps.route_refresh != o->caps.route_refresh)
		abort();
	if (o->caps.nmp && memcmp(d.caps.mp, o->caps.mp, o->caps.nmp * sizeof(o->caps.mp[0])))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_wire_ctx ctx = { 0 };
	size_t off = 1;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	ctx.as4 = mode & FUZZ_MODE_AS4;
	ctx.ext_msg = mode & FUZZ_MODE_EXT_MSG;
	ctx.ebgp = mode & FUZZ_MODE_EBGP;
	ctx.families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST);
	if (mode & FUZZ_MODE_V6)
		ctx.families |= BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST);
	if (mode & FUZZ_MODE_FIRST_AS) {
		ctx.check_first_as = true;
		ctx.peer_as = FUZZ_PEER_AS;
	}
	while (off < size) {
		struct bgp_hdr h;
		struct bgp_err err;
		struct bgp_msg *m;
		char text[512];
		int rc;

		bgp_err_clear(&err);
		rc = bgp_hdr_decode(data + off, size - off, bgp_wire_max_len(&ctx), &h, &err);
		if (rc || h.len > size - off)
			break;
		m = malloc(sizeof(*m));
		if (!m)
			return 0;
		rc = bgp_msg_decode(&ctx, data + off, h.len, m, &err);
		if (h.type == BGP_MSG_UPDATE && (rc == 0 || err.action == BGP_ACT_SESSION_RESET))
			check_update_arena(&ctx, data + off, h.len, rc, &err, &m->u.update);
		if (rc == 0) {
			if (m->type == BGP_MSG_UPDATE && err.action == BGP_ACT_NONE)
				check_update(&ctx, &m->u.update);
			else if (m->type == BGP_MSG_OPEN)
				check_open(&m->u.open);
			else if (m->type == BGP_MSG_NOTIFICATION)
				bgp_notification_format(&m->u.notification, text, sizeof(text));
		} else if (err.action != BGP_ACT_SESSION_RESET) {
			abort();	/* a failure is always a session reset */
		}
		bgp_msg_free(m);
		free(m);
		off += h.len;
	}
	return 0;
}
