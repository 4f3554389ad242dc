// SPDX-License-Identifier: MIT
/*
 * bgp-wire-bench: throughput of the wire codec on real data. Loads an MRT file
 * (tests/helpers/mrt), then times (1) one pass of load + gunzip + decode of every
 * BGP4MP message, the same job `bgpdump -m` does, (2) repeated decode passes over
 * the messages already in memory, and (3) packing N IPv4 and IPv6 prefixes into
 * UPDATEs. Prints one "key value" per line for bench/bgp_wire/run.sh, which holds
 * the anchor (bgpdump on the same file, same run) and the ratios.
 * Usage: bgp-wire-bench MRT_FILE [MIN_SECONDS]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgp/msg.h"
#include "lib/clock.h"
#include "tests/helpers/mrt.h"

struct msgref {
	const uint8_t	*p;
	size_t		 len;
	bool		 as4;
};

/* Decode every message once; returns prefixes seen (announced + withdrawn). */
static size_t
decode_pass(const struct msgref *m, size_t n, size_t *errors)
{
	struct bgp_wire_ctx ctx = { .ext_msg = true, .families =
	    BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) | BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST) };
	static struct bgp_msg msg;
	size_t pfx = 0;

	for (size_t i = 0; i < n; i++) {
		struct bgp_err err;

		ctx.as4 = m[i].as4;
		bgp_err_clear(&err);
		if (bgp_msg_decode(&ctx, m[i].p, m[i].len, &msg, &err) == 0 &&
		    msg.type == BGP_MSG_UPDATE) {
			const struct bgp_update *u = &msg.u.update;

			pfx += u->nnlri + u->nwithdrawn + u->mp_reach.nnlri +
			    u->mp_unreach.nwithdrawn;
		}
		if (err.action != BGP_ACT_NONE)
			(*errors)++;
		bgp_msg_free(&msg);
	}
	return pfx;
}

static int
collect(const uint8_t *data, size_t len, struct msgref **out, size_t *n)
{
	struct mrt_reader r;
	struct mrt_record rec;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	mrt_reader_init(&r, data, len);
	while (mrt_next(&r, &rec) == 1) {
		struct mrt_bgp4mp m;

		if (mrt_bgp4mp_decode(&rec, &m) || m.state_change)
			continue;
		if (*n == cap) {
			struct msgref *nv;

			cap = cap ? cap * 2 : 4096;
			nv = realloc(*out, cap * sizeof(**out));
			if (!nv)
				return -ENOMEM;
			*out = nv;
		}
		(*out)[(*n)++] = (struct msgref){ m.msg, m.msglen, m.as4 };
	}
	return 0;
}

static double
pack_bench(int family, size_t npfx, size_t *msgs)
{
	struct bgp_wire_ctx ctx = { .as4 = true, .families =
	    BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) | BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST) };
	struct prefix *p = calloc(npfx, sizeof(*p));
	struct bgp_nexthop nh = { 0 };
	struct bgp_attrs a;
	struct buf_writer bw;
	uint32_t asn = 65001;
	double t0, t;

	*msgs = 0;
	if (!p)
		return -1;
	for (size_t i = 0; i < npfx; i++) {
		p[i].addr.family = (uint8_t)family;
		if (family == AF_INET) {
			addr_from_v4(&p[i].addr, 0x0a000000u + (uint32_t)(i << 8));
			p[i].len = 24;
		} else {
			p[i].addr.bytes[0] = 0x20;
			p[i].addr.bytes[1] = 0x01;
			p[i].addr.bytes[2] = (uint8_t)(i >> 16);
			p[i].addr.bytes[3] = (uint8_t)(i >> 8);
			p[i].addr.bytes[4] = (uint8_t)i;
			p[i].len = 48;
		}
	}
	addr_parse(family == AF_INET ? "192.0.2.1" : "2001:db8::1", &nh.global);
	bgp_attrs_init(&a);
	a.origin = BGP_ORIGIN_IGP;
	bgp_as_path_append(&a.as_path, BGP_AS_SEQUENCE, &asn, 1);
	a.present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH);
	bw_init_dyn(&bw, 0);
	t0 = clock_s(CLOCK_MONOTONIC);
	for (size_t done = 0; done < npfx;) {
		int r = bgp_update_pack(&ctx, &bw, &a, &nh, p + done, npfx - done);

		if (r <= 0)
			break;
		done += (size_t)r;
		(*msgs)++;
		bw_reset(&bw);	/* as a session would after queueing the message */
	}
	t = clock_s(CLOCK_MONOTONIC) - t0;
	bw_free(&bw);
	bgp_attrs_free(&a);
	free(p);
	return t;
}

int
main(int argc, char **argv)
{
	double min_s = argc > 2 ? atof(argv[2]) : 1.0, t0, t1, once, per_pass;
	size_t len, n, pfx = 0, errors = 0, passes = 0, msgs;
	struct msgref *m;
	uint8_t *data;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s MRT_FILE [MIN_SECONDS]\n", argv[0]);
		return 2;
	}
	/* (1) the bgpdump-shaped job: gunzip + MRT + decode, once. */
	t0 = clock_s(CLOCK_MONOTONIC);
	rc = mrt_file_load(argv[1], &data, &len);
	if (rc) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(-rc));
		return 1;
	}
	if (collect(data, len, &m, &n)) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	pfx = decode_pass(m, n, &errors);
	once = clock_s(CLOCK_MONOTONIC) - t0;
	printf("messages %zu\nprefixes %zu\ndecode_errors %zu\nload_decode_once_s %.6f\n", n, pfx,
	    errors, once);
	/* (2) decode only, repeated until min_s. */
	t0 = clock_s(CLOCK_MONOTONIC);
	do {
		decode_pass(m, n, &errors);
		passes++;
		t1 = clock_s(CLOCK_MONOTONIC);
	} while (t1 - t0 < min_s);
	per_pass = (t1 - t0) / (double)passes;
	printf("decode_passes %zu\ndecode_pass_s %.6f\ndecode_msgs_per_s %.0f\n"
	    "decode_prefixes_per_s %.0f\n", passes, per_pass, (double)n / per_pass,
	    (double)pfx / per_pass);
	/* (3) packing. */
	t0 = pack_bench(AF_INET, 1000000, &msgs);
	printf("pack_v4_prefixes 1000000\npack_v4_msgs %zu\npack_v4_s %.6f\n", msgs, t0);
	t0 = pack_bench(AF_INET6, 1000000, &msgs);
	printf("pack_v6_prefixes 1000000\npack_v6_msgs %zu\npack_v6_s %.6f\n", msgs, t0);
	free(m);
	free(data);
	return 0;
}
