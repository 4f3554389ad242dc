// SPDX-License-Identifier: MIT
/*
 * ipam over a real SQLite store: the web-01 story (legacy segment, live list,
 * reservation claimed by a pod), addresses never handed out, idempotent ADD,
 * blocks per node and their advertise sets, exhaustion, release, GC, reservations,
 * refresh between two handles, and the pool JSON / live-file parsers' errors.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ipam/ipam.h"
#include "lib/diag.h"
#include "lib/store.h"
#include "tests/helpers/unit_addr.h"
#include "tests/unit/lib/test_store_harness.h"

static char dir[128];
static int db_seq;

struct fx {
	struct store	*s;
	struct ipam	*im;
};

static const char *
ip_text(const struct addr *a)
{
	static char buf[4][ADDR_STRLEN];
	static unsigned next;

	return addr_format(a, buf[next++ % 4], ADDR_STRLEN);
}

static void
put_pool(struct ipam *im, const char *json)
{
	struct ipam_pool p;
	struct diag d;

	diag_init(&d, "test");
	assert_int_equal(ipam_pool_parse_json(json, strlen(json), &p, &d), 0);
	if (ipam_pool_put(im, &p, &d))
		fail_msg("pool put: %s", d.msg);
}

static int
setup(void **state)
{
	static struct fx f;
	char url[256];

	snprintf(url, sizeof(url), "sqlite://%s/t%d.db", dir, db_seq++);
	assert_int_equal(store_open(url, &f.s, NULL), 0);
	assert_int_equal(ipam_open(f.s, "node-a", &f.im, NULL), 0);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	ipam_close(f->im);
	store_close(f->s);
	return 0;
}

static int
adv_text_cb(const struct prefix *p, void *arg)
{
	char s[PREFIX_STRLEN];

	if (((char *)arg)[0])
		strcat(arg, " ");
	strcat(arg, prefix_format(p, s, sizeof(s)));
	return 0;
}

static const char *
adv_text(struct ipam_adv *adv)
{
	static char buf[2048];

	buf[0] = '\0';
	ipam_adv_walk(adv, adv_text_cb, buf);
	return buf;
}

static int
live_add(const struct addr *a, const char *vm, void *arg)
{
	struct {
		struct addr	a[16];
		char		*vm[16];
		size_t		n;
	} *l = arg;

	if (l->n == 16)
		return -ENOSPC;
	l->a[l->n] = *a;
	l->vm[l->n] = strdup(vm);
	l->n++;
	return 0;
}

static void
load_segment(struct fx *f)
{
	static const char live[] = "# VMs still on VMware\n10.20.0.15 web-01\n"
	    "10.20.0.16 web-02\n\n10.20.0.20   # no name\n";
	struct {
		struct addr	a[16];
		char		*vm[16];
		size_t		n;
	} l = { .n = 0 };
	struct diag d;
	size_t i;

	put_pool(f->im, "{\"name\":\"seg-web\",\"kind\":\"legacy\",\"cidr\":\"10.20.0.0/24\","
	    "\"gateway\":\"10.20.0.1\",\"exclude\":[\"10.20.0.2-10.20.0.9\"]}");
	assert_int_equal(ipam_live_file_parse("live.txt", live, sizeof(live) - 1, live_add, &l,
	    &d), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(ipam_live_set(f->im, "seg-web", l.a, l.vm, l.n, &d), 0);
	for (i = 0; i < l.n; i++)
		free(l.vm[i]);
}

static void
test_web01_story(void **state)
{
	struct fx *f = *state;
	struct ipam_request rq = { .node = "node-a", .cid = "c-web", .vm = "web-01" };
	struct ipam_lease le;
	struct diag d;
	struct ipam_pool_stats st;
	struct ipam_adv *other;

	load_segment(f);
	assert_int_equal(ipam_pool_stats(f->im, "seg-web", &st), 0);
	assert_int_equal(st.size, 256);
	assert_int_equal(st.live, 3);
	/* the pod asks before the reservation exists: a clear error */
	diag_init(&d, "test");
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), -ENOENT);
	assert_non_null(strstr(d.msg, "no reservation"));
	diag_init(&d, "test");
	assert_int_equal(ipam_reserve(f->im, "web-01", AP("10.20.0.15"), &d), 0);
	assert_int_equal(ipam_reserve(f->im, "web-01", AP("10.20.0.15"), &d), 0);
	diag_init(&d, "test");
	assert_int_equal(ipam_reserve(f->im, "web-03", AP("10.20.0.15"), &d), -EEXIST);
	diag_init(&d, "test");
	assert_int_equal(ipam_reserve(f->im, "gw", AP("10.20.0.1"), &d), -EADDRNOTAVAIL);
	assert_non_null(strstr(d.msg, "gateway"));
	assert_string_equal(adv_text(ipam_advertise(f->im)), "");
	/* the replacing pod gets exactly the VM's address */
	diag_init(&d, "test");
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), 0);
	assert_string_equal(ip_text(&le.ip), "10.20.0.15");
	assert_string_equal(le.vm, "web-01");
	assert_false(le.existing);
	assert_true(le.has_gateway);
	assert_int_equal(le.subnet.len, 24);
	assert_string_equal(adv_text(ipam_advertise(f->im)), "10.20.0.15/32");
	assert_int_equal(ipam_pool_stats(f->im, "seg-web", &st), 0);
	assert_int_equal(st.live, 2);
	/* idempotent ADD */
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), 0);
	assert_true(le.existing);
	assert_string_equal(ip_text(&le.ip), "10.20.0.15");
	/* another node sees it as foreign and advertises nothing */
	assert_int_equal(ipam_advertise_for(f->im, "node-b", &other), 0);
	assert_string_equal(adv_text(other), "");
	ipam_adv_free(other);
	/* the pod moves: released on node-a, claimed again on node-b by address */
	assert_int_equal(ipam_release(f->im, "c-web", NULL, NULL, &d), 0);
	assert_string_equal(adv_text(ipam_advertise(f->im)), "");
	rq = (struct ipam_request){ .node = "node-b", .cid = "c-web2", .has_ip = true,
	    .ip = *AP("10.20.0.15") };
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), 0);
	assert_string_equal(le.vm, "web-01");
	assert_int_equal(ipam_advertise_for(f->im, "node-b", &other), 0);
	assert_string_equal(adv_text(other), "10.20.0.15/32");
	ipam_adv_free(other);
}

