// SPDX-License-Identifier: MIT
/*
 * MRT (RFC 6396) reader: file loading (zlib for .gz), record framing, BGP4MP
 * splitting and TABLE_DUMP_V2 walking. See mrt.h. No BGP decoding here.
 */
#include "tests/helpers/mrt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <zlib.h>

#define MRT_AFI_IPV4	1
#define MRT_AFI_IPV6	2
#define LOAD_CHUNK	(1u << 20)
#define LOAD_MAX	((size_t)1 << 31)	/* refuse absurd files */

int
mrt_file_load(const char *path, uint8_t **data, size_t *len)
{
	gzFile f;
	uint8_t *buf = NULL, *nb;
	size_t cap = 0, n = 0;
	int r;

	*data = NULL;
	*len = 0;
	f = gzopen(path, "rb");	/* reads plain files as they are */
	if (!f)
		return errno ? -errno : -ENOMEM;
	for (;;) {
		if (cap - n < LOAD_CHUNK) {
			if (cap + LOAD_CHUNK > LOAD_MAX) {
				r = -EFBIG;
				goto fail;
			}
			nb = realloc(buf, cap + LOAD_CHUNK);
			if (!nb) {
				r = -ENOMEM;
				goto fail;
			}
			buf = nb;
			cap += LOAD_CHUNK;
		}
		r = gzread(f, buf + n, LOAD_CHUNK);
		if (r < 0) {
			r = -EIO;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	gzclose(f);
	*data = buf;
	*len = n;
	return 0;
fail:
	gzclose(f);
	free(buf);
	return r;
}

void
mrt_reader_init(struct mrt_reader *r, const uint8_t *data, size_t len)
{
	br_init(&r->br, data, len);
}

int
mrt_next(struct mrt_reader *r, struct mrt_record *rec)
{
	struct buf_reader body;
	size_t start = br_offset(&r->br);
	uint32_t len;

	if (br_empty(&r->br))
		return 0;
	memset(rec, 0, sizeof(*rec));
	rec->offset = start;
	if (br_be32(&r->br, &rec->timestamp) || br_be16(&r->br, &rec->type) ||
	    br_be16(&r->br, &rec->subtype) || br_be32(&r->br, &len) ||
	    br_sub(&r->br, len, &body))
		return -EBADMSG;
	if (rec->type == MRT_BGP4MP_ET) {
		if (br_be32(&body, &rec->usec))
			return -EBADMSG;
	}
	rec->body = body.data + br_offset(&body);
	rec->len = br_left(&body);
	return 1;
}

static int
read_ip(struct buf_reader *br, uint16_t afi, struct addr *a)
{
	uint8_t b[16];
	size_t n;

	if (afi == MRT_AFI_IPV4)
		n = 4;
	else if (afi == MRT_AFI_IPV6)
		n = 16;
	else
		return -EBADMSG;
	if (br_bytes(br, b, n))
		return -EBADMSG;
	return addr_from_bytes(a, n == 4 ? AF_INET : AF_INET6, b, n) ? -EBADMSG : 0;
}

int
mrt_bgp4mp_decode(const struct mrt_record *rec, struct mrt_bgp4mp *m)
{
	struct buf_reader br;
	uint16_t as2;

	memset(m, 0, sizeof(*m));
	if (rec->type != MRT_BGP4MP && rec->type != MRT_BGP4MP_ET)
		return -ENOTSUP;
	switch (rec->subtype) {
	case MRT_BGP4MP_STATE_CHANGE:
		m->state_change = true;
		break;
	case MRT_BGP4MP_STATE_CHANGE_AS4:
		m->state_change = m->as4 = true;
		break;
	case MRT_BGP4MP_MESSAGE:
		break;
	case MRT_BGP4MP_MESSAGE_AS4:
		m->as4 = true;
		break;
	case MRT_BGP4MP_MESSAGE_LOCAL:
		m->local = true;
		break;
	case MRT_BGP4MP_MESSAGE_AS4_LOCAL:
		m->as4 = m->local = true;
		break;
	case MRT_BGP4MP_MESSAGE_ADDPATH:
		m->add_path = true;
		break;
	case MRT_BGP4MP_MESSAGE_AS4_ADDPATH:
		m->as4 = m->add_path = true;
		break;
	case MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH:
		m->local = m->add_path = true;
		break;
	case MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH:
		m->as4 = m->local = m->add_path = true;
		break;
	default:
		return -ENOTSUP;
	}
	br_init(&br, rec->body, rec->len);
	if (m->as4) {
		if (br_be32(&br, &m->peer_as) || br_be32(&br, &m->local_as))
			return -EBADMSG;
	} else {
		if (br_be16(&br, &as2))
			return -EBADMSG;
		m->peer_as = as2;
		if (br_be16(&br, &as2))
			return -EBADMSG;
		m->local_as = as2;
	}
	if (br_be16(&br, &m->ifindex) || br_be16(&br, &m->afi) ||
	    read_ip(&br, m->afi, &m->peer_ip) || read_ip(&br, m->afi, &m->local_ip))
		return -EBADMSG;
	if (m->state_change)
		return br_be16(&br, &m->old_state) || br_be16(&br, &m->new_state) ? -EBADMSG : 0;
	m->msg = br.data + br_offset(&br);
	m->msglen = br_left(&br);
	return 0;
}

int
mrt_peer_index_decode(const struct mrt_record *rec, struct mrt_peer_index *pi)
{
	struct buf_reader br;
	uint16_t namelen, count;

	if (rec->type != MRT_TABLE_DUMP_V2 || rec->subtype != MRT_TDV2_PEER_INDEX_TABLE)
		return -ENOTSUP;
	memset(pi, 0, sizeof(*pi));
	br_init(&br, rec->body, rec->len);
	if (br_be32(&br, &pi->collector_id) || br_be16(&br, &namelen) ||
	    br_skip(&br, namelen) || br_be16(&br, &count))
		return -EBADMSG;
	if (count > MRT_PEERS_MAX)
		return -E2BIG;
	for (uint16_t i = 0; i < count; i++) {
		struct mrt_peer *p = &pi->peers[i];
		uint8_t type;
		uint16_t as2;

		/* Peer type bit 0: IPv6 address; bit 1: 4-octet AS (§4.3.1). */
		if (br_u8(&br, &type) || br_be32(&br, &p->bgp_id) ||
		    read_ip(&br, (type & 1) ? MRT_AFI_IPV6 : MRT_AFI_IPV4, &p->ip))
			return -EBADMSG;
		if (type & 2) {
			if (br_be32(&br, &p->as))
				return -EBADMSG;
		} else {
			if (br_be16(&br, &as2))
				return -EBADMSG;
			p->as = as2;
		}
	}
	pi->npeers = count;
	return 0;
}

int
mrt_rib_decode(const struct mrt_record *rec, struct mrt_rib *rib)
{
	struct buf_reader br;
	uint8_t plen, bytes[16] = { 0 };
	int family;

	if (rec->type != MRT_TABLE_DUMP_V2)
		return -ENOTSUP;
	if (rec->subtype == MRT_TDV2_RIB_IPV4_UNICAST)
		family = AF_INET;
	else if (rec->subtype == MRT_TDV2_RIB_IPV6_UNICAST)
		family = AF_INET6;
	else
		return -ENOTSUP;
	memset(rib, 0, sizeof(*rib));
	br_init(&br, rec->body, rec->len);
	if (br_be32(&br, &rib->seq) || br_u8(&br, &plen) ||
	    plen > (family == AF_INET ? ADDR_V4_BITS : ADDR_V6_BITS) ||
	    br_bytes(&br, bytes, (plen + 7u) / 8) || br_be16(&br, &rib->nentries))
		return -EBADMSG;
	addr_from_bytes(&rib->prefix.addr, family, bytes, family == AF_INET ? 4 : 16);
	rib->prefix.len = plen;
	prefix_normalize(&rib->prefix);
	br_sub(&br, br_left(&br), &rib->entries);
	return 0;
}

int
mrt_rib_next(struct mrt_rib *rib, struct mrt_rib_entry *e)
{
	struct buf_reader a;
	uint16_t alen;

	if (br_empty(&rib->entries))
		return 0;
	if (br_be16(&rib->entries, &e->peer_index) || br_be32(&rib->entries, &e->originated) ||
	    br_be16(&rib->entries, &alen) || br_sub(&rib->entries, alen, &a))
		return -EBADMSG;
	e->attrs = a.data;
	e->attrs_len = alen;
	return 1;
}
