// SPDX-License-Identifier: MIT
/*
 * bgp/msg: header framing (RFC 4271 §6.1, RFC 8654), OPEN and capabilities
 * (RFC 4271 §4.2/§6.2, RFC 5492, RFC 4760, RFC 6793, RFC 2918, RFC 7313,
 * RFC 4724, RFC 8654, RFC 9072), NOTIFICATION (RFC 8203/9003), KEEPALIVE and
 * ROUTE-REFRESH: byte vectors (lengths from sizeof) and encode/decode round trips.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bgp/msg.h"

#define MARKER	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

/* Build a whole message from a body: header with the computed length. */
static size_t
frame(uint8_t *out, size_t cap, uint8_t type, const uint8_t *body, size_t blen)
{
	struct buf_writer bw;
	size_t off;

	bw_init(&bw, out, cap);
	off = bgp_hdr_begin(&bw, type);
	bw_bytes(&bw, body, blen);
	bgp_hdr_finish(&bw, off, BGP_EXT_MAX_LEN);
	assert_int_equal(bw_error(&bw), 0);
	return bw.len;
}

/* ---- header ---- */

static void
test_rfc4271_4_4_keepalive_bytes(void **state)
{
	static const uint8_t want[] = { MARKER, 0x00, 0x13, BGP_MSG_KEEPALIVE };
	uint8_t buf[64];
	struct buf_writer bw;
	struct bgp_hdr h;
	struct bgp_err err;

	(void)state;
	bw_init(&bw, buf, sizeof(buf));
	bgp_keepalive_encode(&bw);
	assert_int_equal(bw_error(&bw), 0);
	assert_int_equal(bw.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	bgp_err_clear(&err);
	assert_int_equal(bgp_hdr_decode(buf, bw.len, BGP_MAX_LEN, &h, &err), 0);
	assert_int_equal(h.type, BGP_MSG_KEEPALIVE);
	assert_int_equal(h.len, sizeof(want));
}

static void
test_rfc4271_6_1_short_header_needs_more(void **state)
{
	static const uint8_t part[] = { MARKER, 0x00 };
	struct bgp_hdr h;
	struct bgp_err err;

	(void)state;
	bgp_err_clear(&err);
	assert_int_equal(bgp_hdr_decode(part, sizeof(part), BGP_MAX_LEN, &h, &err), -EAGAIN);
	assert_int_equal(err.action, BGP_ACT_NONE);
}

static void
test_rfc4271_6_1_bad_marker(void **state)
{
	uint8_t m[] = { MARKER, 0x00, 0x13, BGP_MSG_KEEPALIVE };
	struct bgp_hdr h;
	struct bgp_err err;

	(void)state;
	m[7] = 0xfe;
	bgp_err_clear(&err);
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), BGP_MAX_LEN, &h, &err), -EBADMSG);
	assert_int_equal(err.action, BGP_ACT_SESSION_RESET);
	assert_int_equal(err.code, BGP_ERR_HEADER);
	assert_int_equal(err.subcode, BGP_ERR_HDR_NOT_SYNC);
}

static void
test_rfc4271_6_1_bad_type_data_is_type(void **state)
{
	static const uint8_t m[] = { MARKER, 0x00, 0x13, 9 };
	struct bgp_hdr h;
	struct bgp_err err;

	(void)state;
	bgp_err_clear(&err);
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), BGP_MAX_LEN, &h, &err), -EBADMSG);
	assert_int_equal(err.subcode, BGP_ERR_HDR_BAD_TYPE);
	assert_int_equal(err.datalen, 1);
	assert_int_equal(err.data[0], 9);
}

struct len_case {
	const char	*name;
	uint8_t		 type;
	uint16_t	 len;
	size_t		 max;
	int		 want;
};

