// SPDX-License-Identifier: MIT
/*
 * Reads Cilium policy YAML back (libyaml document API) for the checker, and
 * evaluates a flow under Cilium semantics: the policies whose endpointSelector
 * selects the endpoint; a matching deny drops; else a matching allow passes; else
 * default deny if any selected policy has a section for that direction, allow
 * otherwise. Fields that would change a verdict but are not modelled here
 * (toFQDNs, toServices, fromRequires, L7 rules, ...) are errors, never ignored.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "lib/file.h"
#include "nsx-import/verify.h"

struct yctx {
	yaml_document_t	*doc;
	const char	*file;
	struct diag	*d;
};

static int
yfail(struct yctx *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
yfail(struct yctx *y, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		diag_set_pos(y->d, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1);
	return diag_failv(y->d, -EINVAL, "%s", msg);
}

static yaml_node_t *
node(struct yctx *y, int id)
{
	return yaml_document_get_node(y->doc, id);
}

static const char *
scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Iterate mapping pairs (key string, value node) / sequence items; the loop
 * variable carries the line number so nested loops do not shadow each other. */
#define YCAT2(a, b) a##b
#define YCAT(a, b) YCAT2(a, b)
#define MAP_EACH(y, m, k, v) \
	for (yaml_node_pair_t *YCAT(p_, __LINE__) = (m)->data.mapping.pairs.start; \
	    YCAT(p_, __LINE__) < (m)->data.mapping.pairs.top && \
	    ((k) = scalar(node((y), YCAT(p_, __LINE__)->key)), \
	    (v) = node((y), YCAT(p_, __LINE__)->value), 1); YCAT(p_, __LINE__)++)

#define SEQ_EACH(y, s, v) \
	for (yaml_node_item_t *YCAT(i_, __LINE__) = (s)->data.sequence.items.start; \
	    YCAT(i_, __LINE__) < (s)->data.sequence.items.top && \
	    ((v) = node((y), *YCAT(i_, __LINE__)), 1); YCAT(i_, __LINE__)++)

static int
want(struct yctx *y, const yaml_node_t *n, yaml_node_type_t t, const char *what)
{
	if (!n || n->type != t)
		return yfail(y, n, "%s: expected a %s", what,
		    t == YAML_MAPPING_NODE ? "mapping" : t == YAML_SEQUENCE_NODE ? "list" : "scalar");
	return 0;
}

static int
labels_push(struct nsx_label **v, size_t *n, const char *k, const char *val)
{
	struct nsx_label *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	if (!strncmp(k, "k8s:", 4))
		k += 4;
	nv[*n].key = strdup(k);
	nv[*n].value = strdup(val ? val : "");
	(*n)++;
	return nv[*n - 1].key && nv[*n - 1].value ? 0 : -ENOMEM;
}

