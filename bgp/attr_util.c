// SPDX-License-Identifier: MIT
/*
 * struct bgp_attrs housekeeping: init/free/dup, value equality and hashing for
 * a RIB that interns attribute sets, builders for locally originated attributes,
 * and the text forms the CLI prints (AS paths, communities, one line per
 * attribute driven by the descriptor table in attr.c). No wire parsing here.
 */
#include "bgp/attr_int.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
bgp_attrs_init(struct bgp_attrs *a)
{
	memset(a, 0, sizeof(*a));
}

void
bgp_as_path_free(struct bgp_as_path *p)
{
	if (!p)
		return;
	free(p->segs);
	free(p->asns);
	memset(p, 0, sizeof(*p));
}

void
bgp_attrs_free(struct bgp_attrs *a)
{
	if (!a)
		return;
	bgp_as_path_free(&a->as_path);
	free(a->communities);
	free(a->ext_communities);
	free(a->large);
	free(a->cluster_list);
	for (size_t i = 0; i < a->nunknown; i++)
		free(a->unknown[i].data);
	free(a->unknown);
	bgp_attrs_init(a);
}

static int
dup_array(void **dst, const void *src, size_t n, size_t size)
{
	*dst = NULL;
	if (!n)
		return 0;
	*dst = malloc(n * size);
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, n * size);
	return 0;
}

int
bgp_attrs_dup(struct bgp_attrs *dst, const struct bgp_attrs *src)
{
	*dst = *src;
	dst->as_path.segs = NULL;
	dst->as_path.asns = NULL;
	dst->communities = NULL;
	dst->ext_communities = NULL;
	dst->large = NULL;
	dst->cluster_list = NULL;
	dst->unknown = NULL;
	dst->nunknown = 0;
	if (dup_array((void **)&dst->as_path.segs, src->as_path.segs, src->as_path.nsegs,
	    sizeof(*src->as_path.segs)) ||
	    dup_array((void **)&dst->as_path.asns, src->as_path.asns, src->as_path.nasns,
	    sizeof(*src->as_path.asns)) ||
	    dup_array((void **)&dst->communities, src->communities, src->ncommunities,
	    sizeof(*src->communities)) ||
	    dup_array((void **)&dst->ext_communities, src->ext_communities,
	    src->next_communities, sizeof(*src->ext_communities)) ||
	    dup_array((void **)&dst->large, src->large, src->nlarge, sizeof(*src->large)) ||
	    dup_array((void **)&dst->cluster_list, src->cluster_list, src->ncluster,
	    sizeof(*src->cluster_list)))
		goto nomem;
	for (size_t i = 0; i < src->nunknown; i++) {
		const struct bgp_raw_attr *r = &src->unknown[i];

		if (bgp_attrs_add_unknown(dst, r->flags, r->code, r->data, r->len))
			goto nomem;
	}
	return 0;
nomem:
	bgp_attrs_free(dst);
	return -ENOMEM;
}

static bool
same_array(const void *a, const void *b, size_t n, size_t size)
{
	return n == 0 || memcmp(a, b, n * size) == 0;
}

