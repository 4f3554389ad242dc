// SPDX-License-Identifier: MIT
/*
 * tests/helpers/mrt_routes: the RIS table dump and update stream read to the same counts and
 * first routes that `bgpdump -m` prints (see tests/fixtures/mrt/SOURCES.md), and
 * malformed records are counted or stop the walk with their offset, never crash.
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

#include "bgp/rib.h"
#include "tests/helpers/mrt_routes.h"

struct count {
	struct rib	*rib;		/* distinct prefixes */
	struct rib_aset	*as;
	size_t		 n;
	char		 first_pfx[PREFIX_STRLEN];
	char		 first_path[128];
	char		 first_nh[ADDR_STRLEN];
	uint32_t	 first_peer_as;
	size_t		 v6;
};

static int
count_cb(const struct mrt_route *r, void *arg)
{
	struct count *c = arg;

	if (c->n++ == 0) {
		prefix_format(&r->pfx, c->first_pfx, sizeof(c->first_pfx));
		bgp_as_path_format(&r->attrs->as_path, c->first_path, sizeof(c->first_path));
		addr_format(&r->nh.global, c->first_nh, sizeof(c->first_nh));
		c->first_peer_as = r->peer_as;
	}
	c->v6 += r->pfx.addr.family == AF_INET6;
	if (c->rib && !r->withdraw)
		assert_int_equal(rib_route_update(c->rib, RIB_PEER_LOCAL, &r->pfx, c->as), 0);
	return 0;
}

static uint8_t *
load_fixture(const char *name, size_t *len)
{
	char path[512];
	const char *top = getenv("CUTOVER_TOP");
	uint8_t *buf = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/tests/fixtures/mrt/%s", top ? top : ".", name);
	rc = mrt_file_load(path, &buf, len);
	if (rc != 0)
		fail_msg("%s: %s", path, strerror(-rc));
	return buf;
}

static void
test_ris_table_dump(void **state)
{
	struct rib_conf rc = { .ecmp_max = 1 };
	struct count c;
	struct mrt_route_stats st;
	struct rib_stats rs;
	struct bgp_attrs a;
	size_t len;
	uint8_t *buf = load_fixture("bview.20020722.2337.gz", &len);

	(void)state;
	memset(&c, 0, sizeof(c));
	c.rib = rib_new(&rc);
	bgp_attrs_init(&a);
	c.as = rib_aset_intern(c.rib, &a, NULL);
	assert_int_equal(mrt_routes_walk(buf, len, count_cb, &c, &st, NULL), 0);
	assert_int_equal(st.records, 115521);
	assert_int_equal(st.routes, 115521);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.unsupported, 0);
	rib_stats_get(c.rib, &rs);
	assert_int_equal(rs.nets[0], 112988);
	/* bgpdump -m, first line:
	 * TABLE_DUMP|1027381055|B|193.203.0.1|1853|3.0.0.0/8|1853 1239 80|IGP|193.203.0.1|... */
	assert_string_equal(c.first_pfx, "3.0.0.0/8");
	assert_string_equal(c.first_path, "1853 1239 80");
	assert_string_equal(c.first_nh, "193.203.0.1");
	assert_int_equal(c.first_peer_as, 1853);
	rib_aset_unref(c.rib, c.as);
	rib_free(c.rib);
	free(buf);
}

static void
test_bgp4mp_updates(void **state)
{
	struct count c;
	struct mrt_route_stats st;
	size_t len;
	uint8_t *buf = load_fixture("updates.20160811.1600.gz", &len);

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(mrt_routes_walk(buf, len, count_cb, &c, &st, NULL), 0);
	/* bgpdump -m: 39256 A lines, 1956 W lines, 22 STATE lines */
	assert_int_equal(st.routes, 39256);
	assert_int_equal(st.withdraws, 1956);
	assert_int_equal(st.malformed, 0);
	assert_true(c.v6 > 0);
	/* BGP4MP|1470931200|A|2001:7f8:54::188|59689|2804:14d::/40|59689 6939 3356 4230 28573 */
	assert_string_equal(c.first_pfx, "2804:14d::/40");
	assert_string_equal(c.first_path, "59689 6939 3356 4230 28573");
	assert_int_equal(c.first_peer_as, 59689);
	free(buf);
}

static void
test_malformed(void **state)
{
	struct count c;
	struct mrt_route_stats st;
	struct diag d;
	/* an unknown record type, then a TABLE_DUMP whose attribute length overruns, then a
	 * header that claims more bytes than there are */
	static const uint8_t recs[] = {
		0, 0, 0, 1, 0, 99, 0, 1, 0, 0, 0, 2, 0xaa, 0xbb,
		0, 0, 0, 1, 0, 12, 0, 1, 0, 0, 0, 22,
		0, 0, 0, 1, 10, 0, 0, 0, 8, 1, 0, 0, 0, 0, 10, 0, 0, 1, 0, 1, 0xff, 0xff,
		0, 0, 0, 1, 0, 12, 0, 1, 0, 0, 1, 0, 0,
	};
	size_t third = 14 + 12 + 22;

	(void)state;
	memset(&c, 0, sizeof(c));
	diag_init(&d, "recs");
	assert_int_equal(mrt_routes_walk(recs, sizeof(recs), count_cb, &c, &st, &d), -EBADMSG);
	assert_int_equal(st.unsupported, 1);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(c.n, 0);
	assert_int_equal(d.offset, third);
	/* every truncation of the valid part is handled */
	for (size_t n = 0; n < third; n++)
		(void)mrt_routes_walk(recs, n, count_cb, &c, NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ris_table_dump),
		cmocka_unit_test(test_bgp4mp_updates),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
