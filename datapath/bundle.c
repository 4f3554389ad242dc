// SPDX-License-Identifier: MIT
/*
 * Policy bundle parser (format in docs/datapath.md). json-c builds the tree; this
 * file walks it with typed accessors that keep the JSON path ($.endpoints[2].rules[0]
 * .port) for error messages, rejects unknown or mistyped fields and checks every
 * range and cross reference. It never touches BPF maps.
 */
#include "datapath/bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "datapath/dp_abi.h"

/* JSON path of the value being looked at; push returns the length to pop back to. */
struct jpath {
	char	 buf[256];
	size_t	 len;
};

static size_t
jp_key(struct jpath *p, const char *key)
{
	size_t old = p->len;
	int n = snprintf(p->buf + p->len, sizeof(p->buf) - p->len, ".%s", key);

	if (n > 0)
		p->len = p->len + (size_t)n < sizeof(p->buf) ? p->len + (size_t)n :
		    sizeof(p->buf) - 1;
	return old;
}

static size_t
jp_idx(struct jpath *p, size_t i)
{
	size_t old = p->len;
	int n = snprintf(p->buf + p->len, sizeof(p->buf) - p->len, "[%zu]", i);

	if (n > 0)
		p->len = p->len + (size_t)n < sizeof(p->buf) ? p->len + (size_t)n :
		    sizeof(p->buf) - 1;
	return old;
}

static void
jp_pop(struct jpath *p, size_t len)
{
	p->len = len;
	p->buf[len] = '\0';
}

struct pctx {
	struct jpath	 path;
	struct diag	*d;
	struct dp_bundle *b;
	uint32_t	*ids;		/* declared identities, sorted */
	size_t		 nids;
};

static int
pfail(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
pfail(struct pctx *c, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_set_path(c->d, c->path.buf);
	return diag_fail(c->d, "%s", msg);
}

/* Reject keys not in the NULL-terminated allowed list. */
static int
check_keys(struct pctx *c, struct json_object *o, const char *const *allowed)
{
	json_object_object_foreach(o, key, val) {
		const char *const *a;

		(void)val;
		for (a = allowed; *a; a++)
			if (!strcmp(*a, key))
				break;
		if (!*a) {
			size_t m = jp_key(&c->path, key);
			int rc = pfail(c, "unknown field \"%s\"", key);

			jp_pop(&c->path, m);
			return rc;
		}
	}
	return 0;
}

static const char *
jtype(struct json_object *o)
{
	return json_type_to_name(json_object_get_type(o));
}

/* Fetch o[key]: 0 found, 1 absent (and !required), error otherwise. The path is
 * left pointing at key on success so callers can report; they pop with *mark. */
static int
get_field(struct pctx *c, struct json_object *o, const char *key, enum json_type t,
    bool required, struct json_object **v, size_t *mark)
{
	*mark = jp_key(&c->path, key);
	if (!json_object_object_get_ex(o, key, v) || !*v) {
		if (!required) {
			jp_pop(&c->path, *mark);
			return 1;
		}
		return pfail(c, "required field is missing");
	}
	if (!json_object_is_type(*v, t))
		return pfail(c, "expected %s, got %s", json_type_to_name(t), jtype(*v));
	return 0;
}

static int
get_u32(struct pctx *c, struct json_object *o, const char *key, bool required,
    uint32_t min, uint32_t max, uint32_t *out)
{
	struct json_object *v;
	size_t m;
	int64_t n;
	int rc = get_field(c, o, key, json_type_int, required, &v, &m);

	if (rc)
		return rc > 0 ? 1 : rc;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno || n < (int64_t)min || n > (int64_t)max)
		return pfail(c, "%s out of range %" PRIu32 "..%" PRIu32,
		    json_object_get_string(v), min, max);
	*out = (uint32_t)n;
	jp_pop(&c->path, m);
	return 0;
}

static int
get_str(struct pctx *c, struct json_object *o, const char *key, bool required,
    size_t maxlen, char *out, size_t outlen)
{
	struct json_object *v;
	size_t m, n;
	int rc = get_field(c, o, key, json_type_string, required, &v, &m);

	if (rc)
		return rc > 0 ? 1 : rc;
	n = (size_t)json_object_get_string_len(v);
	if (n == 0)
		return pfail(c, "must not be empty");
	if (n > maxlen || n >= outlen)
		return pfail(c, "longer than %zu bytes", maxlen < outlen - 1 ? maxlen :
		    outlen - 1);
	if (memchr(json_object_get_string(v), '\0', n))
		return pfail(c, "contains a NUL byte");
	memcpy(out, json_object_get_string(v), n);
	out[n] = '\0';
	jp_pop(&c->path, m);
	return 0;
}

