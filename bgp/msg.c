// SPDX-License-Identifier: MIT
/*
 * BGP message framing and the small messages: header checks (RFC 4271 §6.1),
 * OPEN with optional parameters and capabilities (RFC 4271 §4.2, RFC 5492,
 * RFC 9072), NOTIFICATION (RFC 4271 §4.5, RFC 8203/9003), KEEPALIVE,
 * ROUTE-REFRESH (RFC 2918, RFC 7313) and whole-message dispatch. UPDATE bodies
 * live in update.c, path attributes in attr.c. No sockets or FSM state here.
 */
#include "bgp/msg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* ---- header ---- */

static const char *const msg_type_names[] = {
	[BGP_MSG_OPEN] = "OPEN",
	[BGP_MSG_UPDATE] = "UPDATE",
	[BGP_MSG_NOTIFICATION] = "NOTIFICATION",
	[BGP_MSG_KEEPALIVE] = "KEEPALIVE",
	[BGP_MSG_ROUTE_REFRESH] = "ROUTE-REFRESH",
};

const char *
bgp_msg_type_name(uint8_t type)
{
	if (type < sizeof(msg_type_names) / sizeof(msg_type_names[0]) && msg_type_names[type])
		return msg_type_names[type];
	return "unknown";
}

int
bgp_hdr_decode(const uint8_t *buf, size_t buflen, size_t max_len, struct bgp_hdr *h,
    struct bgp_err *err)
{
	uint64_t m[2];
	uint8_t lenbuf[2];
	size_t min, max;
	uint16_t len;
	uint8_t type;

	if (buflen < BGP_HDR_LEN)
		return -EAGAIN;
	/* the 16-octet marker as two words (this runs once per received message) */
	memcpy(m, buf, sizeof(m));
	len = (uint16_t)(buf[BGP_MARKER_LEN] << 8 | buf[BGP_MARKER_LEN + 1]);
	type = buf[BGP_MARKER_LEN + 2];
	if ((m[0] & m[1]) != UINT64_MAX)
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_HEADER,
		    BGP_ERR_HDR_NOT_SYNC, NULL, 0, "marker is not all ones");

	if (max_len > BGP_EXT_MAX_LEN)
		max_len = BGP_EXT_MAX_LEN;
	max = max_len;
	switch (type) {
	case BGP_MSG_OPEN:
		min = BGP_OPEN_MIN_LEN;
		max = BGP_MAX_LEN;	/* RFC 8654 §4: never extended */
		break;
	case BGP_MSG_UPDATE:
		min = BGP_UPDATE_MIN_LEN;
		break;
	case BGP_MSG_NOTIFICATION:
		min = BGP_NOTIFICATION_MIN_LEN;
		break;
	case BGP_MSG_KEEPALIVE:
		min = max = BGP_KEEPALIVE_LEN;
		break;
	case BGP_MSG_ROUTE_REFRESH:
		min = BGP_ROUTE_REFRESH_LEN;
		break;
	default:
		/* RFC 4271 §6.1: data is the type field. */
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_HEADER,
		    BGP_ERR_HDR_BAD_TYPE, &type, sizeof(type), "unknown message type %u", type);
	}
	if (len < min || len > max) {
		/* RFC 4271 §6.1: data is the erroneous length field. */
		lenbuf[0] = (uint8_t)(len >> 8);
		lenbuf[1] = (uint8_t)len;
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_HEADER,
		    BGP_ERR_HDR_BAD_LEN, lenbuf, sizeof(lenbuf),
		    "%s length %u outside %zu..%zu", bgp_msg_type_name(type), len, min, max);
	}
	h->len = len;
	h->type = type;
	return 0;
}

size_t
bgp_hdr_begin(struct buf_writer *bw, uint8_t type)
{
	size_t off = bw->len;
	uint8_t marker[BGP_MARKER_LEN];

	memset(marker, 0xff, sizeof(marker));
	bw_bytes(bw, marker, sizeof(marker));
	bw_reserve(bw, sizeof(uint16_t));
	bw_u8(bw, type);
	return off;
}

