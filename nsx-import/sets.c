// SPDX-License-Identifier: MIT
/*
 * Address sets (sorted disjoint ranges of struct addr) and service sets (protocol
 * x port/type ranges) used by the model, the compiler and the checker. Pure set
 * algebra: no NSX semantics live here.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nsx-import/model.h"

static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *np;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 4;
	while (nc < need)
		nc *= 2;
	np = realloc(*p, nc * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

void
nsx_ipset_free(struct nsx_ipset *s)
{
	free(s->r);
	s->r = NULL;
	s->n = s->cap = 0;
}

void
nsx_ipset_clear(struct nsx_ipset *s)
{
	s->n = 0;
}

static bool
addr_next(const struct addr *a, struct addr *out)
{
	*out = *a;
	return addr_add(out, 1) == 0;
}

static bool
addr_prev(const struct addr *a, struct addr *out)
{
	unsigned bits = addr_bits(a);

	*out = *a;
	for (int i = (int)bits / 8 - 1; i >= 0; i--) {
		if (out->bytes[i]--)
			return true;
	}
	*out = *a;
	return false;
}

static int
range_cmp(const void *a, const void *b)
{
	return addr_cmp(&((const struct nsx_range *)a)->lo, &((const struct nsx_range *)b)->lo);
}

/* Sort and merge overlapping/adjacent ranges. */
static void
ipset_normalize(struct nsx_ipset *s)
{
	size_t w = 0;

	if (s->n < 2)
		return;
	qsort(s->r, s->n, sizeof(*s->r), range_cmp);
	for (size_t i = 1; i < s->n; i++) {
		struct nsx_range *cur = &s->r[w];
		struct addr nx;

		if (s->r[i].lo.family == cur->hi.family &&
		    (addr_cmp(&s->r[i].lo, &cur->hi) <= 0 ||
		    (addr_next(&cur->hi, &nx) && addr_eq(&nx, &s->r[i].lo)))) {
			if (addr_cmp(&s->r[i].hi, &cur->hi) > 0)
				cur->hi = s->r[i].hi;
		} else {
			s->r[++w] = s->r[i];
		}
	}
	s->n = w + 1;
}

static int
ipset_push(struct nsx_ipset *s, const struct addr *lo, const struct addr *hi)
{
	if (grow((void **)&s->r, &s->cap, s->n + 1, sizeof(*s->r)))
		return -ENOMEM;
	s->r[s->n].lo = *lo;
	s->r[s->n].hi = *hi;
	s->n++;
	return 0;
}

int
nsx_ipset_add_range(struct nsx_ipset *s, const struct addr *lo, const struct addr *hi)
{
	int rc;

	if (lo->family != hi->family || addr_cmp(lo, hi) > 0)
		return -EINVAL;
	/* Fast path: appending in order (generators, inventories). */
	if (s->n) {
		struct nsx_range *last = &s->r[s->n - 1];
		struct addr nx;

		if (last->hi.family == lo->family && addr_cmp(lo, &last->hi) > 0 &&
		    !(addr_next(&last->hi, &nx) && addr_eq(&nx, lo)))
			return ipset_push(s, lo, hi);
	}
	rc = ipset_push(s, lo, hi);
	if (rc)
		return rc;
	ipset_normalize(s);
	return 0;
}

int
nsx_ipset_add_prefix(struct nsx_ipset *s, const struct prefix *p)
{
	struct addr lo, hi;

	prefix_first(p, &lo);
	prefix_last(p, &hi);
	return nsx_ipset_add_range(s, &lo, &hi);
}

