// SPDX-License-Identifier: MIT
/*
 * Real data: every BGP4MP message of the RIPE RIS MRT fixtures in
 * tests/fixtures/mrt/ goes through bgp_msg_decode() without an error, and what
 * we decode (announced prefixes with peer, AS path, origin, next hop and
 * communities; withdrawn prefixes; state changes) equals, line for line, what
 * Debian's bgpdump prints for the same file (`bgpdump -m`, run here).
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

#include "bgp/msg.h"
#include "tests/helpers/mrt.h"

struct lines {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

static void
lines_add(struct lines *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	l->v[l->n] = strdup(s);
	assert_non_null(l->v[l->n]);
	l->n++;
}

static void
lines_free(struct lines *l)
{
	for (size_t i = 0; l->v && i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
fixture(const char *name, char *out, size_t outlen)
{
	const char *top = getenv("CUTOVER_TOP");

	snprintf(out, outlen, "%s/tests/fixtures/mrt/%s", top ? top : ".", name);
}

/* bgpdump's origin words. */
static const char *
origin_word(uint8_t o)
{
	return o == BGP_ORIGIN_IGP ? "IGP" : o == BGP_ORIGIN_EGP ? "EGP" : "INCOMPLETE";
}

struct counts {
	size_t	 updates;
	size_t	 announced;
	size_t	 withdrawn;
	size_t	 states;
	size_t	 host_bits;
	size_t	 messages;
	size_t	 packed, as4;	/* UPDATEs with bgp_update.packed; from 4-octet-AS peers */
};

static void
announce(struct lines *l, const char *peer, const struct prefix *p, const struct bgp_attrs *a,
    const struct addr *nh)
{
	char line[8192], pfx[PREFIX_STRLEN], path[4096], comm[2048], nhs[ADDR_STRLEN];

	snprintf(line, sizeof(line), "A|%s|%s|%s|%s|%s|%s", peer,
	    prefix_format(p, pfx, sizeof(pfx)), bgp_as_path_format(&a->as_path, path,
	    sizeof(path)), origin_word(a->origin), addr_format(nh, nhs, sizeof(nhs)),
	    bgp_communities_format(a, comm, sizeof(comm)));
	lines_add(l, line);
}

static void
withdraw(struct lines *l, const char *peer, const struct prefix *p)
{
	char line[256], pfx[PREFIX_STRLEN];

	snprintf(line, sizeof(line), "W|%s|%s", peer, prefix_format(p, pfx, sizeof(pfx)));
	lines_add(l, line);
}

static void
decode_file(const char *path, struct lines *out, struct counts *c)
{
	struct mrt_reader r;
	struct mrt_record rec;
	uint8_t *data;
	size_t len;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = mrt_file_load(path, &data, &len);
	if (rc)
		fail_msg("%s: %s", path, strerror(-rc));
	mrt_reader_init(&r, data, len);
	while ((rc = mrt_next(&r, &rec)) == 1) {
		struct bgp_wire_ctx ctx = { .ext_msg = true,
		    .families = BGP_FAM_BIT(BGP_FAM_IPV4_UNICAST) |
		    BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST) };
		struct mrt_bgp4mp m;
		struct bgp_msg msg;
		struct bgp_err err;
		const struct bgp_update *u;
		char peer[ADDR_STRLEN + 16], ip[ADDR_STRLEN];

		rc = mrt_bgp4mp_decode(&rec, &m);
		if (rc == -ENOTSUP)
			continue;
		if (rc)
			fail_msg("%s: record at %zu: %d", path, rec.offset, rc);
		snprintf(peer, sizeof(peer), "%s|%u", addr_format(&m.peer_ip, ip, sizeof(ip)),
		    m.peer_as);
		if (m.state_change) {
			char line[128];

			snprintf(line, sizeof(line), "STATE|%s|%u|%u", peer, m.old_state,
			    m.new_state);
			lines_add(out, line);
			c->states++;
			continue;
		}
		c->messages++;
		ctx.as4 = m.as4;
		bgp_err_clear(&err);
		rc = bgp_msg_decode(&ctx, m.msg, m.msglen, &msg, &err);
		if (rc || err.action != BGP_ACT_NONE)
			fail_msg("%s: record at %zu: %s %s", path, rec.offset,
			    bgp_action_name(err.action), err.reason);
		if (msg.type != BGP_MSG_UPDATE) {
			bgp_msg_free(&msg);
			continue;
		}
		u = &msg.u.update;
		c->updates++;
		c->as4 += m.as4;
		/* The received run the RIB interns without packing again must be exactly
		 * what packing the decoded attributes writes. */
		if (u->packed) {
			assert_true(m.as4);
			if (!bgp_attrs_packs_to(&u->attrs, u->packed, u->packed_len))
				fail_msg("%s: record at %zu: received attributes (%zu octets) "
				    "marked packed, bgp_attrs_pack() writes other octets",
				    path, rec.offset, u->packed_len);
			c->packed++;
		}
		c->host_bits += u->host_bits_cleared;
		for (size_t i = 0; i < u->nwithdrawn; i++)
			withdraw(out, peer, &u->withdrawn[i]);
		for (size_t i = 0; i < u->mp_unreach.nwithdrawn; i++)
			withdraw(out, peer, &u->mp_unreach.withdrawn[i]);
		for (size_t i = 0; i < u->nnlri; i++)
			announce(out, peer, &u->nlri[i], &u->attrs, &u->attrs.next_hop);
		for (size_t i = 0; i < u->mp_reach.nnlri; i++)
			announce(out, peer, &u->mp_reach.nlri[i], &u->attrs, &u->mp_reach.nexthop);
		c->withdrawn += u->nwithdrawn + u->mp_unreach.nwithdrawn;
		c->announced += u->nnlri + u->mp_reach.nnlri;
		bgp_msg_free(&msg);
	}
	if (rc < 0)
		fail_msg("%s: truncated record", path);
	free(data);
}

