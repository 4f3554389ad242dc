// SPDX-License-Identifier: MIT
/*
 * YAML config documents with key paths (see yamlconf.h). The whole file is loaded
 * with libyaml's document API (configs are small, capped at YCFG_MAX_BYTES), then
 * read through ynode handles that carry their key path. libyaml marks are 0-based;
 * users read 1-based line:column.
 */
#include "lib/yamlconf.h"
#include "lib/file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct ycfg {
	yaml_document_t	 doc;
	struct diag	*d;
};

static yaml_node_t *
ynode_get(const struct ynode *n)
{
	if (!n || !n->doc || n->id <= 0)
		return NULL;
	return yaml_document_get_node(&n->doc->doc, n->id);
}

struct diag *
ycfg_diag(struct ycfg *y)
{
	return y->d;
}

static struct ycfg *
ycfg_parse(yaml_parser_t *p, struct diag *d)
{
	struct ycfg *y = calloc(1, sizeof(*y));

	if (!y) {
		diag_failv(d, -ENOMEM, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	y->d = d;
	if (!yaml_parser_load(p, &y->doc)) {
		diag_set_pos(d, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1);
		diag_fail(d, "YAML syntax error: %s%s%s", p->problem ? p->problem : "unknown",
		    p->context ? " " : "", p->context ? p->context : "");
		free(y);
		errno = EINVAL;
		return NULL;
	}
	if (!yaml_document_get_root_node(&y->doc)) {
		/* Empty file: an empty mapping. */
		yaml_document_delete(&y->doc);
		if (!yaml_document_initialize(&y->doc, NULL, NULL, NULL, 1, 1) ||
		    !yaml_document_add_mapping(&y->doc, NULL, YAML_BLOCK_MAPPING_STYLE)) {
			free(y);
			diag_failv(d, -ENOMEM, "out of memory");
			errno = ENOMEM;
			return NULL;
		}
	}
	return y;
}

struct ycfg *
ycfg_load_buf(const char *source, const void *buf, size_t len, struct diag *d)
{
	yaml_parser_t p;
	struct ycfg *y;

	(void)source;
	if (len > YCFG_MAX_BYTES) {
		diag_fail(d, "file too large (%zu bytes, max %u)", len, YCFG_MAX_BYTES);
		errno = EFBIG;
		return NULL;
	}
	if (!yaml_parser_initialize(&p)) {
		errno = ENOMEM;
		return NULL;
	}
	yaml_parser_set_input_string(&p, buf, len);
	y = ycfg_parse(&p, d);
	yaml_parser_delete(&p);
	return y;
}

struct ycfg *
ycfg_load_file(const char *file, struct diag *d)
{
	struct ycfg *y;
	char *buf;
	size_t len;
	int rc;

	rc = file_read_all(file, YCFG_MAX_BYTES, &buf, &len, d);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	y = ycfg_load_buf(file, buf, len, d);
	free(buf);
	return y;
}

void
ycfg_free(struct ycfg *y)
{
	if (!y)
		return;
	yaml_document_delete(&y->doc);
	free(y);
}

void
ycfg_root(struct ycfg *y, struct ynode *out)
{
	yaml_node_t *r = yaml_document_get_root_node(&y->doc);

	memset(out, 0, sizeof(*out));
	out->doc = y;
	out->id = r ? (int)(r - y->doc.nodes.start) + 1 : 0;
}

bool
ynode_is_map(const struct ynode *n)
{
	yaml_node_t *y = ynode_get(n);

	return y && y->type == YAML_MAPPING_NODE;
}

bool
ynode_is_seq(const struct ynode *n)
{
	yaml_node_t *y = ynode_get(n);

	return y && y->type == YAML_SEQUENCE_NODE;
}

bool
ynode_is_scalar(const struct ynode *n)
{
	yaml_node_t *y = ynode_get(n);

	return y && y->type == YAML_SCALAR_NODE;
}

static int __attribute__((format(printf, 3, 0)))
ynode_vfail(const struct ynode *n, yaml_node_t *at, const char *fmt, va_list ap)
{
	struct diag *d = n->doc ? n->doc->d : NULL;
	char msg[512];

	if (!d || d->set)
		return -EINVAL;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!at)
		at = ynode_get(n);
	if (at)
		diag_set_pos(d, (int)at->start_mark.line + 1, (int)at->start_mark.column + 1);
	if (n->path[0])
		diag_set_path(d, n->path);
	diag_fail(d, "%s", msg);
	return -EINVAL;
}

int
ynode_fail(const struct ynode *n, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ynode_vfail(n, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

static int __attribute__((format(printf, 3, 4)))
ynode_fail_at(const struct ynode *n, yaml_node_t *at, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ynode_vfail(n, at, fmt, ap);
	va_end(ap);
	return rc;
}

/* Paths longer than YCFG_PATH_MAX are cut (they only label error messages). */
static void
child_path(char *out, const char *parent, const char *key)
{
	int n;

	if (parent[0])
		n = snprintf(out, YCFG_PATH_MAX, "%s.%s", parent, key);
	else
		n = snprintf(out, YCFG_PATH_MAX, "%s", key);
	if (n >= YCFG_PATH_MAX)	/* mark the cut so nobody mistakes it for a real key */
		memcpy(out + YCFG_PATH_MAX - 4, "...", 4);
}

static const char *
scalar_text(yaml_node_t *y)
{
	return (const char *)y->data.scalar.value;
}

static const char *
type_name(yaml_node_t *y)
{
	switch (y->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a scalar";
	}
}

int
ycfg_map_check(const struct ynode *map, const char *const *allowed)
{
	yaml_node_t *m = ynode_get(map);
	yaml_node_pair_t *pair, *prev;

	if (!m || m->type != YAML_MAPPING_NODE)
		return ynode_fail(map, "must be a mapping (key: value), not %s",
		    m ? type_name(m) : "nothing");
	for (pair = m->data.mapping.pairs.start; pair < m->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&map->doc->doc, pair->key);
		struct ynode kn = *map;
		const char *const *a;

		if (!k || k->type != YAML_SCALAR_NODE)
			return ynode_fail_at(map, k, "keys must be plain names");
		child_path(kn.path, map->path, scalar_text(k));
		for (a = allowed; *a; a++)
			if (!strcmp(*a, scalar_text(k)))
				break;
		if (!*a)
			return ynode_fail_at(&kn, k, "unknown key");
		for (prev = m->data.mapping.pairs.start; prev < pair; prev++) {
			yaml_node_t *pk = yaml_document_get_node(&map->doc->doc, prev->key);

			if (pk && pk->type == YAML_SCALAR_NODE &&
			    !strcmp(scalar_text(pk), scalar_text(k)))
				return ynode_fail_at(&kn, k, "duplicate key (first at line %d)",
				    (int)pk->start_mark.line + 1);
		}
	}
	return 0;
}

int
ycfg_map_get(const struct ynode *map, const char *key, struct ynode *out)
{
	yaml_node_t *m = ynode_get(map);
	yaml_node_pair_t *pair;

	if (!m || m->type != YAML_MAPPING_NODE)
		return ynode_fail(map, "must be a mapping (key: value)");
	for (pair = m->data.mapping.pairs.start; pair < m->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&map->doc->doc, pair->key);

		if (k && k->type == YAML_SCALAR_NODE && !strcmp(scalar_text(k), key)) {
			*out = *map;
			out->id = pair->value;
			child_path(out->path, map->path, key);
			return 1;
		}
	}
	return 0;
}

int
ycfg_seq_len(const struct ynode *seq)
{
	yaml_node_t *s = ynode_get(seq);

	if (!s || s->type != YAML_SEQUENCE_NODE)
		return ynode_fail(seq, "must be a list, not %s", s ? type_name(s) : "nothing");
	return (int)(s->data.sequence.items.top - s->data.sequence.items.start);
}

int
ycfg_seq_get(const struct ynode *seq, int i, struct ynode *out)
{
	yaml_node_t *s = ynode_get(seq);
	size_t len;

	if (!s || s->type != YAML_SEQUENCE_NODE)
		return ynode_fail(seq, "must be a list");
	len = (size_t)(s->data.sequence.items.top - s->data.sequence.items.start);
	if (i < 0 || (size_t)i >= len)
		return -ERANGE;
	*out = *seq;
	out->id = s->data.sequence.items.start[i];
	{
		char idx[16];
		size_t pl = strnlen(seq->path, sizeof(out->path) - sizeof(idx));

		snprintf(idx, sizeof(idx), "[%d]", i);
		memcpy(out->path, seq->path, pl);
		snprintf(out->path + pl, sizeof(out->path) - pl, "%s", idx);
	}
	return 0;
}

/* A scalar's text, or a diag error. */
static int
scalar(const struct ynode *n, const char **text, size_t *len)
{
	yaml_node_t *y = ynode_get(n);

	if (!y || y->type != YAML_SCALAR_NODE)
		return ynode_fail(n, "must be a single value, not %s",
		    y ? type_name(y) : "nothing");
	*text = scalar_text(y);
	*len = y->data.scalar.length;
	if (memchr(*text, '\0', *len))
		return ynode_fail(n, "contains a NUL character");
	return 0;
}

int
ynode_str(const struct ynode *n, char *out, size_t cap)
{
	const char *t = "";
	size_t len = 0;
	int rc = scalar(n, &t, &len);

	if (rc)
		return rc;
	if (len >= cap)
		return ynode_fail(n, "too long (%zu characters, max %zu)", len, cap - 1);
	memcpy(out, t, len);
	out[len] = '\0';
	return 0;
}

int
ynode_u32(const struct ynode *n, uint32_t min, uint32_t max, uint32_t *v)
{
	const char *t = "";
	size_t len = 0;
	unsigned long long x = 0;
	int rc = scalar(n, &t, &len);

	if (rc)
		return rc;
	if (len == 0 || len > 10)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		if (t[i] < '0' || t[i] > '9')
			goto bad;
		x = x * 10 + (unsigned long long)(t[i] - '0');
	}
	if (x < min || x > max)
		goto bad;
	*v = (uint32_t)x;
	return 0;
bad:
	return ynode_fail(n, "must be %u..%u, got \"%.40s\"", min, max, t);
}

