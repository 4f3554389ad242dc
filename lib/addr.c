// SPDX-License-Identifier: MIT
/* Addresses and prefixes (see addr.h). */
#include "lib/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned
addr_family_bits(int family)
{
	return family == AF_INET ? ADDR_V4_BITS : ADDR_V6_BITS;
}

unsigned
addr_bits(const struct addr *a)
{
	return addr_family_bits(a->family);
}

int
addr_parse_n(const char *s, size_t n, struct addr *a)
{
	char tmp[ADDR_STRLEN + 1];

	if (!s || n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(a, 0, sizeof(*a));
	if (strchr(tmp, ':')) {
		if (inet_pton(AF_INET6, tmp, a->bytes) != 1)
			return -EINVAL;
		a->family = AF_INET6;
	} else {
		/* inet_pton(AF_INET) rejects octal/short forms such as "10.1" and "010.0.0.1". */
		if (inet_pton(AF_INET, tmp, a->bytes) != 1)
			return -EINVAL;
		a->family = AF_INET;
	}
	return 0;
}

int
addr_parse(const char *s, struct addr *a)
{
	if (!s)
		return -EINVAL;
	return addr_parse_n(s, strlen(s), a);
}

char *
addr_format(const struct addr *a, char *out, size_t outlen)
{
	if (!inet_ntop(a->family == AF_INET ? AF_INET : AF_INET6, a->bytes, out,
	    (socklen_t)outlen)) {
		if (outlen)
			snprintf(out, outlen, "?");
	}
	return out;
}

void
addr_from_v4(struct addr *a, uint32_t v)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->bytes[0] = (uint8_t)(v >> 24);
	a->bytes[1] = (uint8_t)(v >> 16);
	a->bytes[2] = (uint8_t)(v >> 8);
	a->bytes[3] = (uint8_t)v;
}

uint32_t
addr_to_v4(const struct addr *a)
{
	return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
	    (uint32_t)a->bytes[2] << 8 | a->bytes[3];
}

int
addr_from_bytes(struct addr *a, int family, const void *p, size_t n)
{
	size_t need = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	if (!need || n != need)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	memcpy(a->bytes, p, n);
	return 0;
}

int
addr_cmp(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	return memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

bool
addr_eq(const struct addr *a, const struct addr *b)
{
	return addr_cmp(a, b) == 0;
}

int
addr_bit(const struct addr *a, unsigned i)
{
	return (a->bytes[i >> 3] >> (7 - (i & 7))) & 1;
}

int
addr_add(struct addr *a, uint64_t n)
{
	struct addr r = *a;
	int last = a->family == AF_INET ? 3 : 15;

	for (int i = last; i >= 0 && n; i--) {
		uint64_t v = (uint64_t)r.bytes[i] + (n & 0xff);

		r.bytes[i] = (uint8_t)v;
		n = (n >> 8) + (v >> 8);
	}
	if (n)
		return -ERANGE;
	*a = r;
	return 0;
}

int
addr_diff(const struct addr *a, const struct addr *b, uint64_t *out)
{
	int nb = a->family == AF_INET ? 4 : 16;
	uint64_t hi_a = 0, hi_b = 0, lo_a = 0, lo_b = 0;

	if (a->family != b->family || addr_cmp(a, b) < 0)
		return -ERANGE;
	for (int i = 0; i < nb; i++) {
		if (nb - i > 8) {
			hi_a = hi_a << 8 | a->bytes[i];
			hi_b = hi_b << 8 | b->bytes[i];
		} else {
			lo_a = lo_a << 8 | a->bytes[i];
			lo_b = lo_b << 8 | b->bytes[i];
		}
	}
	if (hi_a == hi_b) {
		*out = lo_a - lo_b;
		return 0;
	}
	if (hi_a == hi_b + 1 && lo_a < lo_b) {
		*out = lo_a - lo_b;	/* wraps to the right value */
		return 0;
	}
	return -ERANGE;
}

bool
addr_is_v4_mapped(const struct addr *a)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return a->family == AF_INET6 && memcmp(a->bytes, pfx, sizeof(pfx)) == 0;
}

static void
addr_mask(struct addr *a, unsigned len)
{
	unsigned bits = addr_bits(a), full = len / 8;

	if (len >= bits)
		return;
	if (a->family == AF_INET) {
		/* one word (every received IPv4 prefix comes through here) */
		uint32_t w;

		memcpy(&w, a->bytes, sizeof(w));
		w &= htonl(len ? ~UINT32_C(0) << (32 - len) : 0);
		memcpy(a->bytes, &w, sizeof(w));
		return;
	}
	if (len % 8)
		a->bytes[full++] &= (uint8_t)(0xff << (8 - len % 8));
	memset(a->bytes + full, 0, bits / 8 - full);
}