/* One of words[] -> its index. */
static int
get_enum(struct pctx *c, struct json_object *o, const char *key, const char *const *words,
    int *out)
{
	struct json_object *v;
	size_t m;
	int rc = get_field(c, o, key, json_type_string, false, &v, &m);

	if (rc)
		return rc > 0 ? 1 : rc;
	for (int i = 0; words[i]; i++) {
		if (!strcmp(words[i], json_object_get_string(v))) {
			*out = i;
			jp_pop(&c->path, m);
			return 0;
		}
	}
	{
		char list[128] = "";

		for (int i = 0; words[i]; i++) {
			strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
			strncat(list, words[i], sizeof(list) - strlen(list) - 1);
		}
		return pfail(c, "\"%s\" is not one of: %s", json_object_get_string(v), list);
	}
}

int
dp_proto_parse(const char *s, uint8_t *proto)
{
	static const struct { const char *name; uint8_t p; } names[] = {
		{ "any", 0 }, { "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
		{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
		{ "sctp", IPPROTO_SCTP },
	};
	char *end;
	unsigned long n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(s, names[i].name)) {
			*proto = names[i].p;
			return 0;
		}
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || n > 255)
		return -EINVAL;
	*proto = (uint8_t)n;
	return 0;
}

const char *
dp_proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 0:			return "any";
	case IPPROTO_TCP:	return "tcp";
	case IPPROTO_UDP:	return "udp";
	case IPPROTO_ICMP:	return "icmp";
	case IPPROTO_ICMPV6:	return "icmpv6";
	case IPPROTO_SCTP:	return "sctp";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool
identity_known(const struct pctx *c, uint32_t id)
{
	if (id < DP_ID_MIN_USER)
		return true;	/* reserved identities need no declaration */
	return c->nids && bsearch(&id, c->ids, c->nids, sizeof(*c->ids), cmp_u32);
}

static int
parse_identity(struct pctx *c, struct json_object *o, struct dp_bundle_identity *id)
{
	static const char *const keys[] = { "id", "name", "labels", "comment", NULL };
	struct json_object *labels;
	size_t m;
	int rc;

	if ((rc = check_keys(c, o, keys)))
		return rc;
	if ((rc = get_u32(c, o, "id", true, 1, DP_ID_MAX, &id->id)))
		return rc;
	if ((rc = get_str(c, o, "name", true, DP_BUNDLE_NAME_LEN - 1, id->name,
	    sizeof(id->name))))
		return rc;
	rc = get_field(c, o, "labels", json_type_array, false, &labels, &m);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		for (size_t i = 0; i < json_object_array_length(labels); i++) {
			struct json_object *l = json_object_array_get_idx(labels, i);
			size_t mi = jp_idx(&c->path, i);

			if (!json_object_is_type(l, json_type_string))
				return pfail(c, "expected string, got %s", jtype(l));
			jp_pop(&c->path, mi);
		}
		jp_pop(&c->path, m);
	}
	if (json_object_object_get_ex(o, "comment", &labels) &&
	    !json_object_is_type(labels, json_type_string)) {
		jp_key(&c->path, "comment");
		return pfail(c, "expected string, got %s", jtype(labels));
	}
	return 0;
}

static int
parse_cidr(struct pctx *c, struct json_object *o, struct dp_bundle_cidr *cidr)
{
	static const char *const keys[] = { "cidr", "identity", "comment", NULL };
	char text[PREFIX_STRLEN + 8];
	size_t m;
	int rc;

	if ((rc = check_keys(c, o, keys)))
		return rc;
	if ((rc = get_str(c, o, "cidr", true, PREFIX_STRLEN, text, sizeof(text))))
		return rc;
	m = jp_key(&c->path, "cidr");
	if (prefix_parse(text, &cidr->prefix, PREFIX_PARSE_STRICT | PREFIX_PARSE_HOST_OK))
		return pfail(c, "\"%s\" is not a prefix (address/len without host bits)",
		    text);
	jp_pop(&c->path, m);
	if ((rc = get_u32(c, o, "identity", true, 1, DP_ID_MAX, &cidr->identity)))
		return rc;
	if (!identity_known(c, cidr->identity)) {
		jp_key(&c->path, "identity");
		return pfail(c, "identity %" PRIu32 " is not declared in $.identities",
		    cidr->identity);
	}
	return 0;
}