int
nsx_ipset_add_full(struct nsx_ipset *s, int family)
{
	struct prefix p;
	struct addr z;
	int rc = 0;

	if (family == AF_UNSPEC || family == AF_INET) {
		memset(&z, 0, sizeof(z));
		z.family = AF_INET;
		prefix_make(&p, &z, 0);
		rc = nsx_ipset_add_prefix(s, &p);
	}
	if (!rc && (family == AF_UNSPEC || family == AF_INET6)) {
		memset(&z, 0, sizeof(z));
		z.family = AF_INET6;
		prefix_make(&p, &z, 0);
		rc = nsx_ipset_add_prefix(s, &p);
	}
	return rc;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
nsx_ipset_add_text(struct nsx_ipset *s, const char *text)
{
	char buf[128], *t, *dash;
	struct addr lo, hi;
	struct prefix p;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	t = trim(buf);
	if (!*t)
		return -EINVAL;
	dash = strchr(t, '-');
	if (dash) {
		*dash = '\0';
		if (addr_parse(trim(t), &lo) || addr_parse(trim(dash + 1), &hi))
			return -EINVAL;
		if (lo.family != hi.family || addr_cmp(&lo, &hi) > 0)
			return -EINVAL;
		return nsx_ipset_add_range(s, &lo, &hi);
	}
	/* NSX accepts host bits in CIDRs (as Go's ParseCIDR does): normalise. */
	if (prefix_parse(t, &p, PREFIX_PARSE_NORMALIZE | PREFIX_PARSE_HOST_OK))
		return -EINVAL;
	return nsx_ipset_add_prefix(s, &p);
}

int
nsx_ipset_copy(struct nsx_ipset *dst, const struct nsx_ipset *src)
{
	dst->n = 0;
	if (grow((void **)&dst->r, &dst->cap, src->n, sizeof(*dst->r)))
		return -ENOMEM;
	if (src->n)
		memcpy(dst->r, src->r, src->n * sizeof(*src->r));
	dst->n = src->n;
	return 0;
}

int
nsx_ipset_union(struct nsx_ipset *dst, const struct nsx_ipset *a,
    const struct nsx_ipset *b)
{
	struct nsx_ipset t = { 0 };

	if (grow((void **)&t.r, &t.cap, a->n + b->n + 1, sizeof(*t.r)))
		return -ENOMEM;
	if (a->n)
		memcpy(t.r, a->r, a->n * sizeof(*a->r));
	if (b->n)
		memcpy(t.r + a->n, b->r, b->n * sizeof(*b->r));
	t.n = a->n + b->n;
	ipset_normalize(&t);
	nsx_ipset_free(dst);
	*dst = t;
	return 0;
}

static const struct addr *
amax(const struct addr *a, const struct addr *b)
{
	return addr_cmp(a, b) >= 0 ? a : b;
}

static const struct addr *
amin(const struct addr *a, const struct addr *b)
{
	return addr_cmp(a, b) <= 0 ? a : b;
}

int
nsx_ipset_intersect(struct nsx_ipset *dst, const struct nsx_ipset *a,
    const struct nsx_ipset *b)
{
	struct nsx_ipset t = { 0 };
	size_t i = 0, j = 0;

	while (i < a->n && j < b->n) {
		const struct addr *lo = amax(&a->r[i].lo, &b->r[j].lo);
		const struct addr *hi = amin(&a->r[i].hi, &b->r[j].hi);

		if (lo->family == hi->family && addr_cmp(lo, hi) <= 0 &&
		    ipset_push(&t, lo, hi)) {
			nsx_ipset_free(&t);
			return -ENOMEM;
		}
		if (addr_cmp(&a->r[i].hi, &b->r[j].hi) < 0)
			i++;
		else
			j++;
	}
	nsx_ipset_free(dst);
	*dst = t;
	return 0;
}

int
nsx_ipset_subtract(struct nsx_ipset *dst, const struct nsx_ipset *a,
    const struct nsx_ipset *b)
{
	struct nsx_ipset t = { 0 };
	size_t j = 0;

	for (size_t i = 0; i < a->n; i++) {
		struct addr cur = a->r[i].lo;
		bool open = true;

		while (j < b->n && addr_cmp(&b->r[j].hi, &cur) < 0)
			j++;
		for (size_t k = j; k < b->n && open; k++) {
			struct addr p, nx;

			if (addr_cmp(&b->r[k].lo, &a->r[i].hi) > 0)
				break;
			if (addr_cmp(&b->r[k].lo, &cur) > 0 && addr_prev(&b->r[k].lo, &p) &&
			    ipset_push(&t, &cur, &p))
				goto nomem;
			if (addr_cmp(&b->r[k].hi, &a->r[i].hi) >= 0 || !addr_next(&b->r[k].hi, &nx))
				open = false;
			else if (addr_cmp(&nx, &cur) > 0)
				cur = nx;
		}
		if (open && ipset_push(&t, &cur, &a->r[i].hi))
			goto nomem;
	}
	nsx_ipset_free(dst);
	*dst = t;
	return 0;
nomem:
	nsx_ipset_free(&t);
	return -ENOMEM;
}

int
nsx_ipset_family(struct nsx_ipset *dst, const struct nsx_ipset *a, int family)
{
	struct nsx_ipset t = { 0 };

	for (size_t i = 0; i < a->n; i++)
		if ((family == AF_UNSPEC || a->r[i].lo.family == family) &&
		    ipset_push(&t, &a->r[i].lo, &a->r[i].hi)) {
			nsx_ipset_free(&t);
			return -ENOMEM;
		}
	nsx_ipset_free(dst);
	*dst = t;
	return 0;
}

bool
nsx_ipset_intersects(const struct nsx_ipset *a, const struct nsx_ipset *b)
{
	size_t i = 0, j = 0;

	if (!a->n || !b->n)
		return false;
	if (addr_cmp(&a->r[a->n - 1].hi, &b->r[0].lo) < 0 ||
	    addr_cmp(&b->r[b->n - 1].hi, &a->r[0].lo) < 0)
		return false;
	while (i < a->n && j < b->n) {
		if (addr_cmp(amax(&a->r[i].lo, &b->r[j].lo), amin(&a->r[i].hi, &b->r[j].hi)) <= 0)
			return true;
		if (addr_cmp(&a->r[i].hi, &b->r[j].hi) < 0)
			i++;
		else
			j++;
	}
	return false;
}

bool
nsx_ipset_contains(const struct nsx_ipset *s, const struct addr *a)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (addr_cmp(&s->r[mid].hi, a) < 0)
			lo = mid + 1;
		else if (addr_cmp(&s->r[mid].lo, a) > 0)
			hi = mid;
		else
			return true;
	}
	return false;
}