bool
bgp_attrs_equal(const struct bgp_attrs *a, const struct bgp_attrs *b)
{
	if (a->present != b->present)
		return false;
	if (bgp_attrs_has(a, BGP_ATTR_ORIGIN) && a->origin != b->origin)
		return false;
	if (bgp_attrs_has(a, BGP_ATTR_NEXT_HOP) && !addr_eq(&a->next_hop, &b->next_hop))
		return false;
	if (bgp_attrs_has(a, BGP_ATTR_MED) && a->med != b->med)
		return false;
	if (bgp_attrs_has(a, BGP_ATTR_LOCAL_PREF) && a->local_pref != b->local_pref)
		return false;
	if (bgp_attrs_has(a, BGP_ATTR_AGGREGATOR) && (a->aggregator_as != b->aggregator_as ||
	    a->aggregator_id != b->aggregator_id))
		return false;
	if (bgp_attrs_has(a, BGP_ATTR_ORIGINATOR_ID) && a->originator_id != b->originator_id)
		return false;
	if (a->as_path.nsegs != b->as_path.nsegs || a->as_path.nasns != b->as_path.nasns ||
	    a->ncommunities != b->ncommunities || a->next_communities != b->next_communities ||
	    a->nlarge != b->nlarge || a->ncluster != b->ncluster || a->nunknown != b->nunknown)
		return false;
	for (size_t i = 0; i < a->as_path.nsegs; i++)
		if (a->as_path.segs[i].type != b->as_path.segs[i].type ||
		    a->as_path.segs[i].count != b->as_path.segs[i].count)
			return false;
	if (!same_array(a->as_path.asns, b->as_path.asns, a->as_path.nasns, sizeof(uint32_t)) ||
	    !same_array(a->communities, b->communities, a->ncommunities, sizeof(uint32_t)) ||
	    !same_array(a->ext_communities, b->ext_communities, a->next_communities,
	    sizeof(uint64_t)) ||
	    !same_array(a->large, b->large, a->nlarge, sizeof(*a->large)) ||
	    !same_array(a->cluster_list, b->cluster_list, a->ncluster, sizeof(uint32_t)))
		return false;
	for (size_t i = 0; i < a->nunknown; i++) {
		const struct bgp_raw_attr *x = &a->unknown[i], *y = &b->unknown[i];

		/* Partial is set on every re-advertisement: not part of the value. */
		if (x->code != y->code || x->len != y->len ||
		    ((x->flags ^ y->flags) & (uint8_t)~(BGP_ATTR_FLAG_PARTIAL |
		    BGP_ATTR_FLAG_EXTLEN | BGP_ATTR_FLAGS_UNUSED)) ||
		    !same_array(x->data, y->data, x->len, 1))
			return false;
	}
	return true;
}

/* FNV-1a, 64 bits. */
#define FNV_OFFSET	UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME	UINT64_C(0x100000001b3)

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t
fnv_u32(uint64_t h, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return fnv(h, b, sizeof(b));
}

uint64_t
bgp_attrs_hash(const struct bgp_attrs *a)
{
	uint64_t h = FNV_OFFSET;

	/* Hash exactly what bgp_attrs_equal() compares, field by field (never
	 * struct padding). */
	h = fnv_u32(h, (uint32_t)(a->present >> 32));
	h = fnv_u32(h, (uint32_t)a->present);
	if (bgp_attrs_has(a, BGP_ATTR_ORIGIN))
		h = fnv_u32(h, a->origin);
	if (bgp_attrs_has(a, BGP_ATTR_NEXT_HOP))
		h = fnv(h, a->next_hop.bytes, sizeof(a->next_hop.bytes));
	if (bgp_attrs_has(a, BGP_ATTR_MED))
		h = fnv_u32(h, a->med);
	if (bgp_attrs_has(a, BGP_ATTR_LOCAL_PREF))
		h = fnv_u32(h, a->local_pref);
	if (bgp_attrs_has(a, BGP_ATTR_AGGREGATOR)) {
		h = fnv_u32(h, a->aggregator_as);
		h = fnv_u32(h, a->aggregator_id);
	}
	if (bgp_attrs_has(a, BGP_ATTR_ORIGINATOR_ID))
		h = fnv_u32(h, a->originator_id);
	for (size_t i = 0; i < a->as_path.nsegs; i++) {
		h = fnv_u32(h, a->as_path.segs[i].type);
		h = fnv_u32(h, a->as_path.segs[i].count);
	}
	for (size_t i = 0; i < a->as_path.nasns; i++)
		h = fnv_u32(h, a->as_path.asns[i]);
	for (size_t i = 0; i < a->ncommunities; i++)
		h = fnv_u32(h, a->communities[i]);
	for (size_t i = 0; i < a->next_communities; i++) {
		h = fnv_u32(h, (uint32_t)(a->ext_communities[i] >> 32));
		h = fnv_u32(h, (uint32_t)a->ext_communities[i]);
	}
	for (size_t i = 0; i < a->nlarge; i++) {
		h = fnv_u32(h, a->large[i].global);
		h = fnv_u32(h, a->large[i].local1);
		h = fnv_u32(h, a->large[i].local2);
	}
	for (size_t i = 0; i < a->ncluster; i++)
		h = fnv_u32(h, a->cluster_list[i]);
	for (size_t i = 0; i < a->nunknown; i++) {
		const struct bgp_raw_attr *r = &a->unknown[i];

		h = fnv_u32(h, (uint32_t)r->code << 16 | r->len);
		h = fnv_u32(h, r->flags & (uint8_t)~(BGP_ATTR_FLAG_PARTIAL | BGP_ATTR_FLAG_EXTLEN |
		    BGP_ATTR_FLAGS_UNUSED));
		h = fnv(h, r->data, r->len);
	}
	return h;
}