static int
parse_rule(struct pctx *c, struct json_object *o, struct dp_bundle_rule *r)
{
	static const char *const keys[] = { "direction", "peer", "protocol", "port",
		"end_port", "action", "ref", "comment", NULL };
	static const char *const dirs[] = { "ingress", "egress", NULL };
	static const char *const actions[] = { "allow", "deny", NULL };
	struct json_object *v;
	char ptext[16];
	uint32_t port = 0, end = 0;
	bool has_port, has_end;
	int rc, idx = 0;
	size_t m;

	if ((rc = check_keys(c, o, keys)))
		return rc;
	if (!json_object_object_get_ex(o, "direction", &v)) {
		jp_key(&c->path, "direction");
		return pfail(c, "required field is missing");
	}
	if ((rc = get_enum(c, o, "direction", dirs, &idx)))
		return rc;
	r->dir = idx == 0 ? DP_DIR_INGRESS : DP_DIR_EGRESS;
	if (!json_object_object_get_ex(o, "action", &v)) {
		jp_key(&c->path, "action");
		return pfail(c, "required field is missing");
	}
	if ((rc = get_enum(c, o, "action", actions, &idx)))
		return rc;
	r->action = idx == 0 ? DP_ACTION_ALLOW : DP_ACTION_DENY;
	r->peer = 0;
	rc = get_u32(c, o, "peer", false, 0, DP_ID_MAX, &r->peer);
	if (rc < 0)
		return rc;
	if (r->peer && !identity_known(c, r->peer)) {
		jp_key(&c->path, "peer");
		return pfail(c, "identity %" PRIu32 " is not declared in $.identities",
		    r->peer);
	}
	r->proto = 0;
	rc = get_str(c, o, "protocol", false, sizeof(ptext) - 1, ptext, sizeof(ptext));
	if (rc < 0)
		return rc;
	if (rc == 0 && dp_proto_parse(ptext, &r->proto)) {
		jp_key(&c->path, "protocol");
		return pfail(c, "\"%s\" is not a protocol (tcp, udp, icmp, icmpv6, sctp, "
		    "any or 0..255)", ptext);
	}
	rc = get_u32(c, o, "port", false, 0, 65535, &port);
	if (rc < 0)
		return rc;
	has_port = rc == 0;
	rc = get_u32(c, o, "end_port", false, 0, 65535, &end);
	if (rc < 0)
		return rc;
	has_end = rc == 0;
	r->port_lo = 0;
	r->port_hi = 65535;
	if (has_end && !has_port) {
		jp_key(&c->path, "end_port");
		return pfail(c, "end_port needs port");
	}
	if (has_port) {
		bool icmp = r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6;
		bool ports = r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP ||
		    r->proto == IPPROTO_SCTP;

		m = jp_key(&c->path, "port");
		if (!icmp && !ports)
			return pfail(c, "a port needs protocol tcp, udp or sctp (or an ICMP "
			    "type with icmp/icmpv6)");
		if (ports && port == 0)
			return pfail(c, "port 0 is not a port; omit port for any port");
		if (icmp && port > 255)
			return pfail(c, "ICMP type %" PRIu32 " out of range 0..255", port);
		jp_pop(&c->path, m);
		if (!has_end)
			end = port;
		m = jp_key(&c->path, "end_port");
		if (end < port)
			return pfail(c, "end_port %" PRIu32 " is below port %" PRIu32, end,
			    port);
		if (icmp && end > 255)
			return pfail(c, "ICMP type %" PRIu32 " out of range 0..255", end);
		jp_pop(&c->path, m);
		r->port_lo = (uint16_t)port;
		r->port_hi = (uint16_t)end;
	}
	r->ref[0] = '\0';
	rc = get_str(c, o, "ref", false, DP_BUNDLE_NAME_LEN - 1, r->ref, sizeof(r->ref));
	if (rc < 0)
		return rc;
	if (json_object_object_get_ex(o, "comment", &v) &&
	    !json_object_is_type(v, json_type_string)) {
		jp_key(&c->path, "comment");
		return pfail(c, "expected string, got %s", jtype(v));
	}
	return 0;
}