static void
test_rfc4271_6_1_length_per_type(void **state)
{
	static const struct len_case cases[] = {
		{ "keepalive 20", BGP_MSG_KEEPALIVE, BGP_KEEPALIVE_LEN + 1, BGP_MAX_LEN, -EBADMSG },
		{ "keepalive 18", BGP_MSG_KEEPALIVE, BGP_HDR_LEN - 1, BGP_MAX_LEN, -EBADMSG },
		{ "open 28", BGP_MSG_OPEN, BGP_OPEN_MIN_LEN - 1, BGP_MAX_LEN, -EBADMSG },
		{ "open 29", BGP_MSG_OPEN, BGP_OPEN_MIN_LEN, BGP_MAX_LEN, 0 },
		{ "open 4097 even with ext msg (RFC 8654 §4)", BGP_MSG_OPEN, BGP_MAX_LEN + 1,
		    BGP_EXT_MAX_LEN, -EBADMSG },
		{ "update 22", BGP_MSG_UPDATE, BGP_UPDATE_MIN_LEN - 1, BGP_MAX_LEN, -EBADMSG },
		{ "update 4096", BGP_MSG_UPDATE, BGP_MAX_LEN, BGP_MAX_LEN, 0 },
		{ "update 4097", BGP_MSG_UPDATE, BGP_MAX_LEN + 1, BGP_MAX_LEN, -EBADMSG },
		{ "update 4097 ext (RFC 8654)", BGP_MSG_UPDATE, BGP_MAX_LEN + 1, BGP_EXT_MAX_LEN, 0 },
		{ "update 65535 ext", BGP_MSG_UPDATE, BGP_EXT_MAX_LEN, BGP_EXT_MAX_LEN, 0 },
		{ "notification 20", BGP_MSG_NOTIFICATION, BGP_NOTIFICATION_MIN_LEN - 1, BGP_MAX_LEN,
		    -EBADMSG },
		{ "route-refresh 22", BGP_MSG_ROUTE_REFRESH, BGP_ROUTE_REFRESH_LEN - 1, BGP_MAX_LEN,
		    -EBADMSG },
		{ "route-refresh 23", BGP_MSG_ROUTE_REFRESH, BGP_ROUTE_REFRESH_LEN, BGP_MAX_LEN, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct len_case *c = &cases[i];
		uint8_t m[] = { MARKER, (uint8_t)(c->len >> 8), (uint8_t)c->len, c->type };
		struct bgp_hdr h;
		struct bgp_err err;
		int rc;

		bgp_err_clear(&err);
		rc = bgp_hdr_decode(m, sizeof(m), c->max, &h, &err);
		if (rc != c->want)
			fail_msg("%s: got %d want %d", c->name, rc, c->want);
		if (rc) {
			/* RFC 4271 §6.1: data is the erroneous Length field. */
			assert_int_equal(err.subcode, BGP_ERR_HDR_BAD_LEN);
			assert_int_equal(err.datalen, sizeof(uint16_t));
			assert_int_equal(err.data[0], (uint8_t)(c->len >> 8));
			assert_int_equal(err.data[1], (uint8_t)c->len);
		}
	}
}

/* ---- OPEN ---- */

static void
test_rfc5492_open_bytes_and_caps(void **state)
{
	/* AS 65001, hold 90, id 10.0.0.1; MP v4 + v6, RR, ext msg, GR (R, 120 s,
	 * v4 with F), AS4 65001, enhanced RR, unknown cap 200 with 2 octets. */
	static const uint8_t caps[] = {
		BGP_CAP_MP, BGP_CAP_MP_LEN, 0, BGP_AFI_IPV4, 0, BGP_SAFI_UNICAST,
		BGP_CAP_MP, BGP_CAP_MP_LEN, 0, BGP_AFI_IPV6, 0, BGP_SAFI_UNICAST,
		BGP_CAP_ROUTE_REFRESH, 0,
		BGP_CAP_EXT_MESSAGE, 0,
		BGP_CAP_GRACEFUL_RESTART, BGP_CAP_GR_HDR_LEN + BGP_CAP_GR_AF_LEN, 0x80, 120,
		    0, BGP_AFI_IPV4, BGP_SAFI_UNICAST, BGP_GR_AF_FORWARDING,
		BGP_CAP_AS4, BGP_CAP_AS4_LEN, 0x00, 0x00, 0xfd, 0xe9,
		BGP_CAP_ENHANCED_RR, 0,
		200, 2, 0xab, 0xcd,
	};
	uint8_t body[BGP_OPEN_FIXED_LEN + 2 + sizeof(caps)] = {
		BGP_VERSION, 0xfd, 0xe9, 0x00, 90, 10, 0, 0, 1,
		(uint8_t)(2 + sizeof(caps)), BGP_OPT_PARAM_CAPABILITIES, (uint8_t)sizeof(caps),
	};
	uint8_t msg[256], out[256];
	struct buf_writer bw;
	struct bgp_open o;
	struct bgp_err err;
	size_t mlen;

	(void)state;
	memcpy(body + BGP_OPEN_FIXED_LEN + 2, caps, sizeof(caps));
	mlen = frame(msg, sizeof(msg), BGP_MSG_OPEN, body, sizeof(body));
	bgp_err_clear(&err);
	assert_int_equal(bgp_open_decode(body, sizeof(body), &o, &err), 0);
	assert_int_equal(o.version, BGP_VERSION);
	assert_int_equal(o.my_as, 65001);
	assert_int_equal(o.hold_time, 90);
	assert_int_equal(o.bgp_id, 0x0a000001);
	assert_true(o.has_caps);
	assert_int_equal(o.caps.nmp, 2);
	assert_true(bgp_caps_has_mp(&o.caps, BGP_AFI_IPV6, BGP_SAFI_UNICAST));
	assert_true(o.caps.route_refresh);
	assert_true(o.caps.ext_msg);
	assert_true(o.caps.enhanced_rr);
	assert_true(o.caps.gr);
	assert_int_equal(o.caps.gr_flags, BGP_GR_FLAG_RESTART);
	assert_int_equal(o.caps.gr_time, 120);
	assert_int_equal(o.caps.ngr, 1);
	assert_int_equal(o.caps.gr_af[0].flags, BGP_GR_AF_FORWARDING);
	assert_true(o.caps.as4);
	assert_int_equal(o.caps.as4_asn, 65001);
	assert_int_equal(o.caps.nunknown, 1);
	assert_int_equal(o.caps.unknown[0].code, 200);
	assert_int_equal(o.caps.unknown[0].len, 2);
	assert_int_equal(bgp_open_check(&o, 65001, 0x0a000002, false, &err), 0);

	/* Our encoder writes the same capabilities in this same order. */
	bw_init(&bw, out, sizeof(out));
	bgp_open_encode(&bw, &o);
	assert_int_equal(bw_error(&bw), 0);
	assert_int_equal(bw.len, mlen);
	assert_memory_equal(out, msg, mlen);
}

static void
test_rfc6793_open_round_trip_as_trans(void **state)
{
	struct bgp_open o, d;
	struct bgp_err err;
	struct buf_writer bw;
	uint8_t out[256];

	(void)state;
	bgp_open_init(&o, 4200000001u, 9, 0xc0000201);
	assert_int_equal(o.my_as, BGP_AS_TRANS);
	assert_int_equal(bgp_caps_add_mp(&o.caps, BGP_AFI_IPV4, BGP_SAFI_UNICAST), 0);
	assert_int_equal(bgp_caps_add_mp(&o.caps, BGP_AFI_IPV6, BGP_SAFI_UNICAST), 0);
	o.caps.route_refresh = true;
	o.caps.gr = true;
	o.caps.gr_time = 120;
	assert_int_equal(bgp_caps_add_gr_af(&o.caps, BGP_AFI_IPV6, BGP_SAFI_UNICAST, 0), 0);
	bw_init(&bw, out, sizeof(out));
	bgp_open_encode(&bw, &o);
	assert_int_equal(bw_error(&bw), 0);
	bgp_err_clear(&err);
	assert_int_equal(bgp_open_decode(out + BGP_HDR_LEN, bw.len - BGP_HDR_LEN, &d, &err), 0);
	assert_int_equal(bgp_open_asn(&d), 4200000001u);
	assert_int_equal(d.my_as, BGP_AS_TRANS);
	assert_int_equal(d.caps.nmp, 2);
	assert_int_equal(d.caps.gr_time, 120);
	assert_int_equal(d.caps.ngr, 1);
	assert_int_equal(d.caps.gr_af[0].afi, BGP_AFI_IPV6);
	assert_int_equal(bgp_open_check(&d, 4200000001u, 1, false, &err), 0);
	assert_memory_equal(&d.caps, &o.caps, sizeof(d.caps));
}

struct open_check_case {
	const char	*name;
	uint8_t		 version;
	uint16_t	 my_as;
	bool		 as4;
	uint32_t	 as4_asn;
	uint16_t	 hold;
	uint32_t	 id;
	uint32_t	 expect_as;
	bool		 ibgp;
	uint8_t		 subcode;	/* 0: accepted */
};

static void
test_rfc4271_6_2_open_checks(void **state)
{
	static const struct open_check_case cases[] = {
		{ "ok", 4, 65001, false, 0, 90, 1, 65001, false, 0 },
		{ "hold 0 ok", 4, 65001, false, 0, 0, 1, 65001, false, 0 },
		{ "version 3", 3, 65001, false, 0, 90, 1, 65001, false, BGP_ERR_OPEN_VERSION },
		{ "wrong AS", 4, 65002, false, 0, 90, 1, 65001, false, BGP_ERR_OPEN_PEER_AS },
		{ "AS 0 (RFC 7607)", 4, 0, false, 0, 90, 1, 0, false, BGP_ERR_OPEN_PEER_AS },
		{ "AS4 0 (RFC 7607)", 4, BGP_AS_TRANS, true, 0, 90, 1, 0, false,
		    BGP_ERR_OPEN_PEER_AS },
		{ "AS4 big without AS_TRANS (RFC 6793)", 4, 1, true, 4200000001u, 90, 1, 0, false,
		    BGP_ERR_OPEN_PEER_AS },
		{ "AS4 matches", 4, BGP_AS_TRANS, true, 4200000001u, 90, 1, 4200000001u, false, 0 },
		{ "id 0 (RFC 6286)", 4, 65001, false, 0, 90, 0, 65001, false, BGP_ERR_OPEN_BGP_ID },
		{ "iBGP same id", 4, 65000, false, 0, 90, 7, 65000, true, BGP_ERR_OPEN_BGP_ID },
		{ "eBGP same id ok (RFC 6286)", 4, 65001, false, 0, 90, 7, 65001, false, 0 },
		{ "hold 1", 4, 65001, false, 0, 1, 1, 65001, false, BGP_ERR_OPEN_HOLD_TIME },
		{ "hold 2", 4, 65001, false, 0, 2, 1, 65001, false, BGP_ERR_OPEN_HOLD_TIME },
		{ "hold 3", 4, 65001, false, 0, 3, 1, 65001, false, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct open_check_case *c = &cases[i];
		struct bgp_open o;
		struct bgp_err err;
		int rc;

		memset(&o, 0, sizeof(o));
		o.version = c->version;
		o.my_as = c->my_as;
		o.hold_time = c->hold;
		o.bgp_id = c->id;
		o.has_caps = c->as4;
		o.caps.as4 = c->as4;
		o.caps.as4_asn = c->as4_asn;
		bgp_err_clear(&err);
		rc = bgp_open_check(&o, c->expect_as, 7, c->ibgp, &err);
		if (c->subcode == 0) {
			if (rc != 0)
				fail_msg("%s: rejected: %s", c->name, err.reason);
			continue;
		}
		if (rc != -EBADMSG || err.action != BGP_ACT_SESSION_RESET ||
		    err.code != BGP_ERR_OPEN || err.subcode != c->subcode)
			fail_msg("%s: rc %d code %u/%u", c->name, rc, err.code, err.subcode);
	}
}

static void
test_rfc4271_6_2_version_data_is_supported_version(void **state)
{
	struct bgp_open o;
	struct bgp_err err;

	(void)state;
	bgp_open_init(&o, 65001, 90, 1);
	o.version = 5;
	bgp_err_clear(&err);
	assert_int_equal(bgp_open_check(&o, 0, 2, false, &err), -EBADMSG);
	assert_int_equal(err.datalen, sizeof(uint16_t));
	assert_int_equal(err.data[0], 0);
	assert_int_equal(err.data[1], BGP_VERSION);
}

struct open_bad_case {
	const char	*name;
	uint8_t		 params[32];
	size_t		 plen;
	uint8_t		 subcode;
};

static void
test_rfc5492_malformed_params(void **state)
{
	static const struct open_bad_case cases[] = {
		{ "unsupported optional parameter 1 (auth)", { 1, 0 }, 2, BGP_ERR_OPEN_OPT_PARAM },
		{ "parameter overruns", { BGP_OPT_PARAM_CAPABILITIES, 5, BGP_CAP_ROUTE_REFRESH, 0 },
		    4, BGP_ERRSUB_UNSPECIFIC },
		{ "capability overruns parameter", { BGP_OPT_PARAM_CAPABILITIES, 2, BGP_CAP_AS4, 4 },
		    4, BGP_ERRSUB_UNSPECIFIC },
		{ "MP capability of 3 octets", { BGP_OPT_PARAM_CAPABILITIES, 5, BGP_CAP_MP, 3, 0, 1,
		    0 }, 7, BGP_ERRSUB_UNSPECIFIC },
		{ "AS4 capability of 2 octets", { BGP_OPT_PARAM_CAPABILITIES, 4, BGP_CAP_AS4, 2, 0,
		    1 }, 6, BGP_ERRSUB_UNSPECIFIC },
		{ "route refresh with a value", { BGP_OPT_PARAM_CAPABILITIES, 3,
		    BGP_CAP_ROUTE_REFRESH, 1, 0 }, 5, BGP_ERRSUB_UNSPECIFIC },
		{ "GR with half a family", { BGP_OPT_PARAM_CAPABILITIES, 6,
		    BGP_CAP_GRACEFUL_RESTART, 4, 0, 120, 0, 1 }, 8, BGP_ERRSUB_UNSPECIFIC },
		{ "ext message with a value", { BGP_OPT_PARAM_CAPABILITIES, 3,
		    BGP_CAP_EXT_MESSAGE, 1, 0 }, 5, BGP_ERRSUB_UNSPECIFIC },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct open_bad_case *c = &cases[i];
		uint8_t body[BGP_OPEN_FIXED_LEN + sizeof(c->params)] = {
			BGP_VERSION, 0xfd, 0xe9, 0, 90, 1, 2, 3, 4, (uint8_t)c->plen,
		};
		struct bgp_open o;
		struct bgp_err err;

		memcpy(body + BGP_OPEN_FIXED_LEN, c->params, c->plen);
		bgp_err_clear(&err);
		if (bgp_open_decode(body, BGP_OPEN_FIXED_LEN + c->plen, &o, &err) != -EBADMSG ||
		    err.code != BGP_ERR_OPEN || err.subcode != c->subcode)
			fail_msg("%s: code %u/%u", c->name, err.code, err.subcode);
	}
}

static void
test_rfc9072_extended_optional_parameters(void **state)
{
	/* Non-Ext OP Len 255, Non-Ext OP Type 255, Ext OP Len, params with 2-octet length. */
	static const uint8_t params[] = {
		BGP_OPT_PARAM_CAPABILITIES, 0x00, 0x06,
		BGP_CAP_AS4, BGP_CAP_AS4_LEN, 0xfa, 0x56, 0xea, 0x01,
	};
	uint8_t body[BGP_OPEN_FIXED_LEN + 3 + sizeof(params)] = {
		BGP_VERSION, 0x5b, 0xa0, 0, 90, 1, 2, 3, 4, BGP_OPT_PARAM_EXT_LEN,
		BGP_OPT_PARAM_EXT_LEN, 0, (uint8_t)sizeof(params),
	};
	struct bgp_open o;
	struct bgp_err err;

	(void)state;
	memcpy(body + BGP_OPEN_FIXED_LEN + 3, params, sizeof(params));
	bgp_err_clear(&err);
	assert_int_equal(bgp_open_decode(body, sizeof(body), &o, &err), 0);
	assert_true(o.caps.as4);
	assert_int_equal(o.caps.as4_asn, 4200000001u);
}

static void
test_rfc4760_8_negotiation(void **state)
{
	struct bgp_open l, r;
	struct bgp_wire_ctx ctx = { 0 };

	(void)state;
	bgp_open_init(&l, 65000, 90, 1);
	bgp_caps_add_mp(&l.caps, BGP_AFI_IPV4, BGP_SAFI_UNICAST);
	bgp_caps_add_mp(&l.caps, BGP_AFI_IPV6, BGP_SAFI_UNICAST);
	l.caps.ext_msg = true;
	/* A peer without capabilities: 2-octet AS, IPv4 unicast only. */
	memset(&r, 0, sizeof(r));
	r.version = BGP_VERSION;
	r.my_as = 65001;
	bgp_caps_negotiate(&l, &r, &ctx);
	assert_false(ctx.as4);
	assert_false(ctx.ext_msg);
	assert_int_equal(ctx.families, BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST));
	/* A peer with AS4, ext msg and only IPv6. */
	bgp_open_init(&r, 65001, 90, 2);
	bgp_caps_add_mp(&r.caps, BGP_AFI_IPV6, BGP_SAFI_UNICAST);
	r.caps.ext_msg = true;
	bgp_caps_negotiate(&l, &r, &ctx);
	assert_true(ctx.as4);
	assert_true(ctx.ext_msg);
	assert_int_equal(ctx.families, BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST));
	assert_int_equal(bgp_wire_max_len(&ctx), BGP_EXT_MAX_LEN);
}