static int
read_selector(struct yctx *y, const yaml_node_t *n, struct cnp_selector *s)
{
	const char *k;
	yaml_node_t *v, *e;
	int rc;

	if ((rc = want(y, n, YAML_MAPPING_NODE, "selector")))
		return rc;
	MAP_EACH(y, n, k, v) {
		if (!k)
			return yfail(y, v, "selector: bad key");
		if (!strcmp(k, "matchLabels")) {
			const char *lk;
			yaml_node_t *lv;

			if ((rc = want(y, v, YAML_MAPPING_NODE, "matchLabels")))
				return rc;
			MAP_EACH(y, v, lk, lv) {
				if (!lk || !scalar(lv))
					return yfail(y, lv, "matchLabels: bad label");
				if ((rc = labels_push(&s->ml, &s->nml, lk, scalar(lv))))
					return rc;
			}
		} else if (!strcmp(k, "matchExpressions")) {
			if ((rc = want(y, v, YAML_SEQUENCE_NODE, "matchExpressions")))
				return rc;
			SEQ_EACH(y, v, e) {
				const char *ek;
				yaml_node_t *ev;
				void *nm = realloc(s->me, (s->nme + 1) * sizeof(*s->me));

				if (!nm)
					return -ENOMEM;
				s->me = nm;
				memset(&s->me[s->nme], 0, sizeof(s->me[0]));
				s->nme++;
				if ((rc = want(y, e, YAML_MAPPING_NODE, "matchExpressions item")))
					return rc;
				MAP_EACH(y, e, ek, ev) {
					if (ek && !strcmp(ek, "key") && scalar(ev)) {
						const char *kk = scalar(ev);

						s->me[s->nme - 1].key = strdup(!strncmp(kk, "k8s:", 4) ? kk + 4 : kk);
					} else if (ek && !strcmp(ek, "operator") && scalar(ev)) {
						s->me[s->nme - 1].op = strdup(scalar(ev));
					} else if (ek && !strcmp(ek, "values") && ev->type == YAML_SEQUENCE_NODE) {
						yaml_node_t *vv;

						SEQ_EACH(y, ev, vv) {
							if (!scalar(vv))
								return yfail(y, vv, "values: expected strings");
							if (nsx_strv_push(&s->me[s->nme - 1].values,
							    &s->me[s->nme - 1].nvalues, scalar(vv)))
								return -ENOMEM;
						}
					} else {
						return yfail(y, ev, "matchExpressions: unknown field '%s'",
						    ek ? ek : "?");
					}
				}
				if (!s->me[s->nme - 1].key || !s->me[s->nme - 1].op)
					return yfail(y, e, "matchExpressions item needs key and operator");
			}
		} else {
			return yfail(y, v, "selector: unknown field '%s'", k);
		}
	}
	return 0;
}

static int
add_cidr(struct yctx *y, const yaml_node_t *n, struct nsx_ipset *set, const char *s)
{
	struct prefix p;

	if (!s || prefix_parse(s, &p, PREFIX_PARSE_NORMALIZE))
		return yfail(y, n, "bad CIDR '%s'", s ? s : "");
	return nsx_ipset_add_prefix(set, &p);
}

static int
read_cidrset(struct yctx *y, const yaml_node_t *v, struct cnp_rule *r)
{
	yaml_node_t *e;
	int rc;

	if ((rc = want(y, v, YAML_SEQUENCE_NODE, "CIDR set")))
		return rc;
	SEQ_EACH(y, v, e) {
		struct nsx_ipset one = { 0 }, ex = { 0 };
		const char *k;
		yaml_node_t *ev;

		if (e->type == YAML_SCALAR_NODE) {
			rc = add_cidr(y, e, &r->cidrs, scalar(e));
			if (rc)
				return rc;
			continue;
		}
		if ((rc = want(y, e, YAML_MAPPING_NODE, "CIDR set item")))
			return rc;
		MAP_EACH(y, e, k, ev) {
			if (k && !strcmp(k, "cidr")) {
				rc = add_cidr(y, ev, &one, scalar(ev));
			} else if (k && !strcmp(k, "except")) {
				yaml_node_t *xv;

				if ((rc = want(y, ev, YAML_SEQUENCE_NODE, "except")))
					break;
				SEQ_EACH(y, ev, xv)
					if ((rc = add_cidr(y, xv, &ex, scalar(xv))))
						break;
			} else {
				rc = yfail(y, ev, "CIDR set item: unsupported field '%s'", k ? k : "?");
			}
			if (rc)
				break;
		}
		if (!rc && (nsx_ipset_subtract(&one, &one, &ex) ||
		    nsx_ipset_union(&r->cidrs, &r->cidrs, &one)))
			rc = -ENOMEM;
		nsx_ipset_free(&one);
		nsx_ipset_free(&ex);
		if (rc)
			return rc;
	}
	return 0;
}

static int
port_push(struct cnp_rule *r, uint8_t proto, uint16_t lo, uint16_t hi)
{
	struct cnp_port *np = realloc(r->ports, (r->nports + 1) * sizeof(*np));

	if (!np)
		return -ENOMEM;
	r->ports = np;
	np[r->nports].proto = proto;
	np[r->nports].lo = lo;
	np[r->nports].hi = hi;
	r->nports++;
	return 0;
}