static int
parse_endpoint(struct pctx *c, struct json_object *o, struct dp_bundle_endpoint *ep)
{
	static const char *const keys[] = { "id", "name", "identity", "interface", "ips",
		"mode", "ingress_default", "egress_default", "rules", "comment", NULL };
	static const char *const modes[] = { "enforce", "audit", NULL };
	static const char *const defs[] = { "deny", "allow", NULL };
	struct json_object *arr;
	bool has_rules[2] = { false, false };
	int rc, idx = 0;
	size_t m;

	if ((rc = check_keys(c, o, keys)))
		return rc;
	if ((rc = get_u32(c, o, "id", true, 1, DP_EP_ID_MAX, &ep->id)))
		return rc;
	if ((rc = get_str(c, o, "name", true, DP_BUNDLE_NAME_LEN - 1, ep->name,
	    sizeof(ep->name))))
		return rc;
	if ((rc = get_u32(c, o, "identity", true, 1, DP_ID_MAX, &ep->identity)))
		return rc;
	if (!identity_known(c, ep->identity)) {
		jp_key(&c->path, "identity");
		return pfail(c, "identity %" PRIu32 " is not declared in $.identities",
		    ep->identity);
	}
	rc = get_str(c, o, "interface", false, IF_NAMESIZE - 1, ep->ifname,
	    sizeof(ep->ifname));
	if (rc < 0)
		return rc;
	ep->mode = DP_MODE_ENFORCE;
	rc = get_enum(c, o, "mode", modes, &idx);
	if (rc < 0)
		return rc;
	if (rc == 0)
		ep->mode = idx == 0 ? DP_MODE_ENFORCE : DP_MODE_AUDIT;

	rc = get_field(c, o, "ips", json_type_array, false, &arr, &m);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		size_t n = json_object_array_length(arr);

		if (n > DP_BUNDLE_MAX_IPS)
			return pfail(c, "more than %d addresses", DP_BUNDLE_MAX_IPS);
		for (size_t i = 0; i < n; i++) {
			struct json_object *s = json_object_array_get_idx(arr, i);
			size_t mi = jp_idx(&c->path, i);

			if (!json_object_is_type(s, json_type_string))
				return pfail(c, "expected string, got %s", jtype(s));
			if (addr_parse(json_object_get_string(s), &ep->ips[i]))
				return pfail(c, "\"%s\" is not an IPv4 or IPv6 address",
				    json_object_get_string(s));
			jp_pop(&c->path, mi);
		}
		ep->nips = n;
		jp_pop(&c->path, m);
	}

	rc = get_field(c, o, "rules", json_type_array, false, &arr, &m);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		size_t n = json_object_array_length(arr);

		ep->rules = calloc(n ? n : 1, sizeof(*ep->rules));
		if (!ep->rules)
			return diag_failv(c->d, -ENOMEM, "out of memory");
		for (size_t i = 0; i < n; i++) {
			struct json_object *r = json_object_array_get_idx(arr, i);
			size_t mi = jp_idx(&c->path, i);

			if (!json_object_is_type(r, json_type_object))
				return pfail(c, "expected object, got %s", jtype(r));
			if ((rc = parse_rule(c, r, &ep->rules[i])))
				return rc;
			ep->nrules = i + 1;
			has_rules[ep->rules[i].dir] = true;
			jp_pop(&c->path, mi);
		}
		jp_pop(&c->path, m);
	}
	/* Kubernetes semantics: a direction with rules denies what they do not allow. */
	ep->default_deny[DP_DIR_INGRESS] = has_rules[DP_DIR_INGRESS];
	ep->default_deny[DP_DIR_EGRESS] = has_rules[DP_DIR_EGRESS];
	rc = get_enum(c, o, "ingress_default", defs, &idx);
	if (rc < 0)
		return rc;
	if (rc == 0)
		ep->default_deny[DP_DIR_INGRESS] = idx == 0;
	rc = get_enum(c, o, "egress_default", defs, &idx);
	if (rc < 0)
		return rc;
	if (rc == 0)
		ep->default_deny[DP_DIR_EGRESS] = idx == 0;
	if (json_object_object_get_ex(o, "comment", &arr) &&
	    !json_object_is_type(arr, json_type_string)) {
		jp_key(&c->path, "comment");
		return pfail(c, "expected string, got %s", jtype(arr));
	}
	return 0;
}

static int
cmp_cidr(const void *a, const void *b)
{
	return prefix_cmp(&((const struct dp_bundle_cidr *)a)->prefix,
	    &((const struct dp_bundle_cidr *)b)->prefix);
}