int
ynode_bool(const struct ynode *n, bool *v)
{
	static const char *const yes[] = { "true", "yes", "on", NULL };
	static const char *const no[] = { "false", "no", "off", NULL };
	const char *t = "";
	size_t len = 0;
	int rc = scalar(n, &t, &len);

	if (rc)
		return rc;
	for (int i = 0; yes[i]; i++) {
		if (!strcmp(t, yes[i])) {
			*v = true;
			return 0;
		}
		if (!strcmp(t, no[i])) {
			*v = false;
			return 0;
		}
	}
	return ynode_fail(n, "must be true or false, got \"%.40s\"", t);
}

int
ynode_addr(const struct ynode *n, struct addr *a)
{
	const char *t = "";
	size_t len = 0;
	int rc = scalar(n, &t, &len);

	if (rc)
		return rc;
	if (addr_parse(t, a))
		return ynode_fail(n, "not an IPv4 or IPv6 address: \"%.60s\"", t);
	return 0;
}

int
ynode_prefix(const struct ynode *n, struct prefix *p)
{
	const char *t = "";
	size_t len = 0;
	int rc = scalar(n, &t, &len);

	if (rc)
		return rc;
	if (!strchr(t, '/'))
		return ynode_fail(n, "not a prefix (ADDRESS/LENGTH): \"%.60s\"", t);
	rc = prefix_parse(t, p, PREFIX_PARSE_STRICT);
	if (rc) {
		struct prefix q;

		if (!prefix_parse(t, &q, PREFIX_PARSE_NORMALIZE)) {
			char s[PREFIX_STRLEN];

			return ynode_fail(n, "host bits set in \"%.60s\" (did you mean %s?)", t,
			    prefix_format(&q, s, sizeof(s)));
		}
		return ynode_fail(n, "not a prefix (ADDRESS/LENGTH): \"%.60s\"", t);
	}
	return 0;
}