static void
test_never_handed_out(void **state)
{
	struct fx *f = *state;
	static const char *const bad[][2] = {
		{ "10.20.0.0", "network" }, { "10.20.0.255", "broadcast" },
		{ "10.20.0.1", "gateway" }, { "10.20.0.5", "excluded" },
		{ "10.20.0.16", "live on VMware" }, { "10.20.0.20", "live on VMware" },
		{ "10.21.0.1", "in no pool" },
	};
	struct ipam_request rq = { .node = "node-a", .pool = "seg-web", .has_ip = true };
	struct ipam_lease le;
	char cid[32];
	struct diag d;
	size_t i;
	int n;

	load_segment(f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rq.cid = "c-x";
		rq.pool = i == 6 ? NULL : "seg-web";
		rq.ip = *AP(bad[i][0]);
		diag_init(&d, "test");
		assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), -EADDRNOTAVAIL);
		if (!strstr(d.msg, bad[i][1]))
			fail_msg("%s: '%s' lacks '%s'", bad[i][0], d.msg, bad[i][1]);
	}
	/* automatic allocation walks around all of them until the pool is exhausted */
	rq.has_ip = false;
	rq.pool = "seg-web";
	for (n = 0;; n++) {
		snprintf(cid, sizeof(cid), "c-%d", n);
		rq.cid = cid;
		diag_init(&d, "test");
		if (ipam_alloc(f->im, &rq, &le, &d))
			break;
		assert_int_not_equal(addr_to_v4(&le.ip) & 0xff, 0);
		assert_int_not_equal(addr_to_v4(&le.ip) & 0xff, 255);
		assert_true((addr_to_v4(&le.ip) & 0xff) >= 10);
		assert_true((addr_to_v4(&le.ip) & 0xff) != 15 && (addr_to_v4(&le.ip) & 0xff) != 16 &&
		    (addr_to_v4(&le.ip) & 0xff) != 20);
	}
	/* 256 - net - bcast - gw - 8 excluded - 3 live */
	assert_int_equal(n, 256 - 2 - 1 - 8 - 3);
	assert_non_null(strstr(d.msg, "exhausted"));
	/* and an allocated address asked for explicitly */
	rq.has_ip = true;
	rq.ip = *AP("10.20.0.10");
	rq.cid = "c-late";
	diag_init(&d, "test");
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), -EADDRINUSE);
	/* legacy pools: the node's set is exactly its addresses, aggregated */
	assert_string_equal(adv_text(ipam_advertise(f->im)),
	    "10.20.0.10/31 10.20.0.12/31 10.20.0.14/32 10.20.0.17/32 10.20.0.18/31 "
	    "10.20.0.21/32 10.20.0.22/31 10.20.0.24/29 10.20.0.32/27 10.20.0.64/26 "
	    "10.20.0.128/26 10.20.0.192/27 10.20.0.224/28 10.20.0.240/29 10.20.0.248/30 "
	    "10.20.0.252/31 10.20.0.254/32");
}