static int
num(const char *s, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	v = strtol(s, &end, 10);
	if (*end || v < 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
read_ports(struct yctx *y, const yaml_node_t *v, struct cnp_rule *r)
{
	yaml_node_t *e, *pv, *pp;
	const char *k, *pk;
	int rc;

	if ((rc = want(y, v, YAML_SEQUENCE_NODE, "toPorts")))
		return rc;
	r->has_l4 = true;
	SEQ_EACH(y, v, e) {
		if ((rc = want(y, e, YAML_MAPPING_NODE, "toPorts item")))
			return rc;
		MAP_EACH(y, e, k, pv) {
			if (!k || strcmp(k, "ports"))
				return yfail(y, pv, "toPorts: unsupported field '%s' (L7 rules are "
				    "not checked)", k ? k : "?");
			if ((rc = want(y, pv, YAML_SEQUENCE_NODE, "ports")))
				return rc;
			SEQ_EACH(y, pv, pp) {
				long port = 0, end = -1;
				const char *proto = "ANY";
				yaml_node_t *fv;

				if ((rc = want(y, pp, YAML_MAPPING_NODE, "port")))
					return rc;
				MAP_EACH(y, pp, pk, fv) {
					if (pk && !strcmp(pk, "port")) {
						if (num(scalar(fv), 65535, &port))
							return yfail(y, fv, "port: not a number 0-65535 "
							    "(named ports are not checked)");
					} else if (pk && !strcmp(pk, "endPort")) {
						if (num(scalar(fv), 65535, &end))
							return yfail(y, fv, "endPort: not a number 0-65535");
					} else if (pk && !strcmp(pk, "protocol") && scalar(fv)) {
						proto = scalar(fv);
					} else {
						return yfail(y, fv, "port: unsupported field '%s'", pk ? pk : "?");
					}
				}
				uint16_t lo = (uint16_t)port, hi;

				if (port == 0) {
					lo = 0;
					hi = NSX_PORT_MAX;
				} else {
					hi = end >= port ? (uint16_t)end : (uint16_t)port;
				}
				if (!strcasecmp(proto, "TCP"))
					rc = port_push(r, NSX_PROTO_TCP, lo, hi);
				else if (!strcasecmp(proto, "UDP"))
					rc = port_push(r, NSX_PROTO_UDP, lo, hi);
				else if (!strcasecmp(proto, "SCTP"))
					rc = port_push(r, NSX_PROTO_SCTP, lo, hi);
				else if (!strcasecmp(proto, "ANY")) {
					if (!(rc = port_push(r, NSX_PROTO_TCP, lo, hi)) &&
					    !(rc = port_push(r, NSX_PROTO_UDP, lo, hi)))
						rc = port_push(r, NSX_PROTO_SCTP, lo, hi);
				} else
					return yfail(y, pp, "protocol '%s' is not checked", proto);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

static int
read_icmps(struct yctx *y, const yaml_node_t *v, struct cnp_rule *r)
{
	yaml_node_t *e, *fl, *f, *fv;
	const char *k, *fk;
	int rc;

	if ((rc = want(y, v, YAML_SEQUENCE_NODE, "icmps")))
		return rc;
	r->has_l4 = true;
	SEQ_EACH(y, v, e) {
		if ((rc = want(y, e, YAML_MAPPING_NODE, "icmps item")))
			return rc;
		MAP_EACH(y, e, k, fl) {
			if (!k || strcmp(k, "fields"))
				return yfail(y, fl, "icmps: unsupported field '%s'", k ? k : "?");
			if ((rc = want(y, fl, YAML_SEQUENCE_NODE, "fields")))
				return rc;
			SEQ_EACH(y, fl, f) {
				long type = -1;
				uint8_t proto = NSX_PROTO_ICMP;

				if ((rc = want(y, f, YAML_MAPPING_NODE, "field")))
					return rc;
				MAP_EACH(y, f, fk, fv) {
					if (fk && !strcmp(fk, "type")) {
						if (num(scalar(fv), 255, &type))
							return yfail(y, fv, "type: not a number 0-255 (named types "
							    "are not checked)");
					} else if (fk && !strcmp(fk, "family") && scalar(fv)) {
						proto = !strcmp(scalar(fv), "IPv6") ? NSX_PROTO_ICMP6 : NSX_PROTO_ICMP;
					} else {
						return yfail(y, fv, "icmp field: unsupported '%s'", fk ? fk : "?");
					}
				}
				if (type < 0)
					return yfail(y, f, "icmp field without type");
				if ((rc = port_push(r, proto, (uint16_t)type, (uint16_t)type)))
					return rc;
			}
		}
	}
	return 0;
}

static int
read_rule(struct yctx *y, const yaml_node_t *n, struct cnp_rule *r)
{
	bool peer_key = false;
	const char *k;
	yaml_node_t *v, *e;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = want(y, n, YAML_MAPPING_NODE, "rule")))
		return rc;
	MAP_EACH(y, n, k, v) {
		if (!k)
			return yfail(y, v, "rule: bad key");
		if (!strcmp(k, "fromEntities") || !strcmp(k, "toEntities")) {
			peer_key = true;
			if ((rc = want(y, v, YAML_SEQUENCE_NODE, k)))
				return rc;
			SEQ_EACH(y, v, e) {
				if (!scalar(e) || strcmp(scalar(e), "all"))
					return yfail(y, e, "entity '%s' is not checked (only 'all')",
					    scalar(e) ? scalar(e) : "?");
				r->all_peers = true;
			}
		} else if (!strcmp(k, "fromCIDR") || !strcmp(k, "toCIDR") ||
		    !strcmp(k, "fromCIDRSet") || !strcmp(k, "toCIDRSet")) {
			peer_key = true;
			if ((rc = read_cidrset(y, v, r)))
				return rc;
		} else if (!strcmp(k, "fromEndpoints") || !strcmp(k, "toEndpoints")) {
			peer_key = true;
			r->ep_peer = true;
			if ((rc = want(y, v, YAML_SEQUENCE_NODE, k)))
				return rc;
			SEQ_EACH(y, v, e) {
				struct cnp_selector s = { 0 };

				if ((rc = read_selector(y, e, &s)))
					return rc;
				if (s.nme)
					return yfail(y, e, "peer matchExpressions are not checked");
				if (!s.nml)
					r->all_peers = true;	/* {} selects every endpoint */
				for (size_t i = 0; i < s.nml; i++) {
					if ((rc = labels_push(&r->sel_labels, &r->nsel, s.ml[i].key,
					    s.ml[i].value)))
						return rc;
					free(s.ml[i].key);
					free(s.ml[i].value);
				}
				free(s.ml);
				if (s.nml > 0 && v->data.sequence.items.top - v->data.sequence.items.start > 1)
					return yfail(y, e, "several peer selectors are not checked");
			}
		} else if (!strcmp(k, "toPorts")) {
			if ((rc = read_ports(y, v, r)))
				return rc;
		} else if (!strcmp(k, "icmps")) {
			if ((rc = read_icmps(y, v, r)))
				return rc;
		} else {
			return yfail(y, v, "rule field '%s' is not checked by verify", k);
		}
	}
	if (!peer_key) {
		if (r->has_l4)
			r->all_peers = true;
		else
			r->no_peers = true;
	}
	return 0;
}

static int
read_doc(struct yctx *y, const yaml_node_t *root, struct cnp_set *out)
{
	static const char *const sect[4] = { "ingress", "ingressDeny", "egress", "egressDeny" };
	struct cnp_policy *p;
	const yaml_node_t *spec = NULL;
	const char *k;
	yaml_node_t *v, *e;
	int rc;

	if ((rc = want(y, root, YAML_MAPPING_NODE, "document")))
		return rc;
	p = realloc(out->p, (out->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	out->p = p;
	p = &out->p[out->n++];
	memset(p, 0, sizeof(*p));
	MAP_EACH(y, root, k, v) {
		if (!k)
			return yfail(y, v, "bad key");
		if (!strcmp(k, "kind")) {
			if (!scalar(v) || (strcmp(scalar(v), "CiliumNetworkPolicy") &&
			    strcmp(scalar(v), "CiliumClusterwideNetworkPolicy")))
				return yfail(y, v, "kind must be CiliumNetworkPolicy or "
				    "CiliumClusterwideNetworkPolicy");
		} else if (!strcmp(k, "metadata")) {
			const char *mk;
			yaml_node_t *mv;

			if ((rc = want(y, v, YAML_MAPPING_NODE, "metadata")))
				return rc;
			MAP_EACH(y, v, mk, mv)
				if (mk && !strcmp(mk, "name") && scalar(mv))
					p->name = strdup(scalar(mv));
		} else if (!strcmp(k, "spec")) {
			spec = v;
		} else if (strcmp(k, "apiVersion")) {
			return yfail(y, v, "unknown top-level field '%s'", k);
		}
	}
	if (!spec)
		return yfail(y, root, "policy without spec");
	if ((rc = want(y, spec, YAML_MAPPING_NODE, "spec")))
		return rc;
	MAP_EACH(y, spec, k, v) {
		int si = -1;

		if (!k)
			return yfail(y, v, "spec: bad key");
		if (!strcmp(k, "endpointSelector")) {
			if ((rc = read_selector(y, v, &p->sel)))
				return rc;
			continue;
		}
		if (!strcmp(k, "description"))
			continue;
		for (int i = 0; i < 4; i++)
			if (!strcmp(k, sect[i]))
				si = i;
		if (si < 0)
			return yfail(y, v, "spec field '%s' is not checked by verify", k);
		if ((rc = want(y, v, YAML_SEQUENCE_NODE, k)))
			return rc;
		p->present[si] = true;
		SEQ_EACH(y, v, e) {
			struct cnp_rule *nr = realloc(p->rules[si], (p->nrules[si] + 1) * sizeof(*nr));

			if (!nr)
				return -ENOMEM;
			p->rules[si] = nr;
			if ((rc = read_rule(y, e, &nr[p->nrules[si]])))
				return rc;
			p->nrules[si]++;
		}
	}
	return 0;
}

int
nsx_cnp_read_buf(const char *name, const char *buf, size_t len, struct cnp_set *out,
    struct diag *d)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct yctx y = { .file = name, .d = d };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!yaml_parser_initialize(&parser))
		return diag_failv(d, -ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			diag_set_pos(d, (int)parser.problem_mark.line + 1,
			    (int)parser.problem_mark.column + 1);
			rc = diag_failv(d, -EBADMSG, "YAML syntax error: %s",
			    parser.problem ? parser.problem : "?");
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		y.doc = &doc;
		/* A document of only comments loads as an empty scalar. */
		if (!(root->type == YAML_SCALAR_NODE && !root->data.scalar.length))
			rc = read_doc(&y, root, out);
		yaml_document_delete(&doc);
		if (rc)
			break;
	}
	yaml_parser_delete(&parser);
	if (rc)
		nsx_cnp_free(out);
	return rc;
}

int
nsx_cnp_read(const char *file, struct cnp_set *out, struct diag *d)
{
	char *buf;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = file_read_all(file, NSX_MAX_FILE_BYTES, &buf, &len, d);
	if (rc)
		return rc;
	rc = nsx_cnp_read_buf(file, buf, len, out, d);
	free(buf);
	return rc;
}

static void
sel_free(struct cnp_selector *s)
{
	for (size_t i = 0; i < s->nml; i++) {
		free(s->ml[i].key);
		free(s->ml[i].value);
	}
	free(s->ml);
	for (size_t i = 0; i < s->nme; i++) {
		free(s->me[i].key);
		free(s->me[i].op);
		for (size_t k = 0; k < s->me[i].nvalues; k++)
			free(s->me[i].values[k]);
		free(s->me[i].values);
	}
	free(s->me);
}

void
nsx_cnp_free(struct cnp_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct cnp_policy *p = &s->p[i];

		free(p->name);
		sel_free(&p->sel);
		for (int k = 0; k < 4; k++) {
			for (size_t j = 0; j < p->nrules[k]; j++) {
				struct cnp_rule *r = &p->rules[k][j];

				nsx_ipset_free(&r->cidrs);
				free(r->ports);
				for (size_t l = 0; l < r->nsel; l++) {
					free(r->sel_labels[l].key);
					free(r->sel_labels[l].value);
				}
				free(r->sel_labels);
			}
			free(p->rules[k]);
		}
	}
	free(s->p);
	memset(s, 0, sizeof(*s));
}

/* ---- evaluation ----------------------------------------------------------------- */
static const char *
label_get(const struct nsx_label *l, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i].key, key))
			return l[i].value;
	return NULL;
}