int
prefix_make(struct prefix *p, const struct addr *a, unsigned len)
{
	if ((a->family != AF_INET && a->family != AF_INET6) || len > addr_bits(a))
		return -EINVAL;
	p->addr = *a;
	p->len = (uint8_t)len;
	return 0;
}

int
prefix_parse(const char *s, struct prefix *p, unsigned flags)
{
	const char *slash;
	char *end;
	unsigned long len;
	struct addr a;
	int rc;

	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	if (!slash) {
		if (!(flags & PREFIX_PARSE_HOST_OK))
			return -EINVAL;
		rc = addr_parse(s, &a);
		if (rc)
			return rc;
		prefix_host(p, &a);
		return 0;
	}
	rc = addr_parse_n(s, (size_t)(slash - s), &a);
	if (rc)
		return rc;
	if (slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || *end || len > addr_bits(&a) || (slash[1] == '0' && slash[2]))
		return -EINVAL;
	p->addr = a;
	p->len = (uint8_t)len;
	if (prefix_has_host_bits(p)) {
		if (!(flags & PREFIX_PARSE_NORMALIZE))
			return -EINVAL;
		prefix_normalize(p);
	}
	return 0;
}

char *
prefix_format(const struct prefix *p, char *out, size_t outlen)
{
	char a[ADDR_STRLEN];

	snprintf(out, outlen, "%s/%u", addr_format(&p->addr, a, sizeof(a)), p->len);
	return out;
}

void
prefix_normalize(struct prefix *p)
{
	addr_mask(&p->addr, p->len);
}

bool
prefix_has_host_bits(const struct prefix *p)
{
	struct addr m = p->addr;

	addr_mask(&m, p->len);
	return !addr_eq(&m, &p->addr);
}

int
prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c = addr_cmp(&a->addr, &b->addr);

	if (c)
		return c;
	return (int)a->len - (int)b->len;
}

bool
prefix_eq(const struct prefix *a, const struct prefix *b)
{
	return prefix_cmp(a, b) == 0;
}

/* First len bits of a and b equal (same family assumed). */
static bool
bits_equal(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned full = len / 8, rest = len % 8;

	if (memcmp(a, b, full))
		return false;
	if (!rest)
		return true;
	return ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool
prefix_contains_addr(const struct prefix *p, const struct addr *a)
{
	return p->addr.family == a->family && bits_equal(p->addr.bytes, a->bytes, p->len);
}

bool
prefix_contains(const struct prefix *outer, const struct prefix *inner)
{
	return outer->addr.family == inner->addr.family && outer->len <= inner->len &&
	    bits_equal(outer->addr.bytes, inner->addr.bytes, outer->len);
}

bool
prefix_overlaps(const struct prefix *a, const struct prefix *b)
{
	return prefix_contains(a, b) || prefix_contains(b, a);
}

int
prefix_split(const struct prefix *p, struct prefix *lo, struct prefix *hi)
{
	struct prefix n = *p;

	if (p->len >= addr_bits(&p->addr))
		return -ERANGE;
	prefix_normalize(&n);
	n.len++;
	*lo = n;
	*hi = n;
	hi->addr.bytes[p->len / 8] |= (uint8_t)(0x80 >> (p->len % 8));
	return 0;
}

void
prefix_first(const struct prefix *p, struct addr *a)
{
	*a = p->addr;
	addr_mask(a, p->len);
}

void
prefix_last(const struct prefix *p, struct addr *a)
{
	unsigned bits = addr_bits(&p->addr);

	prefix_first(p, a);
	for (unsigned i = p->len; i < bits; i++)
		a->bytes[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

unsigned
prefix_host_bits(const struct prefix *p)
{
	return addr_bits(&p->addr) - p->len;
}

void
prefix_host(struct prefix *p, const struct addr *a)
{
	p->addr = *a;
	p->len = (uint8_t)addr_bits(a);
}

int
prefix_range(const struct addr *lo, const struct addr *hi, struct prefix *out, size_t max)
{
	struct addr cur = *lo;
	unsigned bits;
	int n = 0;

	if (lo->family != hi->family || addr_cmp(lo, hi) > 0)
		return -EINVAL;
	bits = addr_bits(lo);
	for (;;) {
		struct prefix p;
		unsigned len = 0;

		/* Largest block aligned at cur that does not pass hi. */
		for (len = 0; len <= bits; len++) {
			struct addr last;

			p.addr = cur;
			p.len = (uint8_t)len;
			if (prefix_has_host_bits(&p))
				continue;
			prefix_last(&p, &last);
			if (addr_cmp(&last, hi) <= 0)
				break;
		}
		if ((size_t)n < max)
			out[n] = p;
		n++;
		{
			struct addr last;

			prefix_last(&p, &last);
			if (addr_eq(&last, hi))
				break;
			cur = last;
			if (addr_add(&cur, 1))
				break;
		}
	}
	return n;
}