bool
nsx_ipset_is_full(const struct nsx_ipset *s, int family)
{
	bool v4 = false, v6 = false;

	for (size_t i = 0; i < s->n; i++) {
		struct prefix p;
		struct addr z;

		memset(&z, 0, sizeof(z));
		z.family = s->r[i].lo.family;
		prefix_make(&p, &z, 0);
		struct addr first, last;

		prefix_first(&p, &first);
		prefix_last(&p, &last);
		if (addr_eq(&s->r[i].lo, &first) && addr_eq(&s->r[i].hi, &last)) {
			if (z.family == AF_INET)
				v4 = true;
			else
				v6 = true;
		}
	}
	if (family == AF_INET)
		return v4;
	if (family == AF_INET6)
		return v6;
	return v4 && v6;
}

bool
nsx_ipset_eq(const struct nsx_ipset *a, const struct nsx_ipset *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!addr_eq(&a->r[i].lo, &b->r[i].lo) || !addr_eq(&a->r[i].hi, &b->r[i].hi))
			return false;
	return true;
}

/* ---- service sets ---------------------------------------------------------- */

bool
nsx_proto_has_ports(uint8_t proto)
{
	return proto == NSX_PROTO_TCP || proto == NSX_PROTO_UDP || proto == NSX_PROTO_SCTP;
}

void
nsx_svcset_free(struct nsx_svcset *s)
{
	free(s->it);
	s->it = NULL;
	s->n = s->cap = 0;
	s->any = false;
}