/* Walk an optional top-level array of objects with fn(c, elem, &arr[i]). */
#define PARSE_ARRAY(c, root, key, arr, n, elem, fn, max) ({			\
	struct json_object *a_;							\
	size_t m_;								\
	int r_ = get_field(c, root, key, json_type_array, false, &a_, &m_);	\
	if (r_ == 0) {								\
		size_t n_ = json_object_array_length(a_);			\
		if (n_ > (max))							\
			r_ = pfail(c, "more than %zu entries", (size_t)(max));	\
		else if (!((arr) = calloc(n_ ? n_ : 1, sizeof(elem))))		\
			r_ = diag_failv((c)->d, -ENOMEM, "out of memory");	\
		for (size_t i_ = 0; r_ == 0 && i_ < n_; i_++) {			\
			struct json_object *e_ = json_object_array_get_idx(a_, i_); \
			size_t mi_ = jp_idx(&(c)->path, i_);			\
			if (!json_object_is_type(e_, json_type_object))		\
				r_ = pfail(c, "expected object, got %s", jtype(e_)); \
			else if (((n) = i_ + 1, !(r_ = fn(c, e_, &(arr)[i_])))) \
				jp_pop(&(c)->path, mi_);			\
		}								\
		if (r_ == 0)							\
			jp_pop(&(c)->path, m_);					\
	} else if (r_ > 0) {							\
		r_ = 0;								\
	}									\
	r_; })

static int
parse_root(struct pctx *c, struct json_object *root)
{
	static const char *const keys[] = { "version", "source", "identities", "cidrs",
		"endpoints", "comment", NULL };
	struct dp_bundle *b = c->b;
	char source[256], comment[4097];
	int rc;

	if (!json_object_is_type(root, json_type_object))
		return pfail(c, "expected object, got %s", jtype(root));
	if ((rc = check_keys(c, root, keys)))
		return rc;
	if ((rc = get_u32(c, root, "version", true, 0, UINT32_MAX, &b->version)))
		return rc;
	if (b->version != DP_BUNDLE_VERSION) {
		jp_key(&c->path, "version");
		return pfail(c, "unsupported bundle version %" PRIu32 " (this build reads %d)",
		    b->version, DP_BUNDLE_VERSION);
	}
	if ((rc = get_str(c, root, "source", false, sizeof(source) - 1, source,
	    sizeof(source))) < 0)
		return rc;
	if ((rc = get_str(c, root, "comment", false, 4096, comment, sizeof(comment))) < 0)
		return rc;
	rc = PARSE_ARRAY(c, root, "identities", b->identities, b->nidentities,
	    struct dp_bundle_identity, parse_identity, DP_ID_MAX);
	if (rc)
		return rc;
	c->ids = calloc(b->nidentities ? b->nidentities : 1, sizeof(*c->ids));
	if (!c->ids)
		return diag_failv(c->d, -ENOMEM, "out of memory");
	for (size_t i = 0; i < b->nidentities; i++)
		c->ids[i] = b->identities[i].id;
	c->nids = b->nidentities;
	qsort(c->ids, c->nids, sizeof(*c->ids), cmp_u32);
	for (size_t i = 1; i < c->nids; i++) {
		if (c->ids[i] == c->ids[i - 1]) {
			jp_key(&c->path, "identities");
			return pfail(c, "identity %" PRIu32 " declared twice", c->ids[i]);
		}
	}
	rc = PARSE_ARRAY(c, root, "cidrs", b->cidrs, b->ncidrs, struct dp_bundle_cidr,
	    parse_cidr, 16u << 20);
	if (rc)
		return rc;
	/* Sorted for lookups and duplicate detection; positions in errors name the
	 * duplicate's text since the order changed. */
	if (b->ncidrs > 1) {
		qsort(b->cidrs, b->ncidrs, sizeof(*b->cidrs), cmp_cidr);
		for (size_t i = 1; i < b->ncidrs; i++) {
			if (prefix_eq(&b->cidrs[i].prefix, &b->cidrs[i - 1].prefix)) {
				char t[PREFIX_STRLEN];

				jp_key(&c->path, "cidrs");
				return pfail(c, "%s listed twice",
				    prefix_format(&b->cidrs[i].prefix, t, sizeof(t)));
			}
		}
	}
	rc = PARSE_ARRAY(c, root, "endpoints", b->endpoints, b->nendpoints,
	    struct dp_bundle_endpoint, parse_endpoint, DP_BUNDLE_MAX_ENDPOINTS);
	if (rc)
		return rc;
	for (size_t i = 1; i < b->nendpoints; i++) {
		for (size_t j = 0; j < i; j++) {
			const struct dp_bundle_endpoint *x = &b->endpoints[i], *y = &b->endpoints[j];
			const char *what = NULL;

			if (x->id == y->id)
				what = "id";
			else if (!strcmp(x->name, y->name))
				what = "name";
			else if (x->ifname[0] && !strcmp(x->ifname, y->ifname))
				what = "interface";
			if (what) {
				jp_key(&c->path, "endpoints");
				jp_idx(&c->path, i);
				jp_key(&c->path, what);
				return pfail(c, "same %s as $.endpoints[%zu]", what, j);
			}
		}
	}
	return 0;
}