void
bgp_hdr_finish(struct buf_writer *bw, size_t off, size_t max_len)
{
	size_t len;

	if (bw->err)
		return;
	len = bw->len - off;
	if (len > max_len || len > BGP_EXT_MAX_LEN) {
		bw->err = -EMSGSIZE;
		return;
	}
	bw_patch_be16(bw, off + BGP_MARKER_LEN, (uint16_t)len);
}

/* ---- OPEN ---- */

void
bgp_open_init(struct bgp_open *o, uint32_t asn, uint16_t hold_time, uint32_t bgp_id)
{
	memset(o, 0, sizeof(*o));
	o->version = BGP_VERSION;
	o->my_as = asn > BGP_AS2_MAX ? BGP_AS_TRANS : (uint16_t)asn;
	o->hold_time = hold_time;
	o->bgp_id = bgp_id;
	o->has_caps = true;
	o->caps.as4 = true;
	o->caps.as4_asn = asn;
}

bool
bgp_caps_has_mp(const struct bgp_caps *c, uint16_t afi, uint8_t safi)
{
	for (size_t i = 0; i < c->nmp; i++)
		if (c->mp[i].afi == afi && c->mp[i].safi == safi)
			return true;
	return false;
}

int
bgp_caps_add_mp(struct bgp_caps *c, uint16_t afi, uint8_t safi)
{
	if (bgp_caps_has_mp(c, afi, safi))
		return 0;
	if (c->nmp >= BGP_CAPS_MP_MAX)
		return -ENOSPC;
	c->mp[c->nmp].afi = afi;
	c->mp[c->nmp].safi = safi;
	c->nmp++;
	return 0;
}

int
bgp_caps_add_gr_af(struct bgp_caps *c, uint16_t afi, uint8_t safi, uint8_t flags)
{
	for (size_t i = 0; i < c->ngr; i++) {
		if (c->gr_af[i].afi == afi && c->gr_af[i].safi == safi) {
			c->gr_af[i].flags = flags;
			return 0;
		}
	}
	if (c->ngr >= BGP_CAPS_GR_MAX)
		return -ENOSPC;
	c->gr_af[c->ngr].afi = afi;
	c->gr_af[c->ngr].safi = safi;
	c->gr_af[c->ngr].flags = flags;
	c->ngr++;
	return 0;
}

uint32_t
bgp_open_asn(const struct bgp_open *o)
{
	if (o->has_caps && o->caps.as4)
		return o->caps.as4_asn;
	return o->my_as;
}

static int
open_bad_cap(struct bgp_err *err, uint8_t code, uint8_t len, const char *why)
{
	/* RFC 4271 §6.2: a recognised but malformed optional parameter -> subcode 0. */
	return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_OPEN, BGP_ERRSUB_UNSPECIFIC,
	    NULL, 0, "capability %u (length %u): %s", code, len, why);
}

/* One capability value (RFC 5492 §4); v holds exactly len octets. */
static int
open_cap_decode(uint8_t code, uint8_t len, struct buf_reader *v, struct bgp_caps *c,
    struct bgp_err *err)
{
	uint16_t afi = 0, gr = 0;
	uint8_t res = 0, safi = 0, flags = 0;
	struct bgp_cap_raw *raw;