/* ---- NOTIFICATION ---- */

static void
test_rfc8203_shutdown_communication_round_trip(void **state)
{
	static const char text[] = "maintenance: see ticket 42 \xc3\xa9";
	uint8_t out[BGP_MAX_LEN];
	struct buf_writer bw;
	struct bgp_notification n;
	char s[512];

	(void)state;
	bw_init(&bw, out, sizeof(out));
	bgp_notification_encode_shutdown(&bw, BGP_ERR_CEASE_ADMIN_SHUTDOWN, text);
	assert_int_equal(bw_error(&bw), 0);
	assert_int_equal(bw.len, BGP_NOTIFICATION_MIN_LEN + 1 + strlen(text));
	assert_int_equal(out[BGP_HDR_LEN + 2], strlen(text));
	assert_int_equal(bgp_notification_decode(out + BGP_HDR_LEN, bw.len - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.code, BGP_ERR_CEASE);
	assert_int_equal(n.subcode, BGP_ERR_CEASE_ADMIN_SHUTDOWN);
	assert_true(n.has_shutdown_msg);
	assert_string_equal(n.shutdown_msg, text);
	bgp_notification_format(&n, s, sizeof(s));
	assert_non_null(strstr(s, "Cease/Administrative Shutdown: \"maintenance"));
}

static void
test_rfc9003_long_message_cut_at_char_boundary(void **state)
{
	char text[400];
	uint8_t out[BGP_MAX_LEN];
	struct buf_writer bw;
	struct bgp_notification n;

	(void)state;
	/* 2-octet characters: 255 is odd, so the cut must fall back to 254. */
	for (size_t i = 0; i + 1 < sizeof(text); i += 2) {
		text[i] = (char)0xc3;
		text[i + 1] = (char)0xa9;
	}
	text[sizeof(text) - 1] = '\0';
	bw_init(&bw, out, sizeof(out));
	bgp_notification_encode_shutdown(&bw, BGP_ERR_CEASE_ADMIN_RESET, text);
	assert_int_equal(bw_error(&bw), 0);
	assert_int_equal(out[BGP_HDR_LEN + 2], BGP_SHUTDOWN_MSG_MAX - 1);
	assert_int_equal(bgp_notification_decode(out + BGP_HDR_LEN, bw.len - BGP_HDR_LEN, &n), 0);
	assert_true(n.has_shutdown_msg);
	assert_int_equal(strlen(n.shutdown_msg), BGP_SHUTDOWN_MSG_MAX - 1);
}

static void
test_rfc8203_bad_communication_is_not_text(void **state)
{
	/* Length 10 but only 3 octets; and invalid UTF-8: decode fine, no text. */
	static const uint8_t over[] = { BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN, 10, 'a', 'b',
	    'c' };
	static const uint8_t bad[] = { BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN, 2, 0xc3, 0x28 };
	struct bgp_notification n;

	(void)state;
	assert_int_equal(bgp_notification_decode(over, sizeof(over), &n), 0);
	assert_false(n.has_shutdown_msg);
	assert_int_equal(n.datalen, sizeof(over) - 2);
	assert_int_equal(bgp_notification_decode(bad, sizeof(bad), &n), 0);
	assert_false(n.has_shutdown_msg);
}

static void
test_rfc4271_4_5_notification_err_round_trip(void **state)
{
	uint8_t out[BGP_MAX_LEN];
	struct buf_writer bw;
	struct bgp_notification n;
	struct bgp_err err;
	static const uint8_t data[] = { 0x40, BGP_ATTR_ORIGIN, 1, 7 };
	char s[256];

	(void)state;
	bgp_err_clear(&err);
	bgp_err_set(&err, BGP_ACT_SESSION_RESET, BGP_ERR_UPDATE, BGP_ERR_UPD_ORIGIN, data,
	    sizeof(data), "test");
	bw_init(&bw, out, sizeof(out));
	bgp_notification_encode_err(&bw, &err);
	assert_int_equal(bw.len, BGP_NOTIFICATION_MIN_LEN + sizeof(data));
	assert_int_equal(bgp_notification_decode(out + BGP_HDR_LEN, bw.len - BGP_HDR_LEN, &n), 0);
	assert_int_equal(n.code, BGP_ERR_UPDATE);
	assert_int_equal(n.subcode, BGP_ERR_UPD_ORIGIN);
	assert_int_equal(n.datalen, sizeof(data));
	assert_memory_equal(n.data, data, sizeof(data));
	bgp_notification_format(&n, s, sizeof(s));
	assert_string_equal(s, "UPDATE Message Error/Invalid ORIGIN Attribute data 40 01 01 07");
}

/* ---- ROUTE-REFRESH ---- */

static void
test_rfc2918_route_refresh_round_trip(void **state)
{
	static const uint8_t want[] = { MARKER, 0x00, 0x17, BGP_MSG_ROUTE_REFRESH, 0, BGP_AFI_IPV6,
	    BGP_RR_NORMAL, BGP_SAFI_UNICAST };
	uint8_t out[64];
	struct buf_writer bw;
	struct bgp_route_refresh rr;
	struct bgp_err err;

	(void)state;
	bw_init(&bw, out, sizeof(out));
	bgp_route_refresh_encode(&bw, BGP_AFI_IPV6, BGP_SAFI_UNICAST, BGP_RR_NORMAL);
	assert_int_equal(bw.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	bgp_err_clear(&err);
	assert_int_equal(bgp_route_refresh_decode(out + BGP_HDR_LEN, bw.len - BGP_HDR_LEN, &rr,
	    &err), 0);
	assert_int_equal(rr.afi, BGP_AFI_IPV6);
	assert_int_equal(rr.safi, BGP_SAFI_UNICAST);
}

static void
test_rfc7313_5_borr_bad_length(void **state)
{
	static const uint8_t body[] = { 0, BGP_AFI_IPV4, BGP_RR_BORR, BGP_SAFI_UNICAST, 0 };
	static const uint8_t orf[] = { 0, BGP_AFI_IPV4, BGP_RR_NORMAL, BGP_SAFI_UNICAST, 1, 2 };
	struct bgp_route_refresh rr;
	struct bgp_err err;

	(void)state;
	bgp_err_clear(&err);
	assert_int_equal(bgp_route_refresh_decode(body, sizeof(body), &rr, &err), -EBADMSG);
	assert_int_equal(err.code, BGP_ERR_ROUTE_REFRESH);
	assert_int_equal(err.subcode, BGP_ERR_RR_BAD_LEN);
	assert_int_equal(err.datalen, sizeof(body));
	bgp_err_clear(&err);
	assert_int_equal(bgp_route_refresh_decode(orf, sizeof(orf), &rr, &err), 0);
}


/* ---- UPDATE ---- */

static void
base_attrs(struct bgp_attrs *a)
{
	static const uint32_t asn = 65001;

	bgp_attrs_init(a);
	a->origin = BGP_ORIGIN_IGP;
	assert_int_equal(bgp_as_path_append(&a->as_path, BGP_AS_SEQUENCE, &asn, 1), 0);
	a->present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH);
}

/* Decode every message in bw; collect announced and withdrawn prefixes. */
static size_t
decode_all(const struct bgp_wire_ctx *ctx, const struct buf_writer *bw, struct prefix *ann,
    size_t *nann, struct prefix *wd, size_t *nwd, const struct bgp_nexthop *nh)
{
	size_t off = 0, msgs = 0;

	*nann = *nwd = 0;
	while (off < bw->len) {
		struct bgp_hdr h;
		struct bgp_err err;
		struct bgp_msg m;

		bgp_err_clear(&err);
		assert_int_equal(bgp_hdr_decode(bw->data + off, bw->len - off,
		    bgp_wire_max_len(ctx), &h, &err), 0);
		assert_int_equal(h.type, BGP_MSG_UPDATE);
		assert_int_equal(bgp_msg_decode(ctx, bw->data + off, h.len, &m, &err), 0);
		if (err.action != BGP_ACT_NONE)
			fail_msg("message %zu: %s", msgs, err.reason);
		for (size_t i = 0; i < m.u.update.nnlri; i++)
			ann[(*nann)++] = m.u.update.nlri[i];
		for (size_t i = 0; i < m.u.update.mp_reach.nnlri; i++)
			ann[(*nann)++] = m.u.update.mp_reach.nlri[i];
		for (size_t i = 0; i < m.u.update.nwithdrawn; i++)
			wd[(*nwd)++] = m.u.update.withdrawn[i];
		for (size_t i = 0; i < m.u.update.mp_unreach.nwithdrawn; i++)
			wd[(*nwd)++] = m.u.update.mp_unreach.withdrawn[i];
		if (m.u.update.nnlri)
			assert_true(addr_eq(&m.u.update.attrs.next_hop, &nh->global));
		if (m.u.update.has_mp_reach) {
			assert_true(addr_eq(&m.u.update.mp_reach.nexthop, &nh->global));
			assert_int_equal(m.u.update.mp_reach.has_ll, nh->has_ll);
			if (nh->has_ll)
				assert_true(addr_eq(&m.u.update.mp_reach.nexthop_ll, &nh->ll));
		}
		bgp_msg_free(&m);
		off += h.len;
		msgs++;
	}
	return msgs;
}

#define NPFX	3000

static void
pack_family(const struct bgp_wire_ctx *ctx, int family, size_t *msgs_ann, size_t *msgs_wd)
{
	static struct prefix pfx[NPFX], ann[NPFX], wd[NPFX];
	struct bgp_nexthop nh = { 0 };
	struct bgp_attrs a;
	struct buf_writer bw;
	size_t nann, nwd, done;

	for (size_t i = 0; i < NPFX; i++) {
		memset(&pfx[i], 0, sizeof(pfx[i]));
		pfx[i].addr.family = (uint8_t)family;
		if (family == AF_INET) {
			addr_from_v4(&pfx[i].addr, 0x0a000000u | (uint32_t)i << 8);
			pfx[i].len = 24;
		} else {
			pfx[i].addr.bytes[0] = 0x20;
			pfx[i].addr.bytes[1] = 0x01;
			pfx[i].addr.bytes[2] = 0x0d;
			pfx[i].addr.bytes[3] = 0xb8;
			pfx[i].addr.bytes[4] = (uint8_t)(i >> 8);
			pfx[i].addr.bytes[5] = (uint8_t)i;
			pfx[i].len = 48;
		}
	}
	if (family == AF_INET) {
		assert_int_equal(addr_parse("192.0.2.1", &nh.global), 0);
	} else {
		assert_int_equal(addr_parse("2001:db8::1", &nh.global), 0);
		assert_int_equal(addr_parse("fe80::1", &nh.ll), 0);
		nh.has_ll = true;
	}
	base_attrs(&a);
	bw_init_dyn(&bw, 0);
	for (done = 0; done < NPFX;) {
		int n = bgp_update_pack(ctx, &bw, &a, &nh, pfx + done, NPFX - done);

		assert_true(n > 0);
		done += (size_t)n;
	}
	*msgs_ann = decode_all(ctx, &bw, ann, &nann, wd, &nwd, &nh);
	assert_int_equal(nann, NPFX);
	assert_int_equal(nwd, 0);
	for (size_t i = 0; i < NPFX; i++)
		assert_true(prefix_eq(&ann[i], &pfx[i]));
	bw_reset(&bw);
	for (done = 0; done < NPFX;) {
		int n = bgp_update_pack(ctx, &bw, NULL, NULL, pfx + done, NPFX - done);

		assert_true(n > 0);
		done += (size_t)n;
	}
	*msgs_wd = decode_all(ctx, &bw, ann, &nann, wd, &nwd, &nh);
	assert_int_equal(nwd, NPFX);
	assert_int_equal(nann, 0);
	for (size_t i = 0; i < NPFX; i++)
		assert_true(prefix_eq(&wd[i], &pfx[i]));
	bw_free(&bw);
	bgp_attrs_free(&a);
}

static void
test_update_pack_fills_messages(void **state)
{
	struct bgp_wire_ctx ctx = { .as4 = true, .families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) |
	    BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST) };
	size_t ann, wd, ann_ext, wd_ext;

	(void)state;
	/* IPv4: 4 octets per /24; 3000 prefixes = 12000 octets -> 3 or 4 messages of
	 * at most 4096 octets, never fewer than the octets require. */
	pack_family(&ctx, AF_INET, &ann, &wd);
	assert_true(ann >= (NPFX * 4) / BGP_MAX_LEN + 1 && ann <= (NPFX * 4) / BGP_MAX_LEN + 2);
	assert_true(wd >= (NPFX * 4) / BGP_MAX_LEN + 1 && wd <= (NPFX * 4) / BGP_MAX_LEN + 2);
	/* RFC 8654: the same fits one extended message. */
	ctx.ext_msg = true;
	pack_family(&ctx, AF_INET, &ann_ext, &wd_ext);
	assert_int_equal(ann_ext, 1);
	assert_int_equal(wd_ext, 1);
	/* IPv6 in MP_REACH/MP_UNREACH: 7 octets per /48. */
	ctx.ext_msg = false;
	pack_family(&ctx, AF_INET6, &ann, &wd);
	assert_true(ann >= (NPFX * 7) / BGP_MAX_LEN + 1 && ann <= (NPFX * 7) / BGP_MAX_LEN + 2);
	assert_true(wd >= (NPFX * 7) / BGP_MAX_LEN + 1 && wd <= (NPFX * 7) / BGP_MAX_LEN + 2);
}