static void
offset_to_pos(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int
dp_bundle_parse(const char *text, size_t len, struct dp_bundle **out, struct diag *d)
{
	struct json_tokener *tok;
	struct json_object *root;
	struct pctx c;
	int rc;

	*out = NULL;
	if (len > DP_BUNDLE_MAX_BYTES)
		return diag_failv(d, -EFBIG, "bundle larger than %u bytes",
		    DP_BUNDLE_MAX_BYTES);
	if (len > INT32_MAX)
		return diag_failv(d, -EFBIG, "bundle too large");
	if (memchr(text, '\0', len)) {
		size_t off = (size_t)((const char *)memchr(text, '\0', len) - text);
		int line, col;

		offset_to_pos(text, off, &line, &col);
		diag_set_pos(d, line, col);
		return diag_fail(d, "NUL byte in JSON text");
	}
	tok = json_tokener_new_ex(64);
	if (!tok)
		return diag_failv(d, -ENOMEM, "out of memory");
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_parse_end(tok) < len) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		size_t off = json_tokener_get_parse_end(tok);
		int line, col;

		if (root) {
			/* trailing bytes after the document: only whitespace is fine */
			while (off < len && strchr(" \t\r\n", text[off]))
				off++;
			if (off == len)
				goto parsed;
		}
		offset_to_pos(text, off < len ? off : len, &line, &col);
		diag_set_pos(d, line, col);
		rc = diag_fail(d, "invalid JSON: %s", root ? "trailing data after the document" :
		    e == json_tokener_continue ? "unexpected end of input" :
		    json_tokener_error_desc(e));
		json_object_put(root);
		json_tokener_free(tok);
		return rc;
	}
parsed:
	json_tokener_free(tok);
	memset(&c, 0, sizeof(c));
	c.path.buf[0] = '$';
	c.path.len = 1;
	c.d = d;
	c.b = calloc(1, sizeof(*c.b));
	if (!c.b) {
		json_object_put(root);
		return diag_failv(d, -ENOMEM, "out of memory");
	}
	rc = parse_root(&c, root);
	json_object_put(root);
	free(c.ids);
	if (rc) {
		dp_bundle_free(c.b);
		return rc < 0 ? rc : -EINVAL;
	}
	*out = c.b;
	return 0;
}

int
dp_bundle_load(const char *path, struct dp_bundle **out, struct diag *d)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	int fd, rc;

	*out = NULL;
	if (d && !d->source[0])
		snprintf(d->source, sizeof(d->source), "%s", path);
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(0);
	if (fd < 0)
		return diag_failv(d, -errno, "cannot open: %s", strerror(errno));
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *t;

			if (cap >= DP_BUNDLE_MAX_BYTES) {
				rc = diag_failv(d, -EFBIG, "bundle larger than %u bytes",
				    DP_BUNDLE_MAX_BYTES);
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			t = realloc(text, cap + 1);
			if (!t) {
				rc = diag_failv(d, -ENOMEM, "out of memory");
				goto out;
			}
			text = t;
		}
		n = read(fd, text + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = diag_failv(d, -errno, "read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	rc = dp_bundle_parse(text ? text : "", len, out, d);
out:
	close(fd);
	free(text);
	return rc;
}

void
dp_bundle_free(struct dp_bundle *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nendpoints; i++)
		free(b->endpoints[i].rules);
	free(b->endpoints);
	free(b->identities);
	free(b->cidrs);
	free(b);
}

const struct dp_bundle_endpoint *
dp_bundle_endpoint_find(const struct dp_bundle *b, uint32_t ep_id)
{
	for (size_t i = 0; i < b->nendpoints; i++)
		if (b->endpoints[i].id == ep_id)
			return &b->endpoints[i];
	return NULL;
}
