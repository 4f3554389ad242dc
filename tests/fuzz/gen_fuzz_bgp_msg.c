// SPDX-License-Identifier: MIT
/*
 * Writes the seed corpus of fuzz_bgp_msg (one file per seed: mode octet +
 * messages) with our own encoder: every message type, every capability, every
 * attribute, both AS modes, IPv4 and IPv6, End-of-RIB, plus a few RFC 7606
 * malformations so the fuzzer starts next to the error paths; and, from an MRT
 * file of real RIS data, up to MRT_SEEDS UPDATEs with distinct attribute sets.
 * Usage: gen_fuzz_bgp_msg DIR [MRT]   (make fuzz-seeds-bgp)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/msg.h"
#include "tests/fuzz/fuzz_bgp_msg.h"
#include "tests/helpers/mrt.h"

#define MRT_SEEDS	12

static const char *dir;
static int nwritten;

static void
seed_bytes(const char *name, uint8_t mode, const uint8_t *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(&mode, 1, 1, f) != 1 || fwrite(data, 1, len, f) != len ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	nwritten++;
}

static void
seed(const char *name, uint8_t mode, const struct buf_writer *bw)
{
	if (bw_error(bw)) {
		fprintf(stderr, "seed %s: encode error %d\n", name, bw_error(bw));
		exit(1);
	}
	seed_bytes(name, mode, bw->data, bw->len);
}

static void
raw_update(struct buf_writer *bw, const uint8_t *attrs, size_t alen, const uint8_t *nlri,
    size_t nlen)
{
	size_t off = bgp_hdr_begin(bw, BGP_MSG_UPDATE);

	bw_be16(bw, 0);
	bw_be16(bw, (uint16_t)alen);
	bw_bytes(bw, attrs, alen);
	bw_bytes(bw, nlri, nlen);
	bgp_hdr_finish(bw, off, BGP_EXT_MAX_LEN);
}

static void
attrs_full(struct bgp_attrs *a, bool with_ibgp)
{
	static const uint32_t seq[] = { 65001, 4200000001u, 65002 };
	static const uint32_t set[] = { 65003, 4200000004u };
	static const uint8_t unk[] = { 1, 2, 3, 4, 5 };
	struct bgp_large_comm lc = { 65000, 7, 8 };

	bgp_attrs_init(a);
	a->origin = BGP_ORIGIN_INCOMPLETE;
	bgp_as_path_append(&a->as_path, BGP_AS_SEQUENCE, seq, 3);
	bgp_as_path_append(&a->as_path, BGP_AS_SET, set, 2);
	addr_from_v4(&a->next_hop, 0xc0000201);
	a->med = 5;
	a->local_pref = 150;
	a->aggregator_as = 4200000009u;
	a->aggregator_id = 0x0a000009;
	a->present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH) |
	    BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP) | BGP_ATTR_BIT(BGP_ATTR_MED) |
	    BGP_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE) | BGP_ATTR_BIT(BGP_ATTR_AGGREGATOR);
	if (with_ibgp) {
		a->present |= BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF) |
		    BGP_ATTR_BIT(BGP_ATTR_ORIGINATOR_ID) | BGP_ATTR_BIT(BGP_ATTR_CLUSTER_LIST);
		a->originator_id = 0x0a000001;
		a->cluster_list = malloc(sizeof(uint32_t));
		if (!a->cluster_list)
			exit(1);
		a->cluster_list[0] = 0x0a000002;
		a->ncluster = 1;
	}
	bgp_attrs_add_community(a, 0xfde80001);
	bgp_attrs_add_community(a, BGP_COMM_NO_EXPORT);
	bgp_attrs_add_large_community(a, &lc);
	a->ext_communities = malloc(sizeof(uint64_t));
	if (!a->ext_communities)
		exit(1);
	a->ext_communities[0] = UINT64_C(0x0002fde800000064);
	a->next_communities = 1;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_EXT_COMMUNITIES);
	bgp_attrs_add_unknown(a, BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE, 99, unk,
	    sizeof(unk));
}

static void
seeds_messages(void)
{
	struct buf_writer bw;
	struct bgp_open o;

	bw_init_dyn(&bw, BGP_EXT_MAX_LEN);
	bgp_open_init(&o, 4200000001u, 90, 0x0a000001);
	bgp_caps_add_mp(&o.caps, BGP_AFI_IPV4, BGP_SAFI_UNICAST);
	bgp_caps_add_mp(&o.caps, BGP_AFI_IPV6, BGP_SAFI_UNICAST);
	o.caps.route_refresh = o.caps.enhanced_rr = o.caps.ext_msg = o.caps.gr = true;
	o.caps.gr_flags = BGP_GR_FLAG_RESTART | BGP_GR_FLAG_NOTIFICATION;
	o.caps.gr_time = 120;
	bgp_caps_add_gr_af(&o.caps, BGP_AFI_IPV4, BGP_SAFI_UNICAST, BGP_GR_AF_FORWARDING);
	bgp_caps_add_gr_af(&o.caps, BGP_AFI_IPV6, BGP_SAFI_UNICAST, 0);
	o.caps.nunknown = 1;
	o.caps.unknown[0].code = BGP_CAP_FQDN;
	o.caps.unknown[0].len = 5;
	memcpy(o.caps.unknown[0].data, "\x03node\x00", 5);
	bgp_open_encode(&bw, &o);
	bgp_keepalive_encode(&bw);
	seed("open_all_caps_keepalive", FUZZ_MODE_AS4, &bw);

	bw_reset(&bw);
	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.my_as = 65001;
	o.hold_time = 3;
	o.bgp_id = 1;
	bgp_open_encode(&bw, &o);
	seed("open_no_caps", 0, &bw);

	bw_reset(&bw);
	bgp_notification_encode_shutdown(&bw, BGP_ERR_CEASE_ADMIN_SHUTDOWN, "maintenance window");
	seed("notification_shutdown", FUZZ_MODE_AS4, &bw);

	bw_reset(&bw);
	bgp_notification_encode(&bw, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTR_LIST, "\x40\x01\x01\x05", 4);
	seed("notification_update_err", 0, &bw);

	bw_reset(&bw);
	bgp_route_refresh_encode(&bw, BGP_AFI_IPV4, BGP_SAFI_UNICAST, BGP_RR_NORMAL);
	bgp_route_refresh_encode(&bw, BGP_AFI_IPV6, BGP_SAFI_UNICAST, BGP_RR_BORR);
	bgp_route_refresh_encode(&bw, BGP_AFI_IPV6, BGP_SAFI_UNICAST, BGP_RR_EORR);
	seed("route_refresh", FUZZ_MODE_AS4 | FUZZ_MODE_V6, &bw);

	bw_reset(&bw);
	bgp_eor_encode(&bw, BGP_AFI_IPV4, BGP_SAFI_UNICAST);
	bgp_eor_encode(&bw, BGP_AFI_IPV6, BGP_SAFI_UNICAST);
	seed("end_of_rib", FUZZ_MODE_AS4 | FUZZ_MODE_V6, &bw);
	bw_free(&bw);
}

static void
seeds_updates(void)
{
	struct bgp_wire_ctx c4 = { .as4 = true, .families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) |
	    BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST) };
	struct bgp_wire_ctx c2 = { .families = c4.families };
	struct bgp_wire_ctx ce = { .as4 = true, .ebgp = true, .families = c4.families };
	struct bgp_nexthop nh4 = { 0 }, nh6 = { 0 };
	struct prefix p4[40], p6[20];
	struct buf_writer bw;
	struct bgp_attrs a;

	addr_parse("192.0.2.1", &nh4.global);
	addr_parse("2001:db8::1", &nh6.global);
	addr_parse("fe80::1", &nh6.ll);
	nh6.has_ll = true;
	for (unsigned i = 0; i < 40; i++) {
		addr_from_v4(&p4[i].addr, 0x0a000000u | i << 12);
		p4[i].len = (uint8_t)(8 + i % 25);
		prefix_normalize(&p4[i]);
	}
	for (unsigned i = 0; i < 20; i++) {
		addr_parse("2001:db8::", &p6[i].addr);
		p6[i].addr.bytes[4] = (uint8_t)i;
		p6[i].len = (uint8_t)(32 + i * 4);
		prefix_normalize(&p6[i]);
	}
	bw_init_dyn(&bw, BGP_EXT_MAX_LEN);

	attrs_full(&a, true);
	bgp_update_pack(&c4, &bw, &a, &nh4, p4, 40);
	seed("update_v4_ibgp_as4_all_attrs", FUZZ_MODE_AS4 | FUZZ_MODE_V6, &bw);
	bw_reset(&bw);
	bgp_update_pack(&c2, &bw, &a, &nh4, p4, 10);
	seed("update_v4_as2_as4path", FUZZ_MODE_V6, &bw);
	bw_reset(&bw);
	bgp_update_pack(&c4, &bw, &a, &nh6, p6, 20);
	bgp_update_pack(&c4, &bw, NULL, NULL, p6, 5);
	bgp_update_pack(&c4, &bw, NULL, NULL, p4, 12);
	seed("update_v6_mp_reach_unreach", FUZZ_MODE_AS4 | FUZZ_MODE_V6, &bw);
	bw_reset(&bw);
	bgp_update_pack(&c2, &bw, &a, &nh6, p6, 20);
	seed("update_v6_as2", FUZZ_MODE_V6, &bw);
	bgp_attrs_free(&a);

	bw_reset(&bw);
	attrs_full(&a, false);
	bgp_as_path_free(&a.as_path);
	bgp_as_path_append(&a.as_path, BGP_AS_SEQUENCE, (const uint32_t[]){ FUZZ_PEER_AS,
	    65010 }, 2);
	bgp_update_pack(&ce, &bw, &a, &nh4, p4, 3);
	seed("update_ebgp_first_as", FUZZ_MODE_AS4 | FUZZ_MODE_EBGP | FUZZ_MODE_FIRST_AS, &bw);
	bgp_attrs_free(&a);

	/* Hand-made malformations from the RFC 7606 table. */
	{
		static const uint8_t bad_path[] = { 0x40, BGP_ATTR_ORIGIN, 1, 0, 0x40,
		    BGP_ATTR_AS_PATH, 6, 7, 1, 0, 0, 0xfd, 0xe9, 0x40, BGP_ATTR_NEXT_HOP, 4, 192,
		    0, 2, 1 };
		static const uint8_t dup_mp[] = { 0x80, BGP_ATTR_MP_UNREACH_NLRI, 3, 0,
		    BGP_AFI_IPV6, BGP_SAFI_UNICAST, 0x80, BGP_ATTR_MP_UNREACH_NLRI, 3, 0,
		    BGP_AFI_IPV6, BGP_SAFI_UNICAST };
		static const uint8_t nh12[] = { 0x90, BGP_ATTR_MP_REACH_NLRI, 0, 19, 0,
		    BGP_AFI_IPV6, BGP_SAFI_UNICAST, 12, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 1,
		    0, 16, 0x20, 1 };
		static const uint8_t as4[] = { 0x40, BGP_ATTR_ORIGIN, 1, 0, 0x40, BGP_ATTR_AS_PATH,
		    4, 2, 1, 0x5b, 0xa0, 0x40, BGP_ATTR_NEXT_HOP, 4, 192, 0, 2, 1, 0xc0,
		    BGP_ATTR_AS4_PATH, 6, 2, 1, 0xfa, 0x56, 0xea, 0x01 };
		static const uint8_t nlri[] = { 24, 198, 51, 100 };

		bw_reset(&bw);
		raw_update(&bw, bad_path, sizeof(bad_path), nlri, sizeof(nlri));
		seed("malformed_as_path_segment", FUZZ_MODE_AS4, &bw);
		bw_reset(&bw);
		raw_update(&bw, dup_mp, sizeof(dup_mp), NULL, 0);
		seed("duplicate_mp_unreach", FUZZ_MODE_AS4 | FUZZ_MODE_V6, &bw);
		bw_reset(&bw);
		raw_update(&bw, nh12, sizeof(nh12), NULL, 0);
		seed("mp_reach_bad_nexthop_len", FUZZ_MODE_AS4 | FUZZ_MODE_V6, &bw);
		bw_reset(&bw);
		raw_update(&bw, as4, sizeof(as4), nlri, sizeof(nlri));
		seed("as4_path_merge", 0, &bw);
	}
	bw_free(&bw);
}


