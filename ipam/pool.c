// SPDX-License-Identifier: MIT
/*
 * IPAM pools: defaults, validation, the JSON form (stored in lib/store and printed
 * by the CLI), address <-> offset arithmetic, the addresses a pool never hands out
 * by itself, and the VMware-live list file. No store access here.
 */
#include "ipam/ipam.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diag.h"

#define POOL_JSON_MAX	(64u << 10)

void
ipam_pool_init(struct ipam_pool *p, enum ipam_pool_kind kind)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->aggregate_free = kind == IPAM_POOL_CLUSTER;
	p->block_len = kind == IPAM_POOL_CLUSTER ? 26 : 32;
}

static bool
name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= IPAM_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

uint64_t
ipam_pool_size(const struct ipam_pool *p)
{
	unsigned hb = prefix_host_bits(&p->cidr);

	return hb >= 64 ? UINT64_MAX : (uint64_t)1 << hb;
}

int
ipam_pool_offset(const struct ipam_pool *p, const struct addr *a, uint64_t *off)
{
	struct addr first;

	if (!prefix_contains_addr(&p->cidr, a))
		return -ERANGE;
	prefix_first(&p->cidr, &first);
	return addr_diff(a, &first, off);
}

void
ipam_pool_addr(const struct ipam_pool *p, uint64_t off, struct addr *a)
{
	prefix_first(&p->cidr, a);
	addr_add(a, off);
}

const char *
ipam_pool_addr_static_reason(const struct ipam_pool *p, const struct addr *a)
{
	uint64_t off, size = ipam_pool_size(p);
	size_t i;

	if (ipam_pool_offset(p, a, &off))
		return "outside the pool";
	if (p->cidr.addr.family == AF_INET && p->cidr.len < 31 &&
	    (off == 0 || off == size - 1))
		return off == 0 ? "the network address" : "the broadcast address";
	if (p->cidr.addr.family == AF_INET6 && off == 0)
		return "the subnet-router anycast address";
	if (p->has_gateway && addr_eq(&p->gateway, a))
		return "the gateway";
	for (i = 0; i < p->nexclude; i++)
		if (addr_cmp(a, &p->exclude[i].lo) >= 0 && addr_cmp(a, &p->exclude[i].hi) <= 0)
			return "in an excluded range";
	return NULL;
}

int
ipam_range_parse(const char *s, struct ipam_range *r)
{
	const char *dash = strchr(s, '-');
	struct prefix p;
	int rc;

	if (dash) {
		if ((rc = addr_parse_n(s, (size_t)(dash - s), &r->lo)) ||
		    (rc = addr_parse(dash + 1, &r->hi)))
			return rc;
		if (r->lo.family != r->hi.family || addr_cmp(&r->lo, &r->hi) > 0)
			return -EINVAL;
		return 0;
	}
	if ((rc = prefix_parse(s, &p, PREFIX_PARSE_HOST_OK)))
		return rc;
	prefix_first(&p, &r->lo);
	prefix_last(&p, &r->hi);
	return 0;
}

static int __attribute__((format(printf, 3, 4)))
field_fail(struct diag *d, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_set_path(d, path);
	return diag_fail(d, "%s", msg);
}

int
ipam_pool_validate(const struct ipam_pool *p, struct diag *d)
{
	unsigned bits = addr_bits(&p->cidr.addr);
	size_t i;

	if (!name_ok(p->name))
		return field_fail(d, "$.name", "pool name '%s' must be 1-63 characters of "
		    "letters, digits, '.', '_' or '-'", p->name);
	if (p->cidr.addr.family != AF_INET && p->cidr.addr.family != AF_INET6)
		return field_fail(d, "$.cidr", "%s", "missing pool CIDR");
	if (prefix_has_host_bits(&p->cidr))
		return field_fail(d, "$.cidr", "%s", "CIDR has host bits set");
	if (prefix_host_bits(&p->cidr) > IPAM_POOL_MAX_HOST_BITS)
		return field_fail(d, "$.cidr", "pool is larger than 2^24 addresses%s",
		    " (split it into several pools)");
	if (p->has_gateway && !prefix_contains_addr(&p->cidr, &p->gateway))
		return field_fail(d, "$.gateway", "%s", "gateway is outside the pool CIDR");
	if (p->block_len < p->cidr.len || p->block_len > bits)
		return field_fail(d, "$.block", "%s",
		    "block length must lie between the pool length and the host length");
	if (p->nexclude > IPAM_EXCLUDE_MAX)
		return field_fail(d, "$.exclude", "%s", "too many excluded ranges (max 64)");
	for (i = 0; i < p->nexclude; i++) {
		if (!prefix_contains_addr(&p->cidr, &p->exclude[i].lo) ||
		    !prefix_contains_addr(&p->cidr, &p->exclude[i].hi)) {
			char path[32];

			snprintf(path, sizeof(path), "$.exclude[%zu]", i);
			return field_fail(d, path, "%s", "excluded range is outside the pool CIDR");
		}
	}
	for (i = 0; i < p->nroutes; i++)
		if (p->routes[i].addr.family != p->cidr.addr.family)
			return field_fail(d, "$.routes", "%s", "route family differs from the pool's");
	return 0;
}