static void
test_update_pack_rejects(void **state)
{
	struct bgp_wire_ctx ctx = { .as4 = true };
	struct bgp_nexthop nh = { 0 };
	struct bgp_attrs a;
	struct buf_writer bw;
	struct prefix p[2];
	uint32_t asns[1100];

	(void)state;
	base_attrs(&a);
	bw_init_dyn(&bw, 0);
	prefix_parse("2001:db8::/32", &p[0], PREFIX_PARSE_STRICT);
	prefix_parse("10.0.0.0/8", &p[1], PREFIX_PARSE_STRICT);
	/* Never an IPv4-mapped IPv6 next hop. */
	addr_parse("::ffff:192.0.2.1", &nh.global);
	assert_int_equal(bgp_update_pack(&ctx, &bw, &a, &nh, p, 1), -EINVAL);
	/* Mixed families. */
	addr_parse("2001:db8::1", &nh.global);
	assert_int_equal(bgp_update_pack(&ctx, &bw, &a, &nh, p, 2), -EINVAL);
	/* Next hop family must match. */
	assert_int_equal(bgp_update_pack(&ctx, &bw, &a, &nh, p + 1, 1), -EINVAL);
	assert_int_equal(bgp_update_pack(&ctx, &bw, &a, &nh, p, 0), -EINVAL);
	/* Attributes that leave no room for a prefix. */
	for (size_t i = 0; i < sizeof(asns) / sizeof(asns[0]); i++)
		asns[i] = 65000;
	assert_int_equal(bgp_as_path_append(&a.as_path, BGP_AS_SEQUENCE, asns,
	    sizeof(asns) / sizeof(asns[0])), 0);
	assert_int_equal(bgp_update_pack(&ctx, &bw, &a, &nh, p, 1), -EMSGSIZE);
	assert_int_equal(bw.len, 0);
	bw_free(&bw);
	bgp_attrs_free(&a);
}