static int
svc_cmp(const void *a, const void *b)
{
	const struct nsx_svc *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return 0;
}

static void
svc_normalize(struct nsx_svcset *s)
{
	size_t w = 0;

	if (s->any) {
		s->n = 0;
		return;
	}
	if (s->n < 2)
		return;
	qsort(s->it, s->n, sizeof(*s->it), svc_cmp);
	for (size_t i = 1; i < s->n; i++) {
		struct nsx_svc *c = &s->it[w];

		if (s->it[i].proto == c->proto && (uint32_t)s->it[i].lo <= (uint32_t)c->hi + 1) {
			if (s->it[i].hi > c->hi)
				c->hi = s->it[i].hi;
		} else {
			s->it[++w] = s->it[i];
		}
	}
	s->n = w + 1;
}

static int
svc_push(struct nsx_svcset *s, uint8_t proto, uint16_t lo, uint16_t hi)
{
	if (grow((void **)&s->it, &s->cap, s->n + 1, sizeof(*s->it)))
		return -ENOMEM;
	s->it[s->n].proto = proto;
	s->it[s->n].lo = lo;
	s->it[s->n].hi = hi;
	s->n++;
	return 0;
}

int
nsx_svcset_add(struct nsx_svcset *s, uint8_t proto, uint16_t lo, uint16_t hi)
{
	int rc;

	if (lo > hi)
		return -EINVAL;
	if (s->any)
		return 0;
	rc = svc_push(s, proto, lo, hi);
	if (!rc)
		svc_normalize(s);
	return rc;
}

int
nsx_svcset_copy(struct nsx_svcset *dst, const struct nsx_svcset *src)
{
	dst->n = 0;
	dst->any = src->any;
	if (grow((void **)&dst->it, &dst->cap, src->n, sizeof(*dst->it)))
		return -ENOMEM;
	if (src->n)
		memcpy(dst->it, src->it, src->n * sizeof(*src->it));
	dst->n = src->n;
	return 0;
}

int
nsx_svcset_union_into(struct nsx_svcset *dst, const struct nsx_svcset *src)
{
	if (src->any) {
		dst->any = true;
		dst->n = 0;
		return 0;
	}
	if (dst->any)
		return 0;
	for (size_t i = 0; i < src->n; i++)
		if (svc_push(dst, src->it[i].proto, src->it[i].lo, src->it[i].hi))
			return -ENOMEM;
	svc_normalize(dst);
	return 0;
}

/* Expand "any" to explicit items (every protocol, full range). */
static int
svc_expand(struct nsx_svcset *t, const struct nsx_svcset *a)
{
	if (!a->any)
		return nsx_svcset_copy(t, a);
	t->any = false;
	t->n = 0;
	for (unsigned p = 0; p < 256; p++)
		if (svc_push(t, (uint8_t)p, 0, NSX_PORT_MAX))
			return -ENOMEM;
	return 0;
}

static void
svc_maybe_any(struct nsx_svcset *s)
{
	if (s->n != 256)
		return;
	for (size_t i = 0; i < 256; i++)
		if (s->it[i].proto != i || s->it[i].lo != 0 || s->it[i].hi != NSX_PORT_MAX)
			return;
	s->any = true;
	s->n = 0;
}