static const char *const pool_keys[] = { "name", "kind", "cidr", "gateway", "exclude",
	"block", "aggregate_free", "routes", NULL };

static int
parse_fields(struct json_object *o, struct ipam_pool *p, struct diag *d)
{
	struct json_object *v;
	char path[64];
	size_t i, n;

	json_object_object_foreach(o, key, val) {
		const char *const *k;

		(void)val;
		for (k = pool_keys; *k && strcmp(*k, key); k++)
			;
		if (!*k) {
			snprintf(path, sizeof(path), "$.%.40s", key);
			return field_fail(d, path, "unknown key '%s'", key);
		}
	}
	if (json_object_object_get_ex(o, "kind", &v)) {
		const char *s = json_object_get_string(v);

		if (!json_object_is_type(v, json_type_string) ||
		    (strcmp(s, "legacy") && strcmp(s, "cluster")))
			return field_fail(d, "$.kind", "%s", "kind must be \"legacy\" or \"cluster\"");
		ipam_pool_init(p, !strcmp(s, "legacy") ? IPAM_POOL_LEGACY : IPAM_POOL_CLUSTER);
	} else {
		ipam_pool_init(p, IPAM_POOL_CLUSTER);
	}
	if (!json_object_object_get_ex(o, "name", &v) || !json_object_is_type(v, json_type_string))
		return field_fail(d, "$.name", "%s", "missing or non-string pool name");
	snprintf(p->name, sizeof(p->name), "%s", json_object_get_string(v));
	if (json_object_get_string_len(v) >= IPAM_NAME_MAX)
		return field_fail(d, "$.name", "%s", "pool name too long");
	if (!json_object_object_get_ex(o, "cidr", &v) || !json_object_is_type(v, json_type_string) ||
	    prefix_parse(json_object_get_string(v), &p->cidr, PREFIX_PARSE_STRICT))
		return field_fail(d, "$.cidr", "%s", "missing or bad CIDR (e.g. \"10.20.0.0/24\")");
	if (p->kind == IPAM_POOL_LEGACY || json_object_object_get_ex(o, "block", NULL))
		p->block_len = (uint8_t)addr_bits(&p->cidr.addr);
	if (json_object_object_get_ex(o, "gateway", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    addr_parse(json_object_get_string(v), &p->gateway))
			return field_fail(d, "$.gateway", "%s", "bad gateway address");
		p->has_gateway = true;
	}
	if (json_object_object_get_ex(o, "block", &v)) {
		int64_t b = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || b < 0 || b > 128)
			return field_fail(d, "$.block", "%s", "block must be a prefix length");
		p->block_len = (uint8_t)b;
	} else if (p->kind == IPAM_POOL_CLUSTER && p->cidr.addr.family == AF_INET6) {
		p->block_len = 122;
	}
	/* a default block larger than the pool shrinks to the pool */
	if (!json_object_object_get_ex(o, "block", NULL) && p->block_len < p->cidr.len)
		p->block_len = p->cidr.len;
	if (json_object_object_get_ex(o, "aggregate_free", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return field_fail(d, "$.aggregate_free", "%s", "must be true or false");
		p->aggregate_free = json_object_get_boolean(v);
	}
	if (json_object_object_get_ex(o, "exclude", &v)) {
		if (!json_object_is_type(v, json_type_array))
			return field_fail(d, "$.exclude", "%s", "must be an array of ranges");
		n = json_object_array_length(v);
		if (n > IPAM_EXCLUDE_MAX)
			return field_fail(d, "$.exclude", "%s", "too many excluded ranges (max 64)");
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(v, i);

			snprintf(path, sizeof(path), "$.exclude[%zu]", i);
			if (!json_object_is_type(e, json_type_string) ||
			    ipam_range_parse(json_object_get_string(e), &p->exclude[i]))
				return field_fail(d, path, "%s",
				    "bad range (\"A-B\", \"A\" or \"P/len\")");
		}
		p->nexclude = n;
	}
	if (json_object_object_get_ex(o, "routes", &v)) {
		if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > 4)
			return field_fail(d, "$.routes", "%s", "must be an array of at most 4 prefixes");
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(v, i);

			snprintf(path, sizeof(path), "$.routes[%zu]", i);
			if (!json_object_is_type(e, json_type_string) ||
			    prefix_parse(json_object_get_string(e), &p->routes[i], PREFIX_PARSE_STRICT))
				return field_fail(d, path, "%s", "bad route prefix");
		}
		p->nroutes = n;
	}
	return ipam_pool_validate(p, d);
}