static void
test_rfc4724_2_end_of_rib(void **state)
{
	static const uint8_t v4[] = { MARKER, 0x00, BGP_UPDATE_MIN_LEN, BGP_MSG_UPDATE, 0, 0, 0, 0 };
	static const uint8_t v6[] = { MARKER, 0x00, BGP_UPDATE_MIN_LEN + 6, BGP_MSG_UPDATE, 0, 0,
	    0, 6, 0x80, BGP_ATTR_MP_UNREACH_NLRI, 3, 0, BGP_AFI_IPV6, BGP_SAFI_UNICAST };
	struct bgp_wire_ctx ctx = { .families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) |
	    BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST) };
	uint8_t out[64];
	struct buf_writer bw;
	struct bgp_msg m;
	struct bgp_err err;

	(void)state;
	bw_init(&bw, out, sizeof(out));
	bgp_eor_encode(&bw, BGP_AFI_IPV4, BGP_SAFI_UNICAST);
	assert_int_equal(bw.len, sizeof(v4));
	assert_memory_equal(out, v4, sizeof(v4));
	assert_int_equal(bgp_msg_decode(&ctx, out, bw.len, &m, &err), 0);
	assert_true(m.u.update.eor);
	assert_int_equal(m.u.update.eor_afi, BGP_AFI_IPV4);
	bgp_msg_free(&m);
	bw_init(&bw, out, sizeof(out));
	bgp_eor_encode(&bw, BGP_AFI_IPV6, BGP_SAFI_UNICAST);
	assert_int_equal(bw.len, sizeof(v6));
	assert_memory_equal(out, v6, sizeof(v6));
	assert_int_equal(bgp_msg_decode(&ctx, out, bw.len, &m, &err), 0);
	assert_true(m.u.update.eor);
	assert_int_equal(m.u.update.eor_afi, BGP_AFI_IPV6);
	bgp_msg_free(&m);
	{
		/* Fuzz crash-317f299e: an UPDATE whose only attribute is an unknown
		 * optional non-transitive one is not an End-of-RIB (not minimum length). */
		static const uint8_t notv4[] = { MARKER, 0x00, BGP_UPDATE_MIN_LEN + 4,
		    BGP_MSG_UPDATE, 0, 0, 0, 4, 0x80, 57, 1, 0 };

		assert_int_equal(bgp_msg_decode(&ctx, notv4, sizeof(notv4), &m, &err), 0);
		assert_int_equal(err.action, BGP_ACT_NONE);
		assert_false(m.u.update.eor);
		assert_int_equal(m.u.update.attrs.nunknown, 0);
		bgp_msg_free(&m);
	}
}

