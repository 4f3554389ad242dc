// SPDX-License-Identifier: MIT
/*
 * bgp/kroute + bgp/ksync against the real kernel, inside a private network namespace
 * (unshare(CLONE_NEWNET) at start: nothing touches the root namespace). Checks what
 * the kernel holds with `ip route`, and that routes of other protocols are left alone.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bgp/kroute.h"
#include "bgp/ksync.h"
#include "tests/helpers/unit_addr.h"

#define TABLE	100
#define PROTO	KROUTE_PROTO_DEFAULT

static void
sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
}

/* Output of a shell command (trimmed); caller frees. */
static char *
sh_out(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	char *buf = calloc(1, 8192);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, 8191, f);
	pclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

static void
expect_routes(const char *family, const char *want)
{
	char cmd[256], *got;

	snprintf(cmd, sizeof(cmd),
	    "ip %s route show table %d proto %d | sed 's/ *$//'", family, TABLE, PROTO);
	got = sh_out(cmd);
	if (strcmp(got, want) != 0)
		fail_msg("kernel %s routes:\n%s\nwanted:\n%s", family, got, want);
	free(got);
}

static struct kroute_nexthop
NH(const char *gw)
{
	struct kroute_nexthop nh = { 0 };

	assert_int_equal(addr_parse(gw, &nh.gw), 0);
	return nh;
}

static int
setup(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET) != 0) {
		perror("unshare(CLONE_NEWNET) (needs root)");
		return -1;
	}
	sh("ip link set lo up && ip link add ka type veth peer name kb && "
	    "ip link set ka up && ip link set kb up && ip addr add 192.0.2.1/24 dev ka && "
	    "ip -6 addr add 2001:db8:1::1/64 dev ka nodad && "
	    "ip route add 198.51.100.0/24 via 192.0.2.9 table 100 proto static");
	return 0;
}

/* Each test starts with none of our routes (a failed test may have left some). */
static int
flush(void **state)
{
	(void)state;
	return system("ip route flush table 100 proto 200 2>/dev/null; "
	    "ip -6 route flush table 100 proto 200 2>/dev/null; true") == 0 ? 0 : -1;
}

static void
test_replace_delete_multipath(void **state)
{
	struct diag d;
	struct kroute *kr;
	struct kroute_nexthop two[2] = { NH("192.0.2.2"), NH("192.0.2.3") };
	struct kroute_nexthop six = NH("2001:db8:1::2");
	struct prefix p1 = P("10.20.0.15/32"), p2 = P("10.244.0.0/16"), p6 = P("2001:db8:20::/48");

	(void)state;
	diag_init(&d, "kroute");
	kr = kroute_open(TABLE, PROTO, &d);
	assert_non_null(kr);
	assert_int_equal(kroute_replace(kr, &p1, &two[0], 1, &d), 0);
	assert_int_equal(kroute_replace(kr, &p2, two, 2, &d), 0);
	assert_int_equal(kroute_replace(kr, &p6, &six, 1, &d), 0);
	expect_routes("-4",
	    "10.20.0.15 via 192.0.2.2 dev ka\n"
	    "10.244.0.0/16\n"
	    "\tnexthop via 192.0.2.2 dev ka weight 1\n"
	    "\tnexthop via 192.0.2.3 dev ka weight 1");
	expect_routes("-6", "2001:db8:20::/48 via 2001:db8:1::2 dev ka metric 1024 pref medium");
	/* replace moves the route; it never duplicates it */
	assert_int_equal(kroute_replace(kr, &p1, &two[1], 1, &d), 0);
	expect_routes("-4",
	    "10.20.0.15 via 192.0.2.3 dev ka\n"
	    "10.244.0.0/16\n"
	    "\tnexthop via 192.0.2.2 dev ka weight 1\n"
	    "\tnexthop via 192.0.2.3 dev ka weight 1");
	assert_int_equal(kroute_delete(kr, &p2, &d), 0);
	assert_int_equal(kroute_delete(kr, &p2, &d), -ENOENT);
	assert_int_equal(kroute_delete(kr, &p1, &d), 0);
	assert_int_equal(kroute_delete(kr, &p6, &d), 0);
	expect_routes("-4", "");
	/* the other protocol's route in the same table is untouched */
	{
		char *other = sh_out("ip route show table 100 proto static");

		assert_string_equal(other, "198.51.100.0/24 via 192.0.2.9 dev ka");
		free(other);
	}
	kroute_close(kr);
}