/* Real UPDATEs: one seed per distinct (AS mode, attribute set, MP use) signature. */
static void
seeds_mrt(const char *path)
{
	uint64_t sigs[MRT_SEEDS];
	size_t nsigs = 0, len;
	struct mrt_reader r;
	struct mrt_record rec;
	uint8_t *data;
	int rc;

	rc = mrt_file_load(path, &data, &len);
	if (rc) {
		fprintf(stderr, "%s: %s\n", path, strerror(-rc));
		exit(1);
	}
	mrt_reader_init(&r, data, len);
	while (nsigs < MRT_SEEDS && mrt_next(&r, &rec) == 1) {
		struct bgp_wire_ctx ctx = { .ext_msg = true, .families =
		    BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) | BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST) };
		struct mrt_bgp4mp m;
		struct bgp_msg msg;
		struct bgp_err err;
		uint64_t sig;
		bool dup = false;
		char name[64];

		if (mrt_bgp4mp_decode(&rec, &m) || m.state_change)
			continue;
		ctx.as4 = m.as4;
		if (bgp_msg_decode(&ctx, m.msg, m.msglen, &msg, &err) || msg.type != BGP_MSG_UPDATE) {
			bgp_msg_free(&msg);
			continue;
		}
		sig = msg.u.update.attrs.present ^ (uint64_t)m.as4 << 63 ^
		    (uint64_t)msg.u.update.has_mp_reach << 62 ^
		    (uint64_t)msg.u.update.has_mp_unreach << 61 ^
		    (uint64_t)(msg.u.update.nwithdrawn > 0) << 60;
		bgp_msg_free(&msg);
		for (size_t i = 0; i < nsigs; i++)
			dup |= sigs[i] == sig;
		if (dup)
			continue;
		sigs[nsigs++] = sig;
		snprintf(name, sizeof(name), "ris_update_%02zu", nsigs);
		seed_bytes(name, (uint8_t)((m.as4 ? FUZZ_MODE_AS4 : 0) | FUZZ_MODE_EXT_MSG |
		    FUZZ_MODE_V6), m.msg, m.msglen);
	}
	free(data);
}

int
main(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s DIR [MRT]\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	seeds_messages();
	seeds_updates();
	if (argc == 3)
		seeds_mrt(argv[2]);
	printf("%d seeds written to %s\n", nwritten, dir);
	return 0;
}