	switch (code) {
	case BGP_CAP_MP:
		if (len != BGP_CAP_MP_LEN)
			return open_bad_cap(err, code, len, "multiprotocol needs 4 octets");
		br_be16(v, &afi);
		br_u8(v, &res);
		br_u8(v, &safi);
		if (bgp_caps_add_mp(c, afi, safi) != 0)
			return open_bad_cap(err, code, len, "too many families");
		return 0;
	case BGP_CAP_ROUTE_REFRESH:
	case BGP_CAP_ROUTE_REFRESH_OLD:
		if (len != 0)
			return open_bad_cap(err, code, len, "route refresh has no value");
		c->route_refresh = true;
		return 0;
	case BGP_CAP_ENHANCED_RR:
		if (len != 0)
			return open_bad_cap(err, code, len, "enhanced route refresh has no value");
		c->enhanced_rr = true;
		return 0;
	case BGP_CAP_EXT_MESSAGE:
		if (len != 0)
			return open_bad_cap(err, code, len, "extended message has no value");
		c->ext_msg = true;
		return 0;
	case BGP_CAP_AS4:
		if (len != BGP_CAP_AS4_LEN)
			return open_bad_cap(err, code, len, "4-octet AS needs 4 octets");
		c->as4 = true;
		br_be32(v, &c->as4_asn);
		return 0;
	case BGP_CAP_GRACEFUL_RESTART:
		/* RFC 4724 §3: header, then 4 octets per family. */
		if (len < BGP_CAP_GR_HDR_LEN ||
		    (len - BGP_CAP_GR_HDR_LEN) % BGP_CAP_GR_AF_LEN != 0)
			return open_bad_cap(err, code, len, "graceful restart length");
		br_be16(v, &gr);
		c->gr = true;
		c->gr_flags = gr & BGP_GR_FLAGS_MASK;
		c->gr_time = gr & BGP_GR_TIME_MASK;
		c->ngr = 0;
		while (!br_empty(v)) {
			br_be16(v, &afi);
			br_u8(v, &safi);
			br_u8(v, &flags);
			if (bgp_caps_add_gr_af(c, afi, safi, flags) != 0)
				return open_bad_cap(err, code, len, "too many families");
		}
		return 0;
	default:
		if (c->nunknown >= BGP_CAPS_UNKNOWN_MAX) {
			c->nunknown_dropped++;
			return 0;
		}
		raw = &c->unknown[c->nunknown++];
		raw->code = code;
		raw->len = len;
		br_bytes(v, raw->data, len);
		return 0;
	}
}

/* A Capabilities optional parameter holds any number of capabilities (RFC 5492 §4). */
static int
open_caps_decode(struct buf_reader *p, struct bgp_caps *c, struct bgp_err *err)
{
	struct buf_reader v;
	uint8_t code, len;
	int rc;

	while (!br_empty(p)) {
		if (br_u8(p, &code) || br_u8(p, &len) || br_sub(p, len, &v))
			return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_OPEN,
			    BGP_ERRSUB_UNSPECIFIC, NULL, 0, "capability overruns its parameter");
		rc = open_cap_decode(code, len, &v, c, err);
		if (rc)
			return rc;
	}
	return 0;
}

int
bgp_open_decode(const uint8_t *body, size_t len, struct bgp_open *o, struct bgp_err *err)
{
	struct buf_reader br, params, pv;
	uint8_t optlen8, ptype, plen8;
	uint16_t optlen, plen;
	bool ext = false;
	int rc;

	memset(o, 0, sizeof(*o));
	br_init(&br, body, len);
	if (br_u8(&br, &o->version) || br_be16(&br, &o->my_as) ||
	    br_be16(&br, &o->hold_time) || br_be32(&br, &o->bgp_id) || br_u8(&br, &optlen8))
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_HEADER,
		    BGP_ERR_HDR_BAD_LEN, NULL, 0, "OPEN shorter than its fixed part");
	optlen = optlen8;
	/* RFC 9072 §2: Non-Ext OP Len 255 followed by Non-Ext OP Type 255. */
	if (optlen8 == BGP_OPT_PARAM_EXT_LEN) {
		uint8_t t;

		if (br_peek_u8(&br, &t) == 0 && t == BGP_OPT_PARAM_EXT_LEN) {
			br_u8(&br, &t);
			if (br_be16(&br, &optlen))
				goto bad_len;
			ext = true;
		}
	}
	if (br_sub(&br, optlen, &params) || !br_empty(&br))
		goto bad_len;
	while (!br_empty(&params)) {
		if (br_u8(&params, &ptype))
			goto bad_len;
		if (ext) {
			if (br_be16(&params, &plen))
				goto bad_len;
		} else {
			if (br_u8(&params, &plen8))
				goto bad_len;
			plen = plen8;
		}
		if (br_sub(&params, plen, &pv))
			goto bad_len;
		if (ptype != BGP_OPT_PARAM_CAPABILITIES)
			return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_OPEN,
			    BGP_ERR_OPEN_OPT_PARAM, NULL, 0,
			    "unsupported optional parameter %u", ptype);
		o->has_caps = true;
		rc = open_caps_decode(&pv, &o->caps, err);
		if (rc)
			return rc;
	}
	return 0;