static void
test_blocks_two_nodes(void **state)
{
	struct fx *f = *state;
	struct ipam_request rq = { .pool = "pods" };
	struct ipam_lease le;
	struct ipam_adv *adv_b;
	struct ipam_pool_stats st;
	struct diag d;
	char cid[32];
	int i;

	put_pool(f->im, "{\"name\":\"pods\",\"kind\":\"cluster\",\"cidr\":\"10.244.0.0/24\","
	    "\"block\":28}");
	for (i = 0; i < 20; i++) {
		snprintf(cid, sizeof(cid), "a-%d", i);
		rq.node = "node-a";
		rq.cid = cid;
		assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), 0);
		/* block 0 minus the network address, then block 1 */
		assert_int_equal(addr_to_v4(&le.ip) & 0xff, (unsigned)(i + 1));
	}
	for (i = 0; i < 3; i++) {
		snprintf(cid, sizeof(cid), "b-%d", i);
		rq.node = "node-b";
		rq.cid = cid;
		assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), 0);
		assert_int_equal(addr_to_v4(&le.ip) & 0xff, (unsigned)(32 + i));
	}
	assert_int_equal(ipam_pool_stats(f->im, "pods", &st), 0);
	assert_int_equal(st.blocks, 16);
	assert_int_equal(st.blocks_claimed, 3);
	/* node-a may cover its free addresses but not node-b's block */
	assert_string_equal(adv_text(ipam_advertise(f->im)), "10.244.0.0/27");
	assert_int_equal(ipam_advertise_for(f->im, "node-b", &adv_b), 0);
	assert_string_equal(adv_text(adv_b), "10.244.0.32/30");
	ipam_adv_free(adv_b);
	/* an address in node-b's block is not node-a's to take */
	rq = (struct ipam_request){ .node = "node-a", .cid = "a-x", .has_ip = true,
	    .ip = *AP("10.244.0.40") };
	diag_init(&d, "test");
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), -EADDRNOTAVAIL);
	assert_non_null(strstr(d.msg, "node-b"));
}