/* ---- builders ---- */

static int
grow(void **p, size_t n, size_t size)
{
	void *q;

	if (size && n > SIZE_MAX / size)
		return -ENOMEM;
	q = realloc(*p, n * size);
	if (!q)
		return -ENOMEM;
	*p = q;
	return 0;
}

int
bgp_as_path_append(struct bgp_as_path *p, uint8_t type, const uint32_t *asns, size_t n)
{
	size_t nsegs, first;

	if (type < BGP_AS_SET || type > BGP_AS_CONFED_SET)
		return -EINVAL;
	if (n == 0)
		return 0;
	/* Segments hold at most 255 ASNs: split longer runs. */
	nsegs = (n + BGP_AS_SEG_MAX - 1) / BGP_AS_SEG_MAX;
	if (grow((void **)&p->segs, p->nsegs + nsegs, sizeof(*p->segs)) ||
	    grow((void **)&p->asns, p->nasns + n, sizeof(*p->asns)))
		return -ENOMEM;
	first = p->nasns;
	memcpy(p->asns + p->nasns, asns, n * sizeof(*asns));
	p->nasns += n;
	for (size_t done = 0; done < n; done += BGP_AS_SEG_MAX) {
		size_t k = n - done < BGP_AS_SEG_MAX ? n - done : BGP_AS_SEG_MAX;

		p->segs[p->nsegs].type = type;
		p->segs[p->nsegs].count = (uint8_t)k;
		p->segs[p->nsegs].first = (uint32_t)(first + done);
		p->nsegs++;
	}
	return 0;
}

int
bgp_as_path_prepend(struct bgp_as_path *p, uint32_t asn, unsigned times)
{
	struct bgp_as_path np = { 0 };
	uint32_t *run;
	size_t k = 0;
	int rc;

	if (times == 0)
		return 0;
	/* Leading AS_SEQUENCE joins the prepended ASNs (RFC 4271 §5.1.2). */
	if (p->nsegs && p->segs[0].type == BGP_AS_SEQUENCE)
		k = p->segs[0].count;
	run = malloc(((size_t)times + k) * sizeof(*run));
	if (!run)
		return -ENOMEM;
	for (unsigned i = 0; i < times; i++)
		run[i] = asn;
	if (k)
		memcpy(run + times, p->asns + p->segs[0].first, k * sizeof(*run));
	rc = bgp_as_path_append(&np, BGP_AS_SEQUENCE, run, times + k);
	free(run);
	for (size_t i = k ? 1 : 0; rc == 0 && i < p->nsegs; i++)
		rc = bgp_as_path_append(&np, p->segs[i].type, p->asns + p->segs[i].first,
		    p->segs[i].count);
	if (rc) {
		bgp_as_path_free(&np);
		return rc;
	}
	bgp_as_path_free(p);
	*p = np;
	return 0;
}

size_t
bgp_as_path_length(const struct bgp_as_path *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nsegs; i++) {
		if (p->segs[i].type == BGP_AS_SEQUENCE)
			n += p->segs[i].count;
		else if (p->segs[i].type == BGP_AS_SET)
			n++;
	}
	return n;
}

uint32_t
bgp_as_path_first(const struct bgp_as_path *p)
{
	if (p->nsegs && p->segs[0].type == BGP_AS_SEQUENCE)
		return p->asns[p->segs[0].first];
	return 0;
}

bool
bgp_as_path_contains(const struct bgp_as_path *p, uint32_t asn)
{
	for (size_t i = 0; i < p->nasns; i++)
		if (p->asns[i] == asn)
			return true;
	return false;
}

bool
bgp_attrs_has_community(const struct bgp_attrs *a, uint32_t c)
{
	for (size_t i = 0; i < a->ncommunities; i++)
		if (a->communities[i] == c)
			return true;
	return false;
}

int
bgp_attrs_add_community(struct bgp_attrs *a, uint32_t c)
{
	if (grow((void **)&a->communities, a->ncommunities + 1, sizeof(*a->communities)))
		return -ENOMEM;
	a->communities[a->ncommunities++] = c;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_COMMUNITIES);
	return 0;
}