bad_len:
	/* RFC 4271 §6.2 has no better subcode for an inconsistent parameter length. */
	return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_OPEN, BGP_ERRSUB_UNSPECIFIC,
	    NULL, 0, "optional parameters length inconsistent with the message");
}

int
bgp_open_check(const struct bgp_open *o, uint32_t expected_as, uint32_t local_id, bool ibgp,
    struct bgp_err *err)
{
	uint8_t ver[2] = { 0, BGP_VERSION };
	uint32_t asn = bgp_open_asn(o);

	if (o->version != BGP_VERSION)
		/* RFC 4271 §6.2: data = largest supported version, 2 octets. */
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_OPEN,
		    BGP_ERR_OPEN_VERSION, ver, sizeof(ver), "version %u, we speak %u",
		    o->version, BGP_VERSION);
	/* RFC 7607: AS 0 is never acceptable. RFC 6793 §4.1: my_as must be AS_TRANS
	 * when the real AS does not fit 2 octets. */
	if (o->my_as == 0 || asn == 0)
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_OPEN,
		    BGP_ERR_OPEN_PEER_AS, NULL, 0, "peer AS 0");
	if (o->has_caps && o->caps.as4 && asn > BGP_AS2_MAX && o->my_as != BGP_AS_TRANS)
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_OPEN,
		    BGP_ERR_OPEN_PEER_AS, NULL, 0, "My AS %u with 4-octet AS %u (want AS_TRANS)",
		    o->my_as, asn);
	if (expected_as && asn != expected_as)
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_OPEN,
		    BGP_ERR_OPEN_PEER_AS, NULL, 0, "peer AS %u, expected %u", asn, expected_as);
	/* RFC 6286 §2.2: non-zero; unique within an AS (only iBGP can collide). */
	if (o->bgp_id == 0 || (ibgp && o->bgp_id == local_id))
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_OPEN,
		    BGP_ERR_OPEN_BGP_ID, NULL, 0, "bad BGP identifier %u.%u.%u.%u",
		    o->bgp_id >> 24, (o->bgp_id >> 16) & 0xff, (o->bgp_id >> 8) & 0xff,
		    o->bgp_id & 0xff);
	if (o->hold_time != 0 && o->hold_time < BGP_HOLD_TIME_MIN)
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_OPEN,
		    BGP_ERR_OPEN_HOLD_TIME, NULL, 0, "hold time %u (0 or >= %u)", o->hold_time,
		    BGP_HOLD_TIME_MIN);
	return 0;
}

static void
cap_begin(struct buf_writer *bw, uint8_t code, size_t *lenoff)
{
	bw_u8(bw, code);
	*lenoff = bw_reserve(bw, 1);
}

static void
cap_end(struct buf_writer *bw, size_t lenoff)
{
	size_t n;

	if (bw->err)
		return;
	n = bw->len - lenoff - 1;
	if (n > UINT8_MAX) {
		bw->err = -EMSGSIZE;
		return;
	}
	bw_patch_u8(bw, lenoff, (uint8_t)n);
}

static void
open_caps_encode(struct buf_writer *bw, const struct bgp_caps *c)
{
	size_t off;

	for (size_t i = 0; i < c->nmp; i++) {
		cap_begin(bw, BGP_CAP_MP, &off);
		bw_be16(bw, c->mp[i].afi);
		bw_u8(bw, 0);
		bw_u8(bw, c->mp[i].safi);
		cap_end(bw, off);
	}
	if (c->route_refresh) {
		cap_begin(bw, BGP_CAP_ROUTE_REFRESH, &off);
		cap_end(bw, off);
	}
	if (c->ext_msg) {
		cap_begin(bw, BGP_CAP_EXT_MESSAGE, &off);
		cap_end(bw, off);
	}
	if (c->gr) {
		cap_begin(bw, BGP_CAP_GRACEFUL_RESTART, &off);
		bw_be16(bw, (uint16_t)((c->gr_flags & BGP_GR_FLAGS_MASK) |
		    (c->gr_time & BGP_GR_TIME_MASK)));
		for (size_t i = 0; i < c->ngr; i++) {
			bw_be16(bw, c->gr_af[i].afi);
			bw_u8(bw, c->gr_af[i].safi);
			bw_u8(bw, c->gr_af[i].flags);
		}
		cap_end(bw, off);
	}
	if (c->as4) {
		cap_begin(bw, BGP_CAP_AS4, &off);
		bw_be32(bw, c->as4_asn);
		cap_end(bw, off);
	}
	if (c->enhanced_rr) {
		cap_begin(bw, BGP_CAP_ENHANCED_RR, &off);
		cap_end(bw, off);
	}
	for (size_t i = 0; i < c->nunknown; i++) {
		cap_begin(bw, c->unknown[i].code, &off);
		bw_bytes(bw, c->unknown[i].data, c->unknown[i].len);
		cap_end(bw, off);
	}
}