static void
test_exhaustion_release_gc(void **state)
{
	struct fx *f = *state;
	struct ipam_request rq = { .node = "node-a", .pool = "tiny" };
	char *live[] = { (char *)"k-1", (char *)"k-3" };
	struct ipam_lease le, *v;
	struct diag d;
	size_t n, rel;
	char cid[32];
	int i;

	put_pool(f->im, "{\"name\":\"tiny\",\"cidr\":\"10.99.0.0/29\",\"block\":30}");
	for (i = 0; i < 6; i++) {
		snprintf(cid, sizeof(cid), "k-%d", i);
		rq.cid = cid;
		assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), 0);
	}
	rq.cid = "k-6";
	diag_init(&d, "test");
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), -ENOSPC);
	assert_non_null(strstr(d.msg, "exhausted"));
	/* release frees exactly one; a second release is a no-op */
	assert_int_equal(ipam_release(f->im, "k-2", "eth0", &n, &d), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ipam_release(f->im, "k-2", "eth0", &n, &d), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), 0);
	assert_int_equal(ipam_lookup(f->im, "k-6", "eth0", NULL, &le), 0);
	/* GC: only k-1 and k-3 still run */
	assert_int_equal(ipam_gc(f->im, "node-a", live, 2, true, &rel, &d), 0);
	assert_int_equal(rel, 4);
	assert_int_equal(ipam_leases(f->im, "tiny", NULL, &v, &n), 0);
	assert_int_equal(n, 6);
	free(v);
	assert_int_equal(ipam_gc(f->im, "node-a", live, 2, false, &rel, &d), 0);
	assert_int_equal(rel, 4);
	assert_int_equal(ipam_leases(f->im, "tiny", "node-a", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].cid, "k-1");
	assert_string_equal(v[1].cid, "k-3");
	assert_true(addr_cmp(&v[0].ip, &v[1].ip) < 0);
	free(v);
	assert_int_equal(ipam_lookup(f->im, "k-6", "eth0", NULL, &le), -ENOENT);
}

static int adv_events;

static void
count_cb(const struct prefix *p, bool added, void *arg)
{
	(void)p;
	(void)arg;
	adv_events += added ? 1 : -1;
}

static void
test_refresh_two_handles(void **state)
{
	struct fx *f = *state;
	struct ipam *other;
	struct ipam_request rq = { .node = "node-b", .cid = "b-1", .pool = "pods" };
	struct ipam_lease le;
	struct diag d;
	bool changed;

	put_pool(f->im, "{\"name\":\"pods\",\"cidr\":\"10.244.0.0/24\",\"block\":28}");
	adv_events = 0;
	ipam_advertise_set_cb(f->im, count_cb, NULL);
	rq.node = "node-a";
	rq.cid = "a-1";
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), 0);
	assert_int_equal(adv_events, 1);
	/* our own write may look like a change once (revisions are store-wide) */
	assert_int_equal(ipam_refresh(f->im, &changed, &d), 0);
	assert_int_equal(ipam_refresh(f->im, &changed, &d), 0);
	assert_false(changed);
	assert_int_equal(adv_events, 1);
	/* another process (node-b) allocates: a refresh learns it */
	assert_int_equal(ipam_open(f->s, "node-b", &other, &d), 0);
	rq.node = "node-b";
	rq.cid = "b-1";
	assert_int_equal(ipam_alloc(other, &rq, &le, &d), 0);
	assert_string_equal(ip_text(&le.ip), "10.244.0.16");
	assert_int_equal(ipam_refresh(f->im, &changed, &d), 0);
	assert_true(changed);
	/* node-a's set shrank from the /24-wide clean region to its own block part */
	assert_string_equal(adv_text(ipam_advertise(f->im)), "10.244.0.1/32");
	assert_int_equal(adv_events, 1);
	ipam_close(other);
}

