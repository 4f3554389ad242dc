// SPDX-License-Identifier: MIT
/*
 * bench-ipam: IPAM throughput, each figure next to an anchor measured in the same
 * run on the same machine:
 *   - allocations/s on SQLite (WAL, synchronous=FULL: every allocation is fsync'ed)
 *     vs the anchor "one durable put" (a one-key store transaction);
 *   - allocations/s on etcd 3.4 (data dir on disk; etcd fsyncs its WAL per commit)
 *     vs the same put anchor over the JSON gateway;
 *   - the advertise set for 1,048,576 owned addresses (full computation, and the
 *     mean cost of one incremental change) vs the anchor "insert the same 1M host
 *     prefixes into a plain lib/trie".
 * Usage: bench-ipam [--allocs N] [--no-etcd]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipam/ipam.h"
#include "lib/clock.h"
#include "lib/diag.h"
#include "lib/store.h"
#include "lib/trie.h"
#include "tests/unit/lib/test_store_harness.h"
#include "tests/helpers/xorshift.h"

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint64_t
rnd(void)
{
	return xorshift64s(&rng);
}

/* Anchor: n one-key durable writes starting at key number from. Returns seconds. */
static double
bench_put(struct store *s, int from, int n)
{
	char k[64], v[32];
	double t0 = clock_s(CLOCK_MONOTONIC);
	int i;

	for (i = from; i < from + n; i++) {
		snprintf(k, sizeof(k), "/bench/put/%d", i);
		snprintf(v, sizeof(v), "%d", i);
		if (store_put_str(s, k, v))
			return -1;
	}
	return clock_s(CLOCK_MONOTONIC) - t0;
}

static struct ipam *
bench_pool(struct store *s, const char *pool, const char *cidr, int block)
{
	char json[256];
	struct ipam_pool p;
	struct ipam *im;
	struct diag d;

	diag_init(&d, NULL);
	snprintf(json, sizeof(json), "{\"name\":\"%s\",\"cidr\":\"%s\",\"block\":%d}", pool,
	    cidr, block);
	if (ipam_open(s, "bench-node", &im, &d))
		goto fail;
	if (ipam_pool_parse_json(json, strlen(json), &p, &d) || ipam_pool_put(im, &p, &d)) {
		ipam_close(im);
		goto fail;
	}
	return im;
fail:
	fprintf(stderr, "bench-ipam: %s\n", d.msg);
	return NULL;
}

/* n allocations from pool starting at container number from. Returns seconds. */
static double
bench_alloc(struct ipam *im, const char *pool, int from, int n)
{
	struct diag d;
	char cid[32];
	double t0 = clock_s(CLOCK_MONOTONIC);
	int i;

	for (i = from; i < from + n; i++) {
		struct ipam_request rq = { .pool = pool, .node = "bench-node", .cid = cid };
		struct ipam_lease le;

		snprintf(cid, sizeof(cid), "%s-%d", pool, i);
		diag_init(&d, NULL);
		if (ipam_alloc(im, &rq, &le, &d)) {
			fprintf(stderr, "bench-ipam: %s\n", d.msg);
			return -1;
		}
	}
	return clock_s(CLOCK_MONOTONIC) - t0;
}

#define ROUNDS	10

/* Anchor and measurements interleaved in ROUNDS rounds, so that a busy disk (the
 * machine is shared) slows all three alike. */
static void
bench_store(const char *label, const char *url, int n)
{
	struct ipam *single = NULL, *blocks = NULL;
	double t_put = 0, t_single = 0, t_blocks = 0, t;
	int per = n / ROUNDS, r;
	struct store *s;
	struct diag d;

	diag_init(&d, NULL);
	if (store_open(url, &s, &d)) {
		fprintf(stderr, "bench-ipam: %s: %s\n", url, d.msg);
		return;
	}
	single = bench_pool(s, "single", "10.64.0.0/16", 32);
	blocks = bench_pool(s, "blocks", "10.65.0.0/16", 26);
	for (r = 0; single && blocks && r < ROUNDS; r++) {
		if ((t = bench_put(s, r * per, per)) < 0)
			break;
		t_put += t;
		if ((t = bench_alloc(single, "single", r * per, per)) < 0)
			break;
		t_single += t;
		if ((t = bench_alloc(blocks, "blocks", r * per, per)) < 0)
			break;
		t_blocks += t;
	}
	if (r == ROUNDS) {
		double put = per * ROUNDS / t_put, sg = per * ROUNDS / t_single;
		double bl = per * ROUNDS / t_blocks;

		printf("%-7s anchor: durable one-key put    %8.0f /s\n", label, put);
		printf("%-7s ipam_alloc, single addresses   %8.0f /s   ratio to put %.2f\n", label,
		    sg, sg / put);
		printf("%-7s ipam_alloc, /26 blocks         %8.0f /s   ratio to put %.2f\n", label,
		    bl, bl / put);
	}
	ipam_close(single);
	ipam_close(blocks);
	store_close(s);
}