static void
test_rfc4760_3_ipv6_next_hops(void **state)
{
	struct bgp_wire_ctx ctx = { .as4 = true, .families = BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST) };
	struct bgp_update u, d;
	struct prefix p;
	struct buf_writer bw;
	struct bgp_err err;
	uint8_t out[256];

	(void)state;
	bgp_update_init(&u);
	base_attrs(&u.attrs);
	prefix_parse("2001:db8:5::/48", &p, PREFIX_PARSE_STRICT);
	u.has_mp_reach = true;
	u.mp_reach.afi = BGP_AFI_IPV6;
	u.mp_reach.safi = BGP_SAFI_UNICAST;
	addr_parse("2001:db8::1", &u.mp_reach.nexthop);
	addr_parse("fe80::1", &u.mp_reach.nexthop_ll);
	u.mp_reach.has_ll = true;
	u.mp_reach.nlri = &p;
	u.mp_reach.nnlri = 1;
	bw_init(&bw, out, sizeof(out));
	bgp_update_encode(&ctx, &bw, &u);
	assert_int_equal(bw_error(&bw), 0);
	assert_int_equal(bgp_update_decode(&ctx, out + BGP_HDR_LEN, bw.len - BGP_HDR_LEN, &d,
	    &err), 0);
	assert_int_equal(err.action, BGP_ACT_NONE);
	assert_true(d.mp_reach.has_ll);
	assert_true(addr_eq(&d.mp_reach.nexthop_ll, &u.mp_reach.nexthop_ll));
	assert_false(d.mp_reach.nh_v4_mapped);
	assert_true(prefix_eq(&d.mp_reach.nlri[0], &p));
	bgp_update_free(&d);
	/* An IPv4-mapped next hop (IPv6 NLRI over an IPv4 session, some peers)
	 * is decoded and flagged, not silently used as an IPv6 address. */
	u.mp_reach.has_ll = false;
	addr_parse("::ffff:192.0.2.1", &u.mp_reach.nexthop);
	bw_init(&bw, out, sizeof(out));
	bgp_update_encode(&ctx, &bw, &u);
	bgp_err_clear(&err);
	assert_int_equal(bgp_update_decode(&ctx, out + BGP_HDR_LEN, bw.len - BGP_HDR_LEN, &d,
	    &err), 0);
	assert_true(d.mp_reach.nh_v4_mapped);
	bgp_update_free(&d);
	bgp_attrs_free(&u.attrs);
}