static void
test_ipv6_and_pool_admin(void **state)
{
	struct fx *f = *state;
	struct ipam_request rq = { .node = "node-a", .pool = "v6" };
	struct ipam_lease le;
	struct ipam_pool_stats st;
	struct addr live = *AP("fd00:20::5");
	char *vm = (char *)"db-01";
	struct diag d;

	put_pool(f->im, "{\"name\":\"v6\",\"cidr\":\"fd00:20::/120\",\"block\":124,"
	    "\"gateway\":\"fd00:20::1\"}");
	/* ::0 is the subnet-router anycast address, ::1 the gateway */
	rq.cid = "v6-a";
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), 0);
	assert_string_equal(ip_text(&le.ip), "fd00:20::2");
	assert_int_equal(ipam_live_set(f->im, "v6", &live, &vm, 1, &d), 0);
	rq.cid = "v6-b";
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), 0);
	assert_string_equal(ip_text(&le.ip), "fd00:20::3");
	rq.cid = "v6-c";
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), 0);
	rq.cid = "v6-d";
	assert_int_equal(ipam_alloc(f->im, &rq, &le, &d), 0);
	assert_string_equal(ip_text(&le.ip), "fd00:20::6");
	/* ::1 (gateway) and ::5 (live) are foreign; free ::7 may be covered but adds
	 * nothing: the tightest prefix around ::6 is ::6 itself */
	assert_string_equal(adv_text(ipam_advertise(f->im)),
	    "fd00:20::2/127 fd00:20::4/128 fd00:20::6/128");
	/* an allocated address cannot be declared live on VMware */
	live = *AP("fd00:20::2");
	diag_init(&d, "test");
	assert_int_equal(ipam_live_set(f->im, "v6", &live, &vm, 1, &d), -EADDRINUSE);
	/* overlapping pools and deleting a pool in use are refused */
	{
		static const char js[] = "{\"name\":\"v6b\",\"cidr\":\"fd00:20::80/121\"}";
		struct ipam_pool p;

		diag_init(&d, "test");
		assert_int_equal(ipam_pool_parse_json(js, sizeof(js) - 1, &p, &d), 0);
		assert_int_equal(ipam_pool_put(f->im, &p, &d), -EEXIST);
	}
	diag_init(&d, "test");
	assert_int_equal(ipam_pool_delete(f->im, "v6", false, &d), -EBUSY);
	assert_int_equal(ipam_pool_delete(f->im, "v6", true, &d), 0);
	assert_int_equal(ipam_pool_stats(f->im, "v6", &st), -ENOENT);
	assert_int_equal(ipam_pool_count(f->im), 0);
}

static void
test_pool_json_errors(void **state)
{
	static const char *const bad[][3] = {
		{ "{\"name\":\"x\",\"cidr\":\"10.0.0.0/24\",\"colour\":1}", "$.colour", "unknown" },
		{ "{\"name\":\"x\",\"cidr\":\"10.0.0.1/24\"}", "$.cidr", "" },
		{ "{\"name\":\"x\",\"cidr\":\"10.0.0.0/24\",\"gateway\":\"10.1.0.1\"}", "$.gateway",
		  "outside" },
		{ "{\"name\":\"x/y\",\"cidr\":\"10.0.0.0/24\"}", "$.name", "" },
		{ "{\"name\":\"x\",\"cidr\":\"10.0.0.0/7\"}", "$.cidr", "2^24" },
		{ "{\"name\":\"x\",\"cidr\":\"10.0.0.0/24\",\"block\":20}", "$.block", "" },
		{ "{\"name\":\"x\",\"cidr\":\"10.0.0.0/24\",\"exclude\":[\"10.0.1.0-10.0.1.3\"]}",
		  "$.exclude[0]", "outside" },
		{ "{\"name\":\"x\",\"cidr\":\"10.0.0.0/24\",\"kind\":\"vmware\"}", "$.kind", "" },
		{ "[1]", "$", "object" },
		{ "{\"name\":\"x\",", "", "bad JSON" },
	};
	static const char live_bad[] = "10.20.0.15 web-01\n10.20.0.999 web-02\n";
	struct {
		struct addr	a[16];
		char		*vm[16];
		size_t		n;
	} lv = { .n = 0 };
	struct ipam_pool p;
	struct diag d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		diag_init(&d, "pool.json");
		if (ipam_pool_parse_json(bad[i][0], strlen(bad[i][0]), &p, &d) != -EINVAL)
			fail_msg("accepted: %s", bad[i][0]);
		if (strcmp(d.path, bad[i][1]) || !strstr(d.msg, bad[i][2]))
			fail_msg("%s: path '%s' msg '%s'", bad[i][0], d.path, d.msg);
	}
	diag_init(&d, NULL);
	assert_int_equal(ipam_live_file_parse("live.txt", live_bad, sizeof(live_bad) - 1,
	    live_add, &lv, &d), -EINVAL);
	assert_int_equal(lv.n, 1);
	free(lv.vm[0]);
	assert_int_equal(d.line, 2);
	assert_string_equal(d.source, "live.txt");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_web01_story, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_handed_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocks_two_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion_release_gc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_two_handles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_and_pool_admin, setup, teardown),
		cmocka_unit_test(test_pool_json_errors),
	};
	int rc;

	if (harness_tmpdir(dir, sizeof(dir)))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_rmdir(dir);
	return rc;
}