int
bgp_attrs_add_large_community(struct bgp_attrs *a, const struct bgp_large_comm *c)
{
	if (grow((void **)&a->large, a->nlarge + 1, sizeof(*a->large)))
		return -ENOMEM;
	a->large[a->nlarge++] = *c;
	a->present |= BGP_ATTR_BIT(BGP_ATTR_LARGE_COMMUNITIES);
	return 0;
}

int
bgp_attrs_add_unknown(struct bgp_attrs *a, uint8_t flags, uint8_t code, const void *data,
    size_t len)
{
	struct bgp_raw_attr r = { .flags = flags, .code = code, .len = (uint16_t)len };
	size_t pos;

	if (len > UINT16_MAX)
		return -EINVAL;
	if (len) {
		r.data = malloc(len);
		if (!r.data)
			return -ENOMEM;
		memcpy(r.data, data, len);
	}
	if (grow((void **)&a->unknown, a->nunknown + 1, sizeof(*a->unknown))) {
		free(r.data);
		return -ENOMEM;
	}
	/* Keep sorted by code so encoding interleaves them in order. */
	for (pos = a->nunknown; pos > 0 && a->unknown[pos - 1].code > code; pos--)
		a->unknown[pos] = a->unknown[pos - 1];
	a->unknown[pos] = r;
	a->nunknown++;
	return 0;
}

/* ---- text ---- */