void
bgp_open_encode(struct buf_writer *bw, const struct bgp_open *o)
{
	size_t off, optoff, poff, n;

	off = bgp_hdr_begin(bw, BGP_MSG_OPEN);
	bw_u8(bw, o->version);
	bw_be16(bw, o->my_as);
	bw_be16(bw, o->hold_time);
	bw_be32(bw, o->bgp_id);
	optoff = bw_reserve(bw, 1);
	if (o->has_caps) {
		bw_u8(bw, BGP_OPT_PARAM_CAPABILITIES);
		poff = bw_reserve(bw, 1);
		open_caps_encode(bw, &o->caps);
		if (!bw->err) {
			n = bw->len - poff - 1;
			/* One parameter of at most 255 octets; RFC 9072 form not needed
			 * for what we send. */
			if (n > UINT8_MAX - BGP_CAP_HDR_LEN)
				bw->err = -EMSGSIZE;
			else
				bw_patch_u8(bw, poff, (uint8_t)n);
		}
	}
	if (!bw->err)
		bw_patch_u8(bw, optoff, (uint8_t)(bw->len - optoff - 1));
	bgp_hdr_finish(bw, off, BGP_MAX_LEN);
}

void
bgp_caps_negotiate(const struct bgp_open *local, const struct bgp_open *remote,
    struct bgp_wire_ctx *ctx)
{
	const struct bgp_caps *l = &local->caps, *r = &remote->caps;
	bool lmp = local->has_caps && l->nmp > 0, rmp = remote->has_caps && r->nmp > 0;

	ctx->as4 = local->has_caps && remote->has_caps && l->as4 && r->as4;
	ctx->ext_msg = local->has_caps && remote->has_caps && l->ext_msg && r->ext_msg;
	ctx->families = 0;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		uint16_t afi;
		uint8_t safi;
		bool lh, rh;

		bgp_family_to_afisafi((enum bgp_family)f, &afi, &safi);
		/* RFC 4760 §8 / RFC 4271: without any MP capability, IPv4 unicast. */
		lh = lmp ? bgp_caps_has_mp(l, afi, safi) : f == BGP_FAM_IPV4_UNICAST;
		rh = rmp ? bgp_caps_has_mp(r, afi, safi) : f == BGP_FAM_IPV4_UNICAST;
		if (lh && rh)
			ctx->families |= BGP_FAM_BIT(f);
	}
}

/* ---- NOTIFICATION ---- */

/* RFC 3629 UTF-8, no overlongs, no surrogates. */
static bool
utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			k = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

int
bgp_notification_decode(const uint8_t *body, size_t len, struct bgp_notification *n)
{
	struct buf_reader br, s;
	const uint8_t *p;
	uint8_t slen = 0;
	size_t left;

	memset(n, 0, sizeof(*n));
	br_init(&br, body, len);
	if (br_u8(&br, &n->code) || br_u8(&br, &n->subcode))
		return -EBADMSG;
	left = br_left(&br);
	n->truncated = left > sizeof(n->data);
	n->datalen = n->truncated ? sizeof(n->data) : left;
	br_ptr(&br, left, &p);
	memcpy(n->data, p, n->datalen);
	/* RFC 8203 §2 / RFC 9003 §2: length octet + UTF-8, for these two subcodes. */
	if (n->code == BGP_ERR_CEASE && (n->subcode == BGP_ERR_CEASE_ADMIN_SHUTDOWN ||
	    n->subcode == BGP_ERR_CEASE_ADMIN_RESET) && left > 0) {
		br_init(&s, p, left);
		br_u8(&s, &slen);
		if (slen <= br_left(&s) && br_ptr(&s, slen, &p) == 0 && utf8_valid(p, slen)) {
			memcpy(n->shutdown_msg, p, slen);
			n->shutdown_msg[slen] = '\0';
			n->has_shutdown_msg = true;
		}
	}
	return 0;
}