int
ynode_enum(const struct ynode *n, const char *const *names, int *idx)
{
	char list[256] = "";
	const char *t = "";
	size_t len = 0;
	int rc = scalar(n, &t, &len);

	if (rc)
		return rc;
	for (int i = 0; names[i]; i++) {
		if (!strcmp(t, names[i])) {
			*idx = i;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
		    i ? ", " : "", names[i]);
	}
	return ynode_fail(n, "must be one of %s, got \"%.40s\"", list, t);
}

int
ynode_hostport(const struct ynode *n, struct addr *a, uint16_t *port)
{
	char buf[96] = "", *colon, *host;
	unsigned long p;
	char *end;
	int rc = ynode_str(n, buf, sizeof(buf));

	if (rc)
		return rc;
	colon = strrchr(buf, ':');
	if (!colon)
		goto bad;
	*colon = '\0';
	host = buf;
	if (host[0] == '[') {
		size_t hl = strlen(host);

		if (hl < 2 || host[hl - 1] != ']')
			goto bad;
		host[hl - 1] = '\0';
		host++;
	} else if (strchr(host, ':')) {
		goto bad;	/* IPv6 needs brackets */
	}
	if (addr_parse(host, a))
		goto bad;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end || colon[1] == '\0' || p == 0 || p > 65535)
		goto bad;
	*port = (uint16_t)p;
	return 0;