/* Split a bgpdump -m line on '|'. */
static size_t
split(char *s, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = s;
		s = strchr(s, '|');
		if (!s)
			break;
		*s++ = '\0';
	}
	return n;
}

static void
bgpdump_file(const char *path, struct lines *out)
{
	char cmd[1024], buf[16384], line[16384];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "bgpdump -m '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(buf, sizeof(buf), p)) {
		char *f[16];
		size_t n;

		buf[strcspn(buf, "\n")] = '\0';
		n = split(buf, f, 16);
		if (n >= 7 && strcmp(f[2], "STATE") == 0) {
			snprintf(line, sizeof(line), "STATE|%s|%s|%s|%s", f[3], f[4], f[5], f[6]);
		} else if (n >= 6 && strcmp(f[2], "W") == 0) {
			struct prefix pf;
			char ps[PREFIX_STRLEN];

			/* bgpdump prints prefixes as sent; we normalise. */
			assert_int_equal(prefix_parse(f[5], &pf, PREFIX_PARSE_NORMALIZE), 0);
			snprintf(line, sizeof(line), "W|%s|%s|%s", f[3], f[4],
			    prefix_format(&pf, ps, sizeof(ps)));
		} else if (n >= 12 && strcmp(f[2], "A") == 0) {
			struct prefix pf;
			char ps[PREFIX_STRLEN];

			assert_int_equal(prefix_parse(f[5], &pf, PREFIX_PARSE_NORMALIZE), 0);
			snprintf(line, sizeof(line), "A|%s|%s|%s|%s|%s|%s|%s", f[3], f[4],
			    prefix_format(&pf, ps, sizeof(ps)), f[6], f[7], f[8], f[11]);
		} else {
			continue;
		}
		lines_add(out, line);
	}
	assert_int_equal(pclose(p), 0);
}

static void
compare_with_bgpdump(const char *name, struct counts *c)
{
	struct lines ours = { 0 }, theirs = { 0 };
	char path[1024];
	size_t shown = 0;

	fixture(name, path, sizeof(path));
	decode_file(path, &ours, c);
	bgpdump_file(path, &theirs);
	if (ours.n != theirs.n)
		fail_msg("%s: %zu lines decoded, bgpdump printed %zu", name, ours.n, theirs.n);
	if (ours.n == 0 || !ours.v || !theirs.v) {
		lines_free(&ours);
		lines_free(&theirs);
		fail_msg("%s: nothing decoded", name);
		return;
	}
	qsort(ours.v, ours.n, sizeof(*ours.v), cmp_str);
	qsort(theirs.v, theirs.n, sizeof(*theirs.v), cmp_str);
	for (size_t i = 0; i < ours.n; i++) {
		if (strcmp(ours.v[i], theirs.v[i]) != 0 && shown++ < 5)
			print_error("ours:    %s\nbgpdump: %s\n", ours.v[i], theirs.v[i]);
	}
	lines_free(&ours);
	lines_free(&theirs);
	if (shown)
		fail_msg("%s: %zu lines differ from bgpdump", name, shown);
}