void
bgp_notification_encode(struct buf_writer *bw, uint8_t code, uint8_t subcode, const void *data,
    size_t datalen)
{
	size_t off = bgp_hdr_begin(bw, BGP_MSG_NOTIFICATION);

	bw_u8(bw, code);
	bw_u8(bw, subcode);
	if (datalen > BGP_ERR_DATA_MAX)
		datalen = BGP_ERR_DATA_MAX;
	if (datalen)
		bw_bytes(bw, data, datalen);
	bgp_hdr_finish(bw, off, BGP_MAX_LEN);
}

void
bgp_notification_encode_err(struct buf_writer *bw, const struct bgp_err *err)
{
	bgp_notification_encode(bw, err->code, err->subcode, err->data, err->datalen);
}

void
bgp_notification_encode_shutdown(struct buf_writer *bw, uint8_t subcode, const char *msg)
{
	uint8_t data[1 + BGP_SHUTDOWN_MSG_MAX];
	size_t n = msg ? strlen(msg) : 0;

	if (n > BGP_SHUTDOWN_MSG_MAX) {
		n = BGP_SHUTDOWN_MSG_MAX;
		/* Do not cut a multi-octet character in half. */
		while (n > 0 && ((uint8_t)msg[n] & 0xc0) == 0x80)
			n--;
	}
	data[0] = (uint8_t)n;
	if (n)
		memcpy(data + 1, msg, n);
	bgp_notification_encode(bw, BGP_ERR_CEASE, subcode, data, n + 1);
}

static const char *const err_code_names[] = {
	[BGP_ERR_HEADER] = "Message Header Error",
	[BGP_ERR_OPEN] = "OPEN Message Error",
	[BGP_ERR_UPDATE] = "UPDATE Message Error",
	[BGP_ERR_HOLD] = "Hold Timer Expired",
	[BGP_ERR_FSM] = "Finite State Machine Error",
	[BGP_ERR_CEASE] = "Cease",
	[BGP_ERR_ROUTE_REFRESH] = "ROUTE-REFRESH Message Error",
	[BGP_ERR_SEND_HOLD] = "Send Hold Timer Expired",
};

static const char *const hdr_sub_names[] = {
	[BGP_ERR_HDR_NOT_SYNC] = "Connection Not Synchronized",
	[BGP_ERR_HDR_BAD_LEN] = "Bad Message Length",
	[BGP_ERR_HDR_BAD_TYPE] = "Bad Message Type",
};

static const char *const open_sub_names[] = {
	[BGP_ERR_OPEN_VERSION] = "Unsupported Version Number",
	[BGP_ERR_OPEN_PEER_AS] = "Bad Peer AS",
	[BGP_ERR_OPEN_BGP_ID] = "Bad BGP Identifier",
	[BGP_ERR_OPEN_OPT_PARAM] = "Unsupported Optional Parameter",
	[BGP_ERR_OPEN_HOLD_TIME] = "Unacceptable Hold Time",
	[BGP_ERR_OPEN_CAPABILITY] = "Unsupported Capability",
	[BGP_ERR_OPEN_ROLE] = "Role Mismatch",
};