static void
test_errors_are_reported(void **state)
{
	struct diag d;
	struct kroute *kr;
	struct kroute_nexthop far = NH("203.0.113.1"), six = NH("2001:db8:1::2");
	struct prefix p = P("10.20.0.0/24");

	(void)state;
	diag_init(&d, "kroute");
	assert_null(kroute_open(TABLE, 0, &d));
	assert_int_equal(errno, EINVAL);
	diag_init(&d, "kroute");
	kr = kroute_open(TABLE, PROTO, &d);
	assert_non_null(kr);
	/* gateway not reachable: the kernel refuses, we say why */
	assert_true(kroute_replace(kr, &p, &far, 1, &d) < 0);
	assert_true(d.set);
	diag_init(&d, "kroute");
	assert_int_equal(kroute_replace(kr, &p, &six, 1, &d), -EINVAL);
	assert_int_equal(kroute_replace(kr, &p, &six, 0, &d), -EINVAL);
	kroute_close(kr);
}

static void
test_ksync_adopt_sweep(void **state)
{
	struct diag d;
	struct kroute *kr;
	struct ksync *ks;
	struct ksync_stats st;
	struct kroute_nexthop a = NH("192.0.2.2"), b = NH("192.0.2.3");
	struct prefix keep = P("10.20.0.15/32"), gone = P("10.20.0.16/32"), moved = P("10.30.0.0/24");

	(void)state;
	diag_init(&d, "ksync");
	kr = kroute_open(TABLE, PROTO, &d);
	assert_non_null(kr);
	/* a previous run left three routes */
	assert_int_equal(kroute_replace(kr, &keep, &a, 1, &d), 0);
	assert_int_equal(kroute_replace(kr, &gone, &a, 1, &d), 0);
	assert_int_equal(kroute_replace(kr, &moved, &a, 1, &d), 0);

	ks = ksync_new(kr);
	assert_non_null(ks);
	assert_int_equal(ksync_adopt(ks, &d), 3);
	assert_true(ksync_is_stale(ks, &keep));
	/* confirming an identical route costs no netlink call */
	assert_int_equal(ksync_set(ks, &keep, &a, 1, &d), 0);
	assert_false(ksync_is_stale(ks, &keep));
	/* a changed next hop replaces */
	assert_int_equal(ksync_set(ks, &moved, &b, 1, &d), 0);
	ksync_stats(ks, &st);
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(st.replaces, 1);
	assert_int_equal(st.stale, 1);
	/* until the sweep, the stale route still forwards */
	expect_routes("-4",
	    "10.20.0.15 via 192.0.2.2 dev ka\n"
	    "10.20.0.16 via 192.0.2.2 dev ka\n"
	    "10.30.0.0/24 via 192.0.2.3 dev ka");
	assert_int_equal(ksync_sweep(ks, &d), 1);
	expect_routes("-4",
	    "10.20.0.15 via 192.0.2.2 dev ka\n"
	    "10.30.0.0/24 via 192.0.2.3 dev ka");
	assert_int_equal(ksync_unset(ks, &keep, &d), 0);
	assert_int_equal(ksync_unset(ks, &keep, &d), 0);	/* idempotent */
	assert_int_equal(ksync_set(ks, &gone, &a, 1, &d), 0);
	assert_int_equal(ksync_flush(ks, &d), 2);
	expect_routes("-4", "");
	ksync_stats(ks, &st);
	assert_int_equal(st.installed, 0);
	assert_int_equal(st.errors, 0);
	ksync_free(ks);
	kroute_close(kr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_replace_delete_multipath, flush),
		cmocka_unit_test_setup(test_errors_are_reported, flush),
		cmocka_unit_test_setup(test_ksync_adopt_sweep, flush),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