static void
test_ris_updates_20160811_match_bgpdump(void **state)
{
	struct counts c;

	(void)state;
	compare_with_bgpdump("updates.20160811.1600.gz", &c);
	/* The same figures bgpdump prints (SOURCES.md); sanity against an empty walk. */
	assert_int_equal(c.announced, 39256);
	assert_int_equal(c.withdrawn, 1956);
	assert_int_equal(c.states, 22);
	print_message("updates.20160811.1600: %zu BGP messages, %zu UPDATEs, %zu announced, "
	    "%zu withdrawn, %zu state changes, %zu of %zu UPDATEs from 4-octet-AS peers "
	    "in pack form\n", c.messages, c.updates, c.announced, c.withdrawn, c.states,
	    c.packed, c.as4);
	/* Most RIS peers send attributes in code order with plain flags; some do not
	 * (the other UPDATEs are packed again by the RIB). */
	assert_true(c.packed > c.as4 / 2);
	assert_true(c.packed < c.updates);
}

/*
 * This RIS record's NLRI field is 0d 0b 0d 0b: 11.13.0.0/13 (bits set beyond the
 * length) and then one stray octet announcing an 11-bit prefix with no address
 * octets. bgpdump prints the first prefix and ignores the rest; RFC 7606 §5.3
 * calls an overrunning NLRI field incorrect -> session reset, Invalid Network
 * Field. We check both halves: the reset, and the normalisation of the prefix.
 */
static void
test_ris_nlri_trailing_bits_normalised(void **state)
{
	struct bgp_wire_ctx ctx = { .ext_msg = true };
	struct lines theirs = { 0 };
	struct mrt_reader r;
	struct mrt_record rec;
	struct mrt_bgp4mp m;
	struct bgp_msg msg;
	struct bgp_err err;
	struct buf_reader br;
	struct prefix *pfx, want;
	size_t len, n, cleared = 0;
	uint8_t *data;
	char path[1024], s[PREFIX_STRLEN], line[256];

	(void)state;
	fixture("updates.nlri_mask_trailing_bits.gz", path, sizeof(path));
	assert_int_equal(mrt_file_load(path, &data, &len), 0);
	mrt_reader_init(&r, data, len);
	assert_int_equal(mrt_next(&r, &rec), 1);
	assert_int_equal(mrt_bgp4mp_decode(&rec, &m), 0);
	ctx.as4 = m.as4;
	bgp_err_clear(&err);
	assert_int_equal(bgp_msg_decode(&ctx, m.msg, m.msglen, &msg, &err), -EBADMSG);
	assert_int_equal(err.action, BGP_ACT_SESSION_RESET);
	assert_int_equal(err.code, BGP_ERR_UPDATE);
	assert_int_equal(err.subcode, BGP_ERR_UPD_NETWORK);
	bgp_msg_free(&msg);
	/* The NLRI field is the last 4 octets of the message; its first prefix. */
	br_init(&br, m.msg + m.msglen - 4, 3);
	assert_int_equal(bgp_nlri_decode(&br, AF_INET, &pfx, &n, &cleared), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cleared, 1);
	assert_int_equal(prefix_parse("11.13.0.0/13", &want, PREFIX_PARSE_NORMALIZE), 0);
	assert_true(prefix_eq(&pfx[0], &want));
	assert_string_equal(prefix_format(&pfx[0], s, sizeof(s)), "11.8.0.0/13");
	/* bgpdump saw the same prefix (normalised by bgpdump_file()). */
	bgpdump_file(path, &theirs);
	assert_int_equal(theirs.n, 1);
	snprintf(line, sizeof(line), "|%s|", s);
	assert_non_null(strstr(theirs.v[0], line));
	lines_free(&theirs);
	free(pfx);
	free(data);
}

static void
test_ris_long_withdrawal(void **state)
{
	struct counts c;

	(void)state;
	compare_with_bgpdump("updates.long_withdrawal.gz", &c);
	assert_int_equal(c.withdrawn, 4096);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ris_updates_20160811_match_bgpdump),
		cmocka_unit_test(test_ris_nlri_trailing_bits_normalised),
		cmocka_unit_test(test_ris_long_withdrawal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