int
nsx_svcset_subtract(struct nsx_svcset *dst, const struct nsx_svcset *a,
    const struct nsx_svcset *b)
{
	struct nsx_svcset ea = { 0 }, eb = { 0 }, t = { 0 };
	size_t j = 0;
	int rc = -ENOMEM;

	if (b->any) {
		nsx_svcset_free(dst);
		return 0;
	}
	if (svc_expand(&ea, a) || svc_expand(&eb, b))
		goto out;
	for (size_t i = 0; i < ea.n; i++) {
		uint32_t cur = ea.it[i].lo;
		bool open = true;

		while (j < eb.n && (eb.it[j].proto < ea.it[i].proto ||
		    (eb.it[j].proto == ea.it[i].proto && eb.it[j].hi < cur)))
			j++;
		for (size_t k = j; k < eb.n && open; k++) {
			if (eb.it[k].proto != ea.it[i].proto || eb.it[k].lo > ea.it[i].hi)
				break;
			if (eb.it[k].lo > cur &&
			    svc_push(&t, ea.it[i].proto, (uint16_t)cur, (uint16_t)(eb.it[k].lo - 1)))
				goto out;
			if (eb.it[k].hi >= ea.it[i].hi)
				open = false;
			else if ((uint32_t)eb.it[k].hi + 1 > cur)
				cur = (uint32_t)eb.it[k].hi + 1;
		}
		if (open && svc_push(&t, ea.it[i].proto, (uint16_t)cur, ea.it[i].hi))
			goto out;
	}
	svc_maybe_any(&t);
	nsx_svcset_free(dst);
	*dst = t;
	t.it = NULL;
	rc = 0;
out:
	nsx_svcset_free(&ea);
	nsx_svcset_free(&eb);
	nsx_svcset_free(&t);
	return rc;
}

bool
nsx_svcset_empty(const struct nsx_svcset *s)
{
	return !s->any && s->n == 0;
}

bool
nsx_svcset_intersects(const struct nsx_svcset *a, const struct nsx_svcset *b)
{
	size_t i = 0, j = 0;

	if (nsx_svcset_empty(a) || nsx_svcset_empty(b))
		return false;
	if (a->any || b->any)
		return true;
	while (i < a->n && j < b->n) {
		const struct nsx_svc *x = &a->it[i], *y = &b->it[j];

		if (x->proto == y->proto && x->lo <= y->hi && y->lo <= x->hi)
			return true;
		if (x->proto < y->proto || (x->proto == y->proto && x->hi < y->hi))
			i++;
		else
			j++;
	}
	return false;
}

bool
nsx_svcset_contains(const struct nsx_svcset *s, uint8_t proto, uint16_t port)
{
	if (s->any)
		return true;
	for (size_t i = 0; i < s->n; i++)
		if (s->it[i].proto == proto && s->it[i].lo <= port && port <= s->it[i].hi)
			return true;
	return false;
}

bool
nsx_svcset_eq(const struct nsx_svcset *a, const struct nsx_svcset *b)
{
	if (a->any != b->any || a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->it[i].proto != b->it[i].proto || a->it[i].lo != b->it[i].lo ||
		    a->it[i].hi != b->it[i].hi)
			return false;
	return true;
}

static int
port_parse(const char *s, const char *e, uint16_t *out)
{
	unsigned long v = 0;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (s == e || e - s > 5)
		return -EINVAL;
	for (const char *p = s; p < e; p++) {
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > NSX_PORT_MAX)
		return -ERANGE;
	*out = (uint16_t)v;
	return 0;
}

int
nsx_svcset_add_ports(struct nsx_svcset *s, uint8_t proto, const char *text)
{
	const char *p = text;

	if (!*p)
		return -EINVAL;
	while (*p) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		const char *dash = memchr(p, '-', (size_t)(end - p));
		uint16_t lo, hi;
		int rc;

		if (dash) {
			if ((rc = port_parse(p, dash, &lo)) || (rc = port_parse(dash + 1, end, &hi)))
				return rc;
		} else {
			if ((rc = port_parse(p, end, &lo)))
				return rc;
			hi = lo;
		}
		if (lo > hi)
			return -ERANGE;
		if ((rc = nsx_svcset_add(s, proto, lo, hi)))
			return rc;
		p = comma ? comma + 1 : end;
		if (comma && !*p)
			return -EINVAL;
	}
	return 0;
}

int
nsx_ports_parse(const char *text, struct nsx_svcset *ports)
{
	return nsx_svcset_add_ports(ports, 0, text);
}