static bool
sel_match(const struct cnp_selector *s, const struct nsx_label *l, size_t n)
{
	for (size_t i = 0; i < s->nml; i++) {
		const char *v = label_get(l, n, s->ml[i].key);

		if (!v || strcmp(v, s->ml[i].value))
			return false;
	}
	for (size_t i = 0; i < s->nme; i++) {
		const char *v = label_get(l, n, s->me[i].key);
		bool in = false;

		for (size_t k = 0; v && k < s->me[i].nvalues; k++)
			in |= !strcmp(v, s->me[i].values[k]);
		if (!strcmp(s->me[i].op, "Exists") && !v)
			return false;
		if (!strcmp(s->me[i].op, "DoesNotExist") && v)
			return false;
		if (!strcmp(s->me[i].op, "In") && !in)
			return false;
		if (!strcmp(s->me[i].op, "NotIn") && in)
			return false;
	}
	return true;
}

static bool
rule_match(const struct cnp_rule *r, const struct nsx_flow *f, const struct nsx_label *pl,
    size_t npl)
{
	bool peer = false, l4 = !r->has_l4;

	if (r->no_peers)
		return false;
	if (r->all_peers || nsx_ipset_contains(&r->cidrs, &f->remote))
		peer = true;
	if (!peer && r->nsel && npl) {
		peer = true;
		for (size_t i = 0; i < r->nsel && peer; i++) {
			const char *v = label_get(pl, npl, r->sel_labels[i].key);

			peer = v && !strcmp(v, r->sel_labels[i].value);
		}
	}
	if (!peer)
		return false;
	for (size_t i = 0; i < r->nports && !l4; i++)
		l4 = r->ports[i].proto == f->proto && r->ports[i].lo <= f->port &&
		    f->port <= r->ports[i].hi;
	return l4;
}

bool
nsx_cnp_eval(const struct cnp_set *s, const struct nsx_label *labels, size_t nlabels,
    const struct nsx_flow *f, const struct nsx_label *pl, size_t npl)
{
	int a = f->dir == NSX_D_INGRESS ? 0 : 2;
	bool enforce = false, allowed = false;

	for (size_t i = 0; i < s->n; i++) {
		const struct cnp_policy *p = &s->p[i];

		if (!sel_match(&p->sel, labels, nlabels))
			continue;
		if (p->present[a] || p->present[a + 1])
			enforce = true;
		for (size_t k = 0; k < p->nrules[a + 1]; k++)
			if (rule_match(&p->rules[a + 1][k], f, pl, npl))
				return false;
		for (size_t k = 0; k < p->nrules[a] && !allowed; k++)
			allowed = rule_match(&p->rules[a][k], f, pl, npl);
	}
	return allowed || !enforce;
}