/* Append to out (which holds a NUL-terminated string), never overflowing. */
static void
cat(char *out, size_t outlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
cat(char *out, size_t outlen, const char *fmt, ...)
{
	size_t o = strnlen(out, outlen);
	va_list ap;

	if (o + 1 >= outlen)
		return;
	va_start(ap, fmt);
	vsnprintf(out + o, outlen - o, fmt, ap);
	va_end(ap);
}

const char *
bgp_origin_name(uint8_t origin)
{
	switch (origin) {
	case BGP_ORIGIN_IGP:
		return "IGP";
	case BGP_ORIGIN_EGP:
		return "EGP";
	case BGP_ORIGIN_INCOMPLETE:
		return "incomplete";
	default:
		return "invalid";
	}
}

char *
bgp_as_path_format(const struct bgp_as_path *p, char *out, size_t outlen)
{
	if (!outlen)
		return out;
	out[0] = '\0';
	for (size_t i = 0; i < p->nsegs; i++) {
		const struct bgp_as_seg *s = &p->segs[i];
		const char *open = "", *close = "";

		if (s->type == BGP_AS_SET) {
			open = "{";
			close = "}";
		} else if (s->type == BGP_AS_CONFED_SEQUENCE) {
			open = "(";
			close = ")";
		} else if (s->type == BGP_AS_CONFED_SET) {
			open = "[";
			close = "]";
		}
		cat(out, outlen, "%s%s", i ? " " : "", open);
		for (unsigned j = 0; j < s->count; j++)
			cat(out, outlen, "%s%" PRIu32, j ? " " : "", p->asns[s->first + j]);
		cat(out, outlen, "%s", close);
	}
	return out;
}

char *
bgp_community_format(uint32_t c, char *out, size_t outlen)
{
	snprintf(out, outlen, "%" PRIu32 ":%" PRIu32, c >> 16, c & 0xffff);
	return out;
}

char *
bgp_large_community_format(const struct bgp_large_comm *c, char *out, size_t outlen)
{
	snprintf(out, outlen, "%" PRIu32 ":%" PRIu32 ":%" PRIu32, c->global, c->local1,
	    c->local2);
	return out;
}

char *
bgp_ext_community_format(uint64_t c, char *out, size_t outlen)
{
	uint8_t type = (uint8_t)(c >> 56), sub = (uint8_t)(c >> 48);
	const char *kind = sub == 0x02 ? "rt" : sub == 0x03 ? "ro" : NULL;

	/* RFC 4360 §3.1 two-octet AS specific (type 0x00 / 0x40), route target and
	 * origin; everything else as raw hex. */
	if (kind && (type == 0x00 || type == 0x40))
		snprintf(out, outlen, "%s %" PRIu64 ":%" PRIu64, kind, (c >> 32) & 0xffff,
		    c & 0xffffffff);
	else
		snprintf(out, outlen, "0x%016" PRIx64, c);
	return out;
}

char *
bgp_communities_format(const struct bgp_attrs *a, char *out, size_t outlen)
{
	char one[24];

	if (!outlen)
		return out;
	out[0] = '\0';
	for (size_t i = 0; i < a->ncommunities; i++)
		cat(out, outlen, "%s%s", i ? " " : "",
		    bgp_community_format(a->communities[i], one, sizeof(one)));
	return out;
}

char *
bgp_large_communities_format(const struct bgp_attrs *a, char *out, size_t outlen)
{
	char one[40];

	if (!outlen)
		return out;
	out[0] = '\0';
	for (size_t i = 0; i < a->nlarge; i++)
		cat(out, outlen, "%s%s", i ? " " : "",
		    bgp_large_community_format(&a->large[i], one, sizeof(one)));
	return out;
}

static void
fmt_ipv4(uint32_t v, char *out, size_t outlen)
{
	cat(out, outlen, "%u.%u.%u.%u", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

void
fmt_origin(const struct bgp_attrs *a, char *out, size_t outlen)
{
	cat(out, outlen, "%s", bgp_origin_name(a->origin));
}

void
fmt_as_path(const struct bgp_attrs *a, char *out, size_t outlen)
{
	size_t o = strnlen(out, outlen);

	if (o < outlen)
		bgp_as_path_format(&a->as_path, out + o, outlen - o);
}

void
fmt_next_hop(const struct bgp_attrs *a, char *out, size_t outlen)
{
	char s[ADDR_STRLEN];

	cat(out, outlen, "%s", addr_format(&a->next_hop, s, sizeof(s)));
}

void
fmt_med(const struct bgp_attrs *a, char *out, size_t outlen)
{
	cat(out, outlen, "%" PRIu32, a->med);
}

void
fmt_local_pref(const struct bgp_attrs *a, char *out, size_t outlen)
{
	cat(out, outlen, "%" PRIu32, a->local_pref);
}

void
fmt_atomic_aggregate(const struct bgp_attrs *a, char *out, size_t outlen)
{
	(void)a;
	cat(out, outlen, "yes");
}

void
fmt_aggregator(const struct bgp_attrs *a, char *out, size_t outlen)
{
	cat(out, outlen, "%" PRIu32 " ", a->aggregator_as);
	fmt_ipv4(a->aggregator_id, out, outlen);
}

void
fmt_communities(const struct bgp_attrs *a, char *out, size_t outlen)
{
	size_t o = strnlen(out, outlen);

	if (o < outlen)
		bgp_communities_format(a, out + o, outlen - o);
}

void
fmt_originator_id(const struct bgp_attrs *a, char *out, size_t outlen)
{
	fmt_ipv4(a->originator_id, out, outlen);
}

void
fmt_cluster_list(const struct bgp_attrs *a, char *out, size_t outlen)
{
	for (size_t i = 0; i < a->ncluster; i++) {
		if (i)
			cat(out, outlen, " ");
		fmt_ipv4(a->cluster_list[i], out, outlen);
	}
}

void
fmt_ext_communities(const struct bgp_attrs *a, char *out, size_t outlen)
{
	char one[40];

	for (size_t i = 0; i < a->next_communities; i++)
		cat(out, outlen, "%s%s", i ? " " : "",
		    bgp_ext_community_format(a->ext_communities[i], one, sizeof(one)));
}

void
fmt_large_communities(const struct bgp_attrs *a, char *out, size_t outlen)
{
	size_t o = strnlen(out, outlen);

	if (o < outlen)
		bgp_large_communities_format(a, out + o, outlen - o);
}

char *
bgp_attrs_format(const struct bgp_attrs *a, char *out, size_t outlen)
{
	if (!outlen)
		return out;
	out[0] = '\0';
	for (size_t i = 0; i < bgp_attr_table_len; i++) {
		const struct bgp_attr_desc *d = &bgp_attr_table[i];

		if (!d->print || !bgp_attrs_has(a, d->code))
			continue;
		cat(out, outlen, "%s: ", d->name);
		d->print(a, out, outlen);
		cat(out, outlen, "\n");
	}
	for (size_t i = 0; i < a->nunknown; i++) {
		const struct bgp_raw_attr *r = &a->unknown[i];

		cat(out, outlen, "%s: flags 0x%02x length %u", bgp_attr_name(r->code), r->flags,
		    r->len);
		for (size_t j = 0; j < r->len && j < 32; j++)
			cat(out, outlen, "%s%02x", j ? "" : " ", r->data[j]);
		cat(out, outlen, "%s\n", r->len > 32 ? "..." : "");
	}
	return out;
}