bad:
	return ynode_fail(n, "must be ADDRESS:PORT (IPv6 as [ADDRESS]:PORT, port 1..65535)");
}

static int
opt(const struct ynode *map, const char *key, struct ynode *n, bool required)
{
	int rc = ycfg_map_get(map, key, n);

	if (rc == 0 && required)
		return ynode_fail(map, "missing required key \"%s\"", key);
	return rc;
}

int
ycfg_opt_str(const struct ynode *map, const char *key, char *out, size_t cap)
{
	struct ynode n;
	int rc = opt(map, key, &n, false);

	return rc <= 0 ? rc : (ynode_str(&n, out, cap) ? -EINVAL : 1);
}

int
ycfg_opt_u32(const struct ynode *map, const char *key, uint32_t min, uint32_t max,
    uint32_t *v)
{
	struct ynode n;
	int rc = opt(map, key, &n, false);

	return rc <= 0 ? rc : (ynode_u32(&n, min, max, v) ? -EINVAL : 1);
}

int
ycfg_opt_bool(const struct ynode *map, const char *key, bool *v)
{
	struct ynode n;
	int rc = opt(map, key, &n, false);

	return rc <= 0 ? rc : (ynode_bool(&n, v) ? -EINVAL : 1);
}

int
ycfg_opt_addr(const struct ynode *map, const char *key, struct addr *a)
{
	struct ynode n;
	int rc = opt(map, key, &n, false);

	return rc <= 0 ? rc : (ynode_addr(&n, a) ? -EINVAL : 1);
}

int
ycfg_req_str(const struct ynode *map, const char *key, char *out, size_t cap)
{
	struct ynode n;
	int rc = opt(map, key, &n, true);

	return rc < 0 ? rc : ynode_str(&n, out, cap);
}

int
ycfg_req_u32(const struct ynode *map, const char *key, uint32_t min, uint32_t max,
    uint32_t *v)
{
	struct ynode n;
	int rc = opt(map, key, &n, true);

	return rc < 0 ? rc : ynode_u32(&n, min, max, v);
}

int
ycfg_req_addr(const struct ynode *map, const char *key, struct addr *a)
{
	struct ynode n;
	int rc = opt(map, key, &n, true);

	return rc < 0 ? rc : ynode_addr(&n, a);
}

int
ycfg_sections(const struct ynode *root, const struct ycfg_section *secs, size_t n)
{
	const char *keys[64];
	size_t i;
	int rc;

	if (n >= sizeof(keys) / sizeof(keys[0]))
		return -E2BIG;
	for (i = 0; i < n; i++)
		keys[i] = secs[i].key;
	keys[n] = NULL;
	rc = ycfg_map_check(root, keys);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		struct ynode c;

		rc = ycfg_map_get(root, secs[i].key, &c);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		rc = secs[i].parse(&c, secs[i].arg);
		if (rc)
			return rc;
	}
	return 0;
}