static void
test_rfc4271_4_3_trailing_prefix_bits_normalised(void **state)
{
	/* withdrawn 10.1.2.3/8 (bits set beyond the length), NLRI none. */
	static const uint8_t body[] = { 0, 2, 8, 10, 0, 0 };
	static const uint8_t body2[] = { 0, 5, 16, 10, 255, 24, 10, 0, 0, 0 };
	struct bgp_wire_ctx ctx = { 0 };
	struct bgp_update u;
	struct bgp_err err;
	char s[PREFIX_STRLEN];

	(void)state;
	bgp_err_clear(&err);
	assert_int_equal(bgp_update_decode(&ctx, body, sizeof(body), &u, &err), 0);
	assert_int_equal(u.host_bits_cleared, 0);
	bgp_update_free(&u);
	assert_int_equal(bgp_update_decode(&ctx, body2, sizeof(body2) - 3, &u, &err), -EBADMSG);
	bgp_update_free(&u);
	{
		static const uint8_t b3[] = { 0, 6, 12, 10, 255, 24, 10, 0, 0, 0, 0 };

		bgp_err_clear(&err);
		/* /12 with the low 4 bits of 255 set, and 10.0.0.0/24 clean. */
		assert_int_equal(bgp_update_decode(&ctx, b3, sizeof(b3) - 1, &u, &err), -EBADMSG);
		bgp_update_free(&u);
	}
	{
		static const uint8_t b4[] = { 0, 7, 12, 10, 255, 24, 10, 0, 0, 0, 0 };

		bgp_err_clear(&err);
		assert_int_equal(bgp_update_decode(&ctx, b4, sizeof(b4), &u, &err), 0);
		assert_int_equal(u.nwithdrawn, 2);
		assert_int_equal(u.host_bits_cleared, 1);
		assert_string_equal(prefix_format(&u.withdrawn[0], s, sizeof(s)), "10.240.0.0/12");
		assert_string_equal(prefix_format(&u.withdrawn[1], s, sizeof(s)), "10.0.0.0/24");
		bgp_update_free(&u);
	}
}