int
ipam_pool_parse_json(const char *text, size_t len, struct ipam_pool *p, struct diag *d)
{
	struct json_tokener *tok;
	struct json_object *o;
	int rc;

	memset(p, 0, sizeof(*p));
	if (len > POOL_JSON_MAX)
		return diag_fail(d, "pool definition larger than 64 KiB");
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		diag_set_offset(d, tok->char_offset);
		rc = diag_fail(d, "bad JSON: %s",
		    json_tokener_error_desc(o ? json_tokener_success : json_tokener_get_error(tok)));
		json_object_put(o);
		json_tokener_free(tok);
		return rc;
	}
	if (tok->char_offset < (int)len) {
		size_t i;

		for (i = (size_t)tok->char_offset; i < len; i++)
			if (!isspace((unsigned char)text[i])) {
				json_object_put(o);
				json_tokener_free(tok);
				diag_set_offset(d, i);
				return diag_fail(d, "trailing bytes after the JSON object");
			}
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return field_fail(d, "$", "%s", "pool definition must be a JSON object");
	}
	rc = parse_fields(o, p, d);
	json_object_put(o);
	return rc;
}

char *
ipam_pool_to_json(const struct ipam_pool *p)
{
	struct json_object *o = json_object_new_object(), *a;
	char s[PREFIX_STRLEN], t[ADDR_STRLEN];
	char *out;
	size_t i;

	if (!o)
		return NULL;
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "kind", json_object_new_string(
	    p->kind == IPAM_POOL_LEGACY ? "legacy" : "cluster"));
	json_object_object_add(o, "cidr", json_object_new_string(prefix_format(&p->cidr, s,
	    sizeof(s))));
	if (p->has_gateway)
		json_object_object_add(o, "gateway", json_object_new_string(
		    addr_format(&p->gateway, t, sizeof(t))));
	a = json_object_new_array();
	for (i = 0; i < p->nexclude; i++) {
		char r[2 * PREFIX_STRLEN + 2];

		addr_format(&p->exclude[i].lo, s, sizeof(s));
		addr_format(&p->exclude[i].hi, t, sizeof(t));
		if (addr_eq(&p->exclude[i].lo, &p->exclude[i].hi))
			snprintf(r, sizeof(r), "%s", s);
		else
			snprintf(r, sizeof(r), "%s-%s", s, t);
		json_object_array_add(a, json_object_new_string(r));
	}
	json_object_object_add(o, "exclude", a);
	json_object_object_add(o, "block", json_object_new_int(p->block_len));
	json_object_object_add(o, "aggregate_free", json_object_new_boolean(p->aggregate_free));
	a = json_object_new_array();
	for (i = 0; i < p->nroutes; i++)
		json_object_array_add(a, json_object_new_string(prefix_format(&p->routes[i], s,
		    sizeof(s))));
	json_object_object_add(o, "routes", a);
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return out;
}

int
ipam_live_file_parse(const char *path, const char *text, size_t len,
    int (*cb)(const struct addr *a, const char *vm, void *arg), void *arg, struct diag *d)
{
	size_t pos = 0;
	int line = 0, rc;

	diag_init(d, path);
	while (pos < len) {
		size_t end = pos, n;
		char buf[256], *tok, *save = NULL, *ip, *vm, *extra;
		struct addr a;

		while (end < len && text[end] != '\n')
			end++;
		line++;
		n = end - pos;
		if (n >= sizeof(buf)) {
			diag_set_pos(d, line, 1);
			return diag_fail(d, "line longer than %zu bytes", sizeof(buf) - 1);
		}
		memcpy(buf, text + pos, n);
		buf[n] = '\0';
		pos = end + 1;
		if (memchr(buf, '\0', n)) {
			diag_set_pos(d, line, 1);
			return diag_fail(d, "NUL byte in line");
		}
		if ((tok = strchr(buf, '#')))
			*tok = '\0';
		ip = strtok_r(buf, " \t\r,", &save);
		if (!ip)
			continue;
		vm = strtok_r(NULL, " \t\r,", &save);
		extra = strtok_r(NULL, " \t\r,", &save);
		if (addr_parse(ip, &a)) {
			diag_set_pos(d, line, (int)(ip - buf) + 1);
			return diag_fail(d, "'%s' is not an IP address", ip);
		}
		if (extra) {
			diag_set_pos(d, line, (int)(extra - buf) + 1);
			return diag_fail(d, "unexpected '%s' (want: ADDRESS [VM-NAME])", extra);
		}
		if (vm && (strlen(vm) >= IPAM_NAME_MAX || !name_ok(vm))) {
			diag_set_pos(d, line, (int)(vm - buf) + 1);
			return diag_fail(d, "bad VM name '%s'", vm);
		}
		rc = cb(&a, vm ? vm : "", arg);
		if (rc) {
			diag_set_pos(d, line, 1);
			return diag_failv(d, rc, "address %s refused", ip);
		}
	}
	return 0;
}