static const char *const update_sub_names[] = {
	[BGP_ERR_UPD_ATTR_LIST] = "Malformed Attribute List",
	[BGP_ERR_UPD_WELLKNOWN] = "Unrecognized Well-known Attribute",
	[BGP_ERR_UPD_MISSING] = "Missing Well-known Attribute",
	[BGP_ERR_UPD_FLAGS] = "Attribute Flags Error",
	[BGP_ERR_UPD_LENGTH] = "Attribute Length Error",
	[BGP_ERR_UPD_ORIGIN] = "Invalid ORIGIN Attribute",
	[BGP_ERR_UPD_NEXTHOP] = "Invalid NEXT_HOP Attribute",
	[BGP_ERR_UPD_OPTIONAL] = "Optional Attribute Error",
	[BGP_ERR_UPD_NETWORK] = "Invalid Network Field",
	[BGP_ERR_UPD_AS_PATH] = "Malformed AS_PATH",
};

static const char *const fsm_sub_names[] = {
	[BGP_ERR_FSM_OPENSENT] = "Receive Unexpected Message in OpenSent State",
	[BGP_ERR_FSM_OPENCONFIRM] = "Receive Unexpected Message in OpenConfirm State",
	[BGP_ERR_FSM_ESTABLISHED] = "Receive Unexpected Message in Established State",
};

static const char *const cease_sub_names[] = {
	[BGP_ERR_CEASE_MAX_PREFIX] = "Maximum Number of Prefixes Reached",
	[BGP_ERR_CEASE_ADMIN_SHUTDOWN] = "Administrative Shutdown",
	[BGP_ERR_CEASE_DECONFIGURED] = "Peer De-configured",
	[BGP_ERR_CEASE_ADMIN_RESET] = "Administrative Reset",
	[BGP_ERR_CEASE_REJECTED] = "Connection Rejected",
	[BGP_ERR_CEASE_CONFIG_CHANGE] = "Other Configuration Change",
	[BGP_ERR_CEASE_COLLISION] = "Connection Collision Resolution",
	[BGP_ERR_CEASE_RESOURCES] = "Out of Resources",
	[BGP_ERR_CEASE_HARD_RESET] = "Hard Reset",
	[BGP_ERR_CEASE_BFD_DOWN] = "BFD Down",
};

#define NAME_AT(tab, i) \
	((i) < sizeof(tab) / sizeof((tab)[0]) && (tab)[i] ? (tab)[i] : NULL)

const char *
bgp_err_code_name(uint8_t code)
{
	const char *s = NAME_AT(err_code_names, code);

	return s ? s : "Unknown Error";
}

const char *
bgp_err_subcode_name(uint8_t code, uint8_t subcode)
{
	const char *s = NULL;

	if (subcode == BGP_ERRSUB_UNSPECIFIC)
		return "Unspecific";
	switch (code) {
	case BGP_ERR_HEADER:
		s = NAME_AT(hdr_sub_names, subcode);
		break;
	case BGP_ERR_OPEN:
		s = NAME_AT(open_sub_names, subcode);
		break;
	case BGP_ERR_UPDATE:
		s = NAME_AT(update_sub_names, subcode);
		break;
	case BGP_ERR_FSM:
		s = NAME_AT(fsm_sub_names, subcode);
		break;
	case BGP_ERR_CEASE:
		s = NAME_AT(cease_sub_names, subcode);
		break;
	case BGP_ERR_ROUTE_REFRESH:
		if (subcode == BGP_ERR_RR_BAD_LEN)
			s = "Invalid Message Length";
		break;
	default:
		break;
	}
	return s ? s : "Unknown Subcode";
}

char *
bgp_notification_format(const struct bgp_notification *n, char *out, size_t outlen)
{
	size_t o;
	int r;

	if (!outlen)
		return out;
	r = snprintf(out, outlen, "%s/%s", bgp_err_code_name(n->code),
	    bgp_err_subcode_name(n->code, n->subcode));
	o = r < 0 ? 0 : (size_t)r;
	if (n->has_shutdown_msg) {
		/* The text is the peer's: show it quoted, control characters escaped. */
		if (o < outlen)
			o += (size_t)snprintf(out + o, outlen - o, ": \"");
		for (const char *s = n->shutdown_msg; *s && o + 5 < outlen; s++) {
			uint8_t c = (uint8_t)*s;

			if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
				o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
			else
				out[o++] = (char)c;
		}
		if (o + 1 < outlen) {
			out[o++] = '"';
			out[o] = '\0';
		}
	} else if (n->datalen) {
		if (o < outlen)
			o += (size_t)snprintf(out + o, outlen - o, " data");
		for (size_t i = 0; i < n->datalen && o + 4 < outlen; i++)
			o += (size_t)snprintf(out + o, outlen - o, " %02x", n->data[i]);
	}
	out[outlen - 1] = '\0';
	return out;
}