/* ---- whole messages ---- */

static void
test_msg_decode_dispatch(void **state)
{
	uint8_t out[BGP_MAX_LEN];
	struct buf_writer bw;
	struct bgp_msg m;
	struct bgp_err err;
	struct bgp_open o;
	struct bgp_wire_ctx ctx = { 0 };

	(void)state;
	bgp_open_init(&o, 65001, 90, 1);
	bw_init(&bw, out, sizeof(out));
	bgp_open_encode(&bw, &o);
	assert_int_equal(bgp_msg_decode(&ctx, out, bw.len, &m, &err), 0);
	assert_int_equal(m.type, BGP_MSG_OPEN);
	assert_int_equal(bgp_open_asn(&m.u.open), 65001);
	bgp_msg_free(&m);
	/* A length field that disagrees with the octets given. */
	assert_int_equal(bgp_msg_decode(&ctx, out, bw.len - 1, &m, &err), -EBADMSG);
	assert_int_equal(err.subcode, BGP_ERR_HDR_BAD_LEN);
	bgp_msg_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4271_4_4_keepalive_bytes),
		cmocka_unit_test(test_rfc4271_6_1_short_header_needs_more),
		cmocka_unit_test(test_rfc4271_6_1_bad_marker),
		cmocka_unit_test(test_rfc4271_6_1_bad_type_data_is_type),
		cmocka_unit_test(test_rfc4271_6_1_length_per_type),
		cmocka_unit_test(test_rfc5492_open_bytes_and_caps),
		cmocka_unit_test(test_rfc6793_open_round_trip_as_trans),
		cmocka_unit_test(test_rfc4271_6_2_open_checks),
		cmocka_unit_test(test_rfc4271_6_2_version_data_is_supported_version),
		cmocka_unit_test(test_rfc5492_malformed_params),
		cmocka_unit_test(test_rfc9072_extended_optional_parameters),
		cmocka_unit_test(test_rfc4760_8_negotiation),
		cmocka_unit_test(test_rfc8203_shutdown_communication_round_trip),
		cmocka_unit_test(test_rfc9003_long_message_cut_at_char_boundary),
		cmocka_unit_test(test_rfc8203_bad_communication_is_not_text),
		cmocka_unit_test(test_rfc4271_4_5_notification_err_round_trip),
		cmocka_unit_test(test_rfc2918_route_refresh_round_trip),
		cmocka_unit_test(test_rfc7313_5_borr_bad_length),
		cmocka_unit_test(test_update_pack_fills_messages),
		cmocka_unit_test(test_update_pack_rejects),
		cmocka_unit_test(test_rfc4724_2_end_of_rib),
		cmocka_unit_test(test_rfc4760_3_ipv6_next_hops),
		cmocka_unit_test(test_rfc4271_4_3_trailing_prefix_bits_normalised),
		cmocka_unit_test(test_msg_decode_dispatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