#define ADV_ROOT	"10.0.0.0/10"	/* 4,194,304 addresses, 65,536 blocks of /26 */
#define ADV_OWN		(1u << 20)

static void
bench_advertise(void)
{
	struct prefix root, blk;
	struct ipam_adv *adv;
	struct trie *t;
	struct addr *own;
	uint8_t *mine;
	double t0, t_trie, t_full, t_inc;
	size_t nown = 0, i;
	const int changes = 20000;

	prefix_parse(ADV_ROOT, &root, 0);
	own = malloc(ADV_OWN * sizeof(*own));
	mine = calloc(1u << 16, 1);
	if (!own || !mine) {
		free(own);
		free(mine);
		return;
	}
	/* half the blocks are ours, the rest another node's; 3/4 of ours used (to 1M) */
	for (i = 0; i < (1u << 16); i++)
		mine[i] = rnd() & 1;
	for (i = 0; i < (1u << 16) && nown < ADV_OWN; i++) {
		uint32_t base = (10u << 24) | (uint32_t)i << 6, k;

		if (!mine[i])
			continue;
		for (k = 0; k < 64 && nown < ADV_OWN; k++)
			if (rnd() % 4)
				addr_from_v4(&own[nown++], base | k);
	}
	/* anchor: the same host prefixes into a plain trie */
	t = trie_new();
	t0 = clock_s(CLOCK_MONOTONIC);
	for (i = 0; i < nown; i++) {
		struct prefix h;

		prefix_host(&h, &own[i]);
		trie_insert(t, &h, (void *)1, NULL);
	}
	t_trie = clock_s(CLOCK_MONOTONIC) - t0;
	trie_free(t, NULL);

	adv = ipam_adv_new(NULL, NULL);
	t0 = clock_s(CLOCK_MONOTONIC);
	ipam_adv_begin(adv);
	ipam_adv_add_root(adv, &root, true);
	for (i = 0; i < (1u << 16); i++) {
		struct addr a;

		if (mine[i])
			continue;
		addr_from_v4(&a, (10u << 24) | (uint32_t)i << 6);
		prefix_make(&blk, &a, 26);
		ipam_adv_set_foreign(adv, &blk, true);
	}
	for (i = 0; i < nown; i++)
		ipam_adv_set_own(adv, &own[i], true);
	ipam_adv_end(adv);
	t_full = clock_s(CLOCK_MONOTONIC) - t0;
	printf("advertise anchor: 1M host prefixes into lib/trie  %8.3f s\n", t_trie);
	printf("advertise full computation, %zu owned addresses, 32k foreign blocks: %.3f s "
	    "(ratio to anchor %.2f), %zu prefixes\n", nown, t_full, t_full / t_trie,
	    ipam_adv_count(adv));
	t0 = clock_s(CLOCK_MONOTONIC);
	for (i = 0; i < (size_t)changes; i++) {
		size_t k = rnd() % nown;

		/* release and re-allocate one address: two incremental updates */
		ipam_adv_set_own(adv, &own[k], false);
		ipam_adv_set_own(adv, &own[k], true);
	}
	t_inc = (clock_s(CLOCK_MONOTONIC) - t0) / (2.0 * changes);
	printf("advertise incremental change: %.2f us each (%d changes), %.0fx cheaper than a "
	    "full computation\n", t_inc * 1e6, 2 * changes, t_full / t_inc);
	ipam_adv_free(adv);
	free(own);
	free(mine);
}

int
main(int argc, char **argv)
{
	char dir[128], url[256];
	struct etcd_harness h;
	bool etcd = true;
	int n = 2000, i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--allocs") && i + 1 < argc)
			n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-etcd"))
			etcd = false;
		else {
			fprintf(stderr, "usage: bench-ipam [--allocs N] [--no-etcd]\n");
			return 2;
		}
	}
	if (harness_tmpdir(dir, sizeof(dir)))
		return 1;
	snprintf(url, sizeof(url), "sqlite://%s/bench.db", dir);
	printf("allocations: %d per kind, one process, one ipam handle per pool, %d interleaved rounds\n", n, ROUNDS);
	bench_store("sqlite", url, n);
	harness_rmdir(dir);
	if (etcd) {
		setenv("ETCD_HARNESS_DISK", "1", 1);
		rc = etcd_harness_start(&h);
		if (rc) {
			fprintf(stderr, "bench-ipam: etcd did not start: %s\n", strerror(-rc));
			return 1;
		}
		bench_store("etcd", h.url, n);
		etcd_harness_stop(&h);
	}
	bench_advertise();
	return 0;
}