/* ---- KEEPALIVE, ROUTE-REFRESH ---- */

void
bgp_keepalive_encode(struct buf_writer *bw)
{
	size_t off = bgp_hdr_begin(bw, BGP_MSG_KEEPALIVE);

	bgp_hdr_finish(bw, off, BGP_MAX_LEN);
}

int
bgp_route_refresh_decode(const uint8_t *body, size_t len, struct bgp_route_refresh *rr,
    struct bgp_err *err)
{
	struct buf_reader br;

	memset(rr, 0, sizeof(*rr));
	br_init(&br, body, len);
	if (br_be16(&br, &rr->afi) || br_u8(&br, &rr->subtype) || br_u8(&br, &rr->safi))
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_HEADER,
		    BGP_ERR_HDR_BAD_LEN, NULL, 0, "ROUTE-REFRESH shorter than 4 octets");
	/* RFC 7313 §5: BoRR/EoRR must be exactly 4 octets; data is the whole body.
	 * A normal request may carry ORFs (RFC 5291), which we did not offer: ignored. */
	if ((rr->subtype == BGP_RR_BORR || rr->subtype == BGP_RR_EORR) &&
	    len != BGP_ROUTE_REFRESH_BODY_LEN)
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_ROUTE_REFRESH,
		    BGP_ERR_RR_BAD_LEN, body, len, "ROUTE-REFRESH subtype %u with %zu octets",
		    rr->subtype, len);
	return 0;
}

void
bgp_route_refresh_encode(struct buf_writer *bw, uint16_t afi, uint8_t safi, uint8_t subtype)
{
	size_t off = bgp_hdr_begin(bw, BGP_MSG_ROUTE_REFRESH);

	bw_be16(bw, afi);
	bw_u8(bw, subtype);
	bw_u8(bw, safi);
	bgp_hdr_finish(bw, off, BGP_MAX_LEN);
}

/* ---- any message ---- */

int
bgp_msg_decode(const struct bgp_wire_ctx *ctx, const uint8_t *msg, size_t len,
    struct bgp_msg *m, struct bgp_err *err)
{
	const uint8_t *body = msg + BGP_HDR_LEN;
	struct bgp_hdr h = { 0 };
	size_t blen;
	int rc;

	memset(m, 0, sizeof(*m));
	bgp_err_clear(err);
	rc = bgp_hdr_decode(msg, len, bgp_wire_max_len(ctx), &h, err);
	if (rc == -EAGAIN)
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_HEADER,
		    BGP_ERR_HDR_BAD_LEN, NULL, 0, "message shorter than a header");
	if (rc)
		return rc;
	if (h.len != len)
		return bgp_err_set(err, BGP_ACT_SESSION_RESET, BGP_ERR_HEADER,
		    BGP_ERR_HDR_BAD_LEN, NULL, 0, "length field %u but %zu octets", h.len, len);
	m->type = h.type;
	blen = len - BGP_HDR_LEN;
	switch (h.type) {
	case BGP_MSG_OPEN:
		return bgp_open_decode(body, blen, &m->u.open, err);
	case BGP_MSG_UPDATE:
		bgp_update_init(&m->u.update);
		return bgp_update_decode(ctx, body, blen, &m->u.update, err);
	case BGP_MSG_NOTIFICATION:
		return bgp_notification_decode(body, blen, &m->u.notification);
	case BGP_MSG_ROUTE_REFRESH:
		return bgp_route_refresh_decode(body, blen, &m->u.route_refresh, err);
	default:
		return 0;	/* KEEPALIVE: no body */
	}
}

void
bgp_msg_free(struct bgp_msg *m)
{
	if (m && m->type == BGP_MSG_UPDATE)
		bgp_update_free(&m->u.update);
	if (m)
		m->type = 0;
}
