// SPDX-License-Identifier: MIT
/*
 * NSX-V XML loader (libxml2): <firewallConfiguration> (live config or a draft's
 * <config>), a single <section>, and the grouping object lists (<list> of ipset,
 * securitygroup, application, applicationGroup, or one such object). Parsing never
 * touches the network, never expands entities, refuses DTDs and caps the size.
 * Unknown elements are errors naming file:line. References are kept as typed
 * strings ("nsxv\x1fTYPE\x1fVALUE\x1fNAME") for resolve.c.
 */
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nsx-import/model.h"

#define NSXV_SEP	"\x1f"

struct xctx {
	struct nsx_model	*m;
	const char		*file;
	struct diag		*d;
};

static bool
is_el(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static int
xfail(struct xctx *x, const xmlNode *n, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
xfail(struct xctx *x, const xmlNode *n, int err, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		diag_set_pos(x->d, (int)xmlGetLineNo(n), 0);
	return diag_failv(x->d, err, "<%s>: %s", n ? (const char *)n->name : "?", msg);
}

/* Trimmed text of an element (caller frees). */
static char *
xtext(const xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s, *e, *out;

	if (!c)
		return strdup("");
	s = (char *)c;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	out = strndup(s, (size_t)(e - s));
	xmlFree(c);
	return out;
}

static int
check_children(struct xctx *x, const xmlNode *n, const char *const *allowed)
{
	for (const xmlNode *c = n->children; c; c = c->next) {
		bool ok = false;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, (const char *)c->name);
		if (!ok)
			return xfail(x, c, -EINVAL, "unknown element inside <%s>",
			    (const char *)n->name);
	}
	return 0;
}

static char *
xattr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s;

	if (!v)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

static bool
xattr_true(const xmlNode *n, const char *name)
{
	char *v = xattr(n, name);
	bool t = v && !strcasecmp(v, "true");

	free(v);
	return t;
}

static char *
child_text(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n->children; c; c = c->next)
		if (is_el(c, name))
			return xtext(c);
	return NULL;
}

static char *
src_line(struct xctx *x, const xmlNode *n)
{
	return nsx_strdupf("%s:%ld", x->file, xmlGetLineNo(n));
}

/* <source>/<destination>/<appliedTo>/<member>: typed reference string. */
static int
ref_push(struct xctx *x, const xmlNode *n, struct nsx_refs *r, const char *type_el,
    const char *value_el)
{
	static const char *const f[] = { "name", "value", "type", "isValid", "objectId",
		"objectTypeName", "nodeId", "revision", "description", "scope", "clientHandle",
		"extendedAttributes", "isUniversal", "universalRevision", "isTemporal",
		"inheritanceAllowed", "vsmUuid", "isReadOnly", NULL };
	char *type = child_text(n, type_el), *value = child_text(n, value_el);

	/* Service references may omit <type>: they name an application. */
	if (!type && !strcmp((const char *)n->name, "service"))
		type = strdup("Application");
	char *name = child_text(n, "name"), *s;
	int rc = check_children(x, n, f);

	if (!rc && (!type || !value)) {
		xfail(x, n, -EINVAL, "reference needs <%s> and <%s>", type_el, value_el);
		rc = -EINVAL;
	}
	if (!rc && type && value) {
		if (!strcasecmp(type, "DISTRIBUTED_FIREWALL") || !strcasecmp(type, "GlobalRoot") ||
		    !strcasecmp(type, "ALL_PROFILE_BINDINGS")) {
			r->any = true;
			goto out;
		}
		s = nsx_strdupf("nsxv" NSXV_SEP "%s" NSXV_SEP "%s" NSXV_SEP "%s", type, value,
		    name ? name : "");
		if (!s) {
			rc = -ENOMEM;
			goto out;
		}
		/* An explicit list replaces the "any" default. */
		if (r->any && !r->n)
			r->any = false;
		rc = nsx_strv_push(&r->v, &r->n, s);
		free(s);
	}
out:
	free(type);
	free(value);
	free(name);
	return rc;
}

static int
ref_list(struct xctx *x, const xmlNode *n, const char *item, struct nsx_refs *r)
{
	const char *allowed[] = { item, NULL };
	int rc;

	if ((rc = check_children(x, n, allowed)))
		return rc;
	r->excluded = xattr_true(n, "excluded");
	for (const xmlNode *c = n->children; c; c = c->next)
		if (is_el(c, item) && (rc = ref_push(x, c, r, "type", "value")))
			return rc;
	return 0;
}

static int
proto_of(const char *s, uint8_t *proto)
{
	char *end;
	long v;

	if (!strcasecmp(s, "TCP")) {
		*proto = NSX_PROTO_TCP;
		return 0;
	}
	if (!strcasecmp(s, "UDP")) {
		*proto = NSX_PROTO_UDP;
		return 0;
	}
	if (!strcasecmp(s, "ICMP")) {
		*proto = NSX_PROTO_ICMP;
		return 0;
	}
	if (!strcasecmp(s, "IPV6ICMP") || !strcasecmp(s, "ICMPv6")) {
		*proto = NSX_PROTO_ICMP6;
		return 0;
	}
	v = strtol(s, &end, 10);
	if (*s && !*end && v >= 0 && v <= 255) {
		*proto = (uint8_t)v;
		return 0;
	}
	return -EINVAL;
}

static int
entry_ports(struct xctx *x, const xmlNode *n, const char *txt, struct nsx_svcset *set)
{
	int rc;

	if (!txt || !*txt || !strcasecmp(txt, "any"))
		return 0;
	rc = nsx_ports_parse(txt, set);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return xfail(x, n, -EINVAL, "illegal port or range '%.40s'", txt);
	return 0;
}

/* Inline rule <service> (protocol number) or <application><element>. */
static int
load_inline_entry(struct xctx *x, const xmlNode *n, const char *proto_el,
    const char *dport_el, struct nsx_entry **v, size_t *cnt)
{
	char *p = child_text(n, proto_el), *dp = child_text(n, dport_el);
	char *sp = child_text(n, "sourcePort"), *sub = child_text(n, "subProtocol");
	struct nsx_entry e;
	int rc = 0;

	memset(&e, 0, sizeof(e));
	e.icmp_type = e.icmp_code = -1;
	if (!p) {
		rc = xfail(x, n, -EINVAL, "service without <%s>", proto_el);
		goto out;
	}
	if (proto_of(p, &e.proto)) {
		/* ALG names (FTP, ORACLE_TNS, MS_RPC_TCP, ...). */
		e.kind = NSX_ENTRY_ALG;
		e.alg = nsx_strdup(p);
		e.proto = strstr(p, "UDP") || !strcasecmp(p, "TFTP") ? NSX_PROTO_UDP : NSX_PROTO_TCP;
		if (!e.alg) {
			rc = -ENOMEM;
			goto out;
		}
	} else if (nsx_proto_has_ports(e.proto)) {
		e.kind = NSX_ENTRY_L4;
	} else if (e.proto == NSX_PROTO_ICMP || e.proto == NSX_PROTO_ICMP6) {
		e.kind = NSX_ENTRY_ICMP;
		/* NSX-V carries the ICMP type in subProtocol when it is not the protocol. */
		if (sub && strcmp(sub, p)) {
			char *end;
			long t = strtol(sub, &end, 10);

			if (*sub && !*end && t >= 0 && t <= 255)
				e.icmp_type = (int)t;
		}
	} else {
		e.kind = NSX_ENTRY_IPPROTO;
	}
	if ((e.kind == NSX_ENTRY_L4 || e.kind == NSX_ENTRY_ALG) &&
	    ((rc = entry_ports(x, n, dp, &e.dports)) || (rc = entry_ports(x, n, sp, &e.sports))))
		goto out;
	rc = nsx_entry_push(v, cnt, &e);
out:
	if (rc)
		nsx_entry_free(&e);
	free(p);
	free(dp);
	free(sp);
	free(sub);
	return rc;
}

static int
load_rule(struct xctx *x, const xmlNode *n, struct nsx_policy *pol, const char *sid)
{
	static const char *const f[] = { "name", "action", "notes", "tag", "precedence",
		"sectionId", "appliedToList", "sources", "destinations", "services",
		"direction", "packetType", "siProfile", NULL };
	static const char *const svc_f[] = { "name", "value", "type", "isValid", "protocol",
		"subProtocol", "sourcePort", "destinationPort", "protocolName", NULL };
	struct nsx_rule *r = nsx_rule_add(x->m, pol);
	char *id = xattr(n, "id"), *t;
	int rc;

	if (!r) {
		free(id);
		return -ENOMEM;
	}
	if ((rc = check_children(x, n, f)))
		goto out;
	r->id = nsx_strdup(id ? id : "");
	r->path = nsx_strdupf("/api/4.0/firewall/globalroot-0/config/%s/%s/rules/%s",
	    pol->category == NSX_CAT_ETHERNET ? "layer2sections" : "layer3sections",
	    sid ? sid : "?", id ? id : "?");
	r->name = child_text(n, "name");
	r->src = src_line(x, n);
	if (!r->id || !r->path || !r->src) {
		rc = -ENOMEM;
		goto out;
	}
	if (id) {
		char *end;
		long long v = strtoll(id, &end, 10);

		if (*id && !*end && v >= 0)
			r->rule_id = v;
	}
	r->disabled = xattr_true(n, "disabled");
	r->logged = xattr_true(n, "logged");
	t = child_text(n, "action");
	if (!t) {
		rc = xfail(x, n, -EINVAL, "rule %s has no <action>", r->id);
		goto out;
	}
	if (!strcasecmp(t, "allow"))
		r->action = NSX_ACT_ALLOW;
	else if (!strcasecmp(t, "deny") || !strcasecmp(t, "drop"))
		r->action = NSX_ACT_DROP;
	else if (!strcasecmp(t, "reject"))
		r->action = NSX_ACT_REJECT;
	else
		rc = xfail(x, n, -EINVAL, "rule %s: unknown action '%.20s'", r->id, t);
	free(t);
	if (rc)
		goto out;
	t = child_text(n, "direction");
	if (t) {
		if (!strcasecmp(t, "in"))
			r->dir = NSX_DIR_IN;
		else if (!strcasecmp(t, "out"))
			r->dir = NSX_DIR_OUT;
		else if (!strcasecmp(t, "inout"))
			r->dir = NSX_DIR_INOUT;
		else
			rc = xfail(x, n, -EINVAL, "rule %s: unknown direction '%.20s'", r->id, t);
		free(t);
		if (rc)
			goto out;
	}
	t = child_text(n, "packetType");
	if (t) {
		if (!strcasecmp(t, "ipv4"))
			r->family = AF_INET;
		else if (!strcasecmp(t, "ipv6"))
			r->family = AF_INET6;
		else if (strcasecmp(t, "any"))
			rc = xfail(x, n, -EINVAL, "rule %s: unknown packetType '%.20s'", r->id, t);
		free(t);
		if (rc)
			goto out;
	}
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (is_el(c, "appliedToList")) {
			rc = ref_list(x, c, "appliedTo", &r->scope);
		} else if (is_el(c, "sources")) {
			rc = ref_list(x, c, "source", &r->srcs);
		} else if (is_el(c, "destinations")) {
			rc = ref_list(x, c, "destination", &r->dsts);
		} else if (is_el(c, "services")) {
			const char *const one[] = { "service", NULL };

			if ((rc = check_children(x, c, one)))
				goto out;
			for (const xmlNode *s = c->children; s && !rc; s = s->next) {
				char *proto;

				if (!is_el(s, "service"))
					continue;
				if ((rc = check_children(x, s, svc_f)))
					goto out;
				proto = child_text(s, "protocol");
				if (proto)
					rc = load_inline_entry(x, s, "protocol", "destinationPort",
					    &r->entries, &r->nentries);
				else
					rc = ref_push(x, s, &r->svcs, "type", "value");
				free(proto);
			}
		}
		if (rc)
			goto out;
	}
	/* Inline entries alone mean "only these": "any" must not survive. */
	if (r->nentries)
		r->svcs.any = false;
out:
	free(id);
	return rc;
}

static int
load_section(struct xctx *x, const xmlNode *n, bool l2)
{
	const char *const f[] = { "rule", NULL };
	struct nsx_policy *p = nsx_policy_add(x->m);
	char *type;
	int rc;

	if (!p)
		return -ENOMEM;
	if ((rc = check_children(x, n, f)))
		return rc;
	p->id = xattr(n, "id");
	p->name = xattr(n, "name");
	if (!p->id)
		p->id = nsx_strdup("?");
	type = xattr(n, "type");
	if (type && !strcasecmp(type, "LAYER2"))
		l2 = true;
	if (type && !strcasecmp(type, "L3REDIRECT")) {
		/* Service-insertion redirect sections do not decide allow/drop. */
		free(type);
		free(p->id);
		free(p->name);
		p->id = p->name = NULL;
		x->m->npolicies--;
		free(p);
		return 0;
	}
	free(type);
	p->category = l2 ? NSX_CAT_ETHERNET : NSX_CAT_APPLICATION;
	p->path = nsx_strdupf("/api/4.0/firewall/globalroot-0/config/%s/%s",
	    l2 ? "layer2sections" : "layer3sections", p->id ? p->id : "?");
	p->src = src_line(x, n);
	p->stateful = !xattr_true(n, "stateless");
	p->tcp_strict = xattr_true(n, "tcpStrict");
	if (!p->path || !p->src || !p->id)
		return -ENOMEM;
	for (const xmlNode *c = n->children; c; c = c->next)
		if (is_el(c, "rule") && (rc = load_rule(x, c, p, p->id)))
			return rc;
	return 0;
}

static int
load_sections(struct xctx *x, const xmlNode *n, bool l2)
{
	const char *const f[] = { "section", NULL };
	int rc;

	if ((rc = check_children(x, n, f)))
		return rc;
	for (const xmlNode *c = n->children; c; c = c->next)
		if (is_el(c, "section") && (rc = load_section(x, c, l2)))
			return rc;
	return 0;
}

static int
load_config(struct xctx *x, const xmlNode *n)
{
	static const char *const f[] = { "contextId", "layer3Sections", "layer2Sections",
		"layer3RedirectSections", "generationNumber", NULL };
	int rc;

	if ((rc = check_children(x, n, f)))
		return rc;
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (is_el(c, "layer3Sections"))
			rc = load_sections(x, c, false);
		else if (is_el(c, "layer2Sections"))
			rc = load_sections(x, c, true);
		if (rc)
			return rc;
	}
	return 0;
}

#define NSXV_OBJ_FIELDS "objectId", "objectTypeName", "vsmUuid", "nodeId", "revision", \
	"type", "name", "description", "scope", "clientHandle", "extendedAttributes", \
	"isUniversal", "universalRevision", "isTemporal", "inheritanceAllowed", "isReadOnly"

/*
 * Check a grouping object's children against allowed and read its <objectId>
 * (required) and <name>. On success the caller owns *id and *name (*name may
 * be NULL); on failure both are NULL.
 */
static int
obj_ids(struct xctx *x, const xmlNode *n, const char *const *allowed, char **id, char **name)
{
	int rc;

	*id = *name = NULL;
	if ((rc = check_children(x, n, allowed)))
		return rc;
	*id = child_text(n, "objectId");
	*name = child_text(n, "name");
	if (!*id || !**id) {
		free(*id);
		free(*name);
		*id = *name = NULL;
		return xfail(x, n, -EINVAL, "object without <objectId>");
	}
	return 0;
}

/*
 * Give a new object the names obj_ids read, taking id and name: its path is the
 * objectId, its name defaults to it. 0 or -ENOMEM.
 */
static int
obj_names(struct xctx *x, const xmlNode *n, char *id, char *name, char **oid, char **opath,
    char **oname, char **osrc)
{
	*oid = id;
	*opath = nsx_strdup(id);
	*oname = name ? name : nsx_strdup(id);
	*osrc = src_line(x, n);
	return *opath && *oname && *osrc ? 0 : -ENOMEM;
}

static int
load_ipset(struct xctx *x, const xmlNode *n)
{
	static const char *const f[] = { NSXV_OBJ_FIELDS, "value", NULL };
	struct nsx_group *g;
	char *id = NULL, *name = NULL, *val = NULL, *save = NULL, *tok;
	int rc;

	if ((rc = obj_ids(x, n, f, &id, &name)))
		goto out;
	g = nsx_group_add(x->m);
	if (!g) {
		rc = -ENOMEM;
		goto out;
	}
	rc = obj_names(x, n, id, name, &g->id, &g->path, &g->name, &g->src);
	id = name = NULL;
	g->expr = calloc(1, sizeof(*g->expr));
	if (rc || !g->expr) {
		rc = -ENOMEM;
		goto out;
	}
	g->nexpr = 1;
	g->expr[0].kind = NSX_EXPR_IPS;
	val = child_text(n, "value");
	for (tok = val ? strtok_r(val, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
		rc = nsx_ipset_add_text(&g->expr[0].ips, tok);
		if (rc == -ENOMEM)
			goto out;
		if (rc) {
			rc = xfail(x, n, -EINVAL, "ipset %s: bad address '%.60s'", g->id, tok);
			goto out;
		}
	}
out:
	free(id);
	free(name);
	free(val);
	return rc;
}

static const char *
cond_key(const char *k)
{
	if (!strcasecmp(k, "VM.NAME"))
		return "Name";
	if (!strcasecmp(k, "VM.SECURITY_TAG"))
		return "Tag";
	if (!strcasecmp(k, "VM.GUEST_OS_FULL_NAME"))
		return "OSName";
	if (!strcasecmp(k, "VM.GUEST_HOST_NAME"))
		return "ComputerName";
	if (!strcasecmp(k, "ENTITY"))
		return "Entity";
	return NULL;
}

static const char *
cond_op(const char *c)
{
	static const char *const map[][2] = {
		{ "=", "EQUALS" }, { "!=", "NOTEQUALS" }, { "contains", "CONTAINS" },
		{ "starts_with", "STARTSWITH" }, { "ends_with", "ENDSWITH" },
		{ "similar_to", "MATCHES" }, { "belongs_to", "BELONGSTO" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcasecmp(c, map[i][0]))
			return map[i][1];
	return NULL;
}

static struct nsx_expr *
expr_push(struct nsx_expr **v, size_t *n)
{
	struct nsx_expr *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return NULL;
	*v = nv;
	memset(&nv[*n], 0, sizeof(nv[0]));
	return &nv[(*n)++];
}

static int
load_dynset(struct xctx *x, const xmlNode *set, struct nsx_group *g)
{
	static const char *const f[] = { "operator", "dynamicCriteria", NULL };
	static const char *const cf[] = { "operator", "key", "criteria", "value", "isValid",
		NULL };
	struct nsx_expr *e;
	char *op;
	int rc;

	if ((rc = check_children(x, set, f)))
		return rc;
	e = expr_push(&g->expr, &g->nexpr);
	if (!e)
		return -ENOMEM;
	e->kind = NSX_EXPR_NESTED;
	op = child_text(set, "operator");
	e->conj = g->nexpr > 1 && op && !strcasecmp(op, "AND");
	free(op);
	for (const xmlNode *c = set->children; c; c = c->next) {
		char *k, *cr, *v, *cop;
		const char *mk, *mo;
		struct nsx_expr *s;

		if (!is_el(c, "dynamicCriteria"))
			continue;
		if ((rc = check_children(x, c, cf)))
			return rc;
		k = child_text(c, "key");
		cr = child_text(c, "criteria");
		v = child_text(c, "value");
		cop = child_text(c, "operator");
		mk = k ? cond_key(k) : NULL;
		mo = cr ? cond_op(cr) : NULL;
		if (!mk || !mo || !v) {
			rc = xfail(x, c, -EINVAL, "group %s: unsupported criteria key '%.30s' / "
			    "criteria '%.20s'", g->id, k ? k : "", cr ? cr : "");
		} else if (!(s = expr_push(&e->sub, &e->nsub))) {
			rc = -ENOMEM;
		} else {
			s->kind = NSX_EXPR_COND;
			s->conj = e->nsub > 1 && cop && !strcasecmp(cop, "AND");
			s->member_type = nsx_strdup("VirtualMachine");
			s->key = nsx_strdup(mk);
			s->op = nsx_strdup(mo);
			s->value = nsx_strdup(v);
			s->scope_op = nsx_strdup("EQUALS");
			if (!s->member_type || !s->key || !s->op || !s->value || !s->scope_op)
				rc = -ENOMEM;
		}
		free(k);
		free(cr);
		free(v);
		free(cop);
		if (rc)
			return rc;
	}
	return 0;
}

static int
member_expr(struct xctx *x, const xmlNode *c, struct nsx_expr **v, size_t *n, int conj)
{
	char *oid = child_text(c, "objectId"), *otn = child_text(c, "objectTypeName");
	char *name = child_text(c, "name"), *s;
	struct nsx_expr *e;
	int rc = 0;

	if (!oid) {
		rc = xfail(x, c, -EINVAL, "member without <objectId>");
		goto out;
	}
	e = expr_push(v, n);
	s = nsx_strdupf("nsxv" NSXV_SEP "%s" NSXV_SEP "%s" NSXV_SEP "%s",
	    otn ? otn : "", oid, name ? name : "");
	if (!e || !s) {
		free(s);
		rc = -ENOMEM;
		goto out;
	}
	e->kind = NSX_EXPR_PATHS;
	e->conj = *n > 1 ? conj : 0;
	rc = nsx_strv_push(&e->refs, &e->nrefs, s);
	free(s);
out:
	free(oid);
	free(otn);
	free(name);
	return rc;
}

static int
load_secgroup(struct xctx *x, const xmlNode *n)
{
	static const char *const f[] = { NSXV_OBJ_FIELDS, "member", "excludeMember",
		"dynamicMemberDefinition", NULL };
	struct nsx_group *g;
	char *id = NULL, *name = NULL;
	int rc;

	if ((rc = obj_ids(x, n, f, &id, &name)))
		return rc;
	g = nsx_group_add(x->m);
	if (!g) {
		free(id);
		free(name);
		return -ENOMEM;
	}
	if ((rc = obj_names(x, n, id, name, &g->id, &g->path, &g->name, &g->src)))
		return rc;
	/* (dynamic sets) OR static members, minus excluded members. */
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (!is_el(c, "dynamicMemberDefinition"))
			continue;
		const char *const df[] = { "dynamicSet", NULL };

		if ((rc = check_children(x, c, df)))
			return rc;
		for (const xmlNode *s = c->children; s; s = s->next)
			if (is_el(s, "dynamicSet") && (rc = load_dynset(x, s, g)))
				return rc;
	}
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (is_el(c, "member"))
			rc = member_expr(x, c, &g->expr, &g->nexpr, 0);
		else if (is_el(c, "excludeMember"))
			rc = member_expr(x, c, &g->excl, &g->nexcl, 0);
		if (rc)
			return rc;
	}
	return 0;
}

static int
load_application(struct xctx *x, const xmlNode *n, bool is_group)
{
	static const char *const f[] = { NSXV_OBJ_FIELDS, "element", "member", NULL };
	static const char *const ef[] = { "applicationProtocol", "value", "sourcePort", NULL };
	struct nsx_service *s;
	char *id = NULL, *name = NULL;
	int rc;

	if ((rc = obj_ids(x, n, f, &id, &name)))
		return rc;
	s = nsx_service_add(x->m);
	if (!s) {
		free(id);
		free(name);
		return -ENOMEM;
	}
	if ((rc = obj_names(x, n, id, name, &s->id, &s->path, &s->name, &s->src)))
		return rc;
	for (const xmlNode *c = n->children; c; c = c->next) {
		if (is_el(c, "element") && !is_group) {
			if ((rc = check_children(x, c, ef)) ||
			    (rc = load_inline_entry(x, c, "applicationProtocol", "value", &s->e, &s->ne)))
				return rc;
		} else if (is_el(c, "member")) {
			struct nsx_entry e;

			memset(&e, 0, sizeof(e));
			e.kind = NSX_ENTRY_NESTED;
			e.icmp_type = e.icmp_code = -1;
			e.nested = child_text(c, "objectId");
			if (!e.nested)
				return xfail(x, c, -EINVAL, "member without <objectId>");
			if ((rc = nsx_entry_push(&s->e, &s->ne, &e))) {
				nsx_entry_free(&e);
				return rc;
			}
		}
	}
	return 0;
}

static int
load_top(struct xctx *x, const xmlNode *root)
{
	if (is_el(root, "firewallConfiguration"))
		return load_config(x, root);
	if (is_el(root, "firewallDraft")) {
		static const char *const f[] = { "description", "preserve", "user", "mode",
			"config", NULL };
		int rc = check_children(x, root, f);

		for (const xmlNode *c = root->children; !rc && c; c = c->next)
			if (is_el(c, "config"))
				rc = load_config(x, c);
		return rc;
	}
	if (is_el(root, "section"))
		return load_section(x, root, false);
	if (is_el(root, "ipset"))
		return load_ipset(x, root);
	if (is_el(root, "securitygroup"))
		return load_secgroup(x, root);
	if (is_el(root, "application"))
		return load_application(x, root, false);
	if (is_el(root, "applicationGroup"))
		return load_application(x, root, true);
	if (is_el(root, "list")) {
		for (const xmlNode *c = root->children; c; c = c->next) {
			int rc;

			if (c->type != XML_ELEMENT_NODE)
				continue;
			if (is_el(c, "list") || is_el(c, "firewallConfiguration") ||
			    is_el(c, "firewallDraft") || is_el(c, "section"))
				return xfail(x, c, -EINVAL, "unexpected element in <list>");
			if ((rc = load_top(x, c)))
				return rc;
		}
		return 0;
	}
	return xfail(x, root, -EINVAL, "not an NSX-V firewall or grouping object document");
}

static void
xml_silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int
nsx_load_xml_buf(struct nsx_model *m, const char *name, const char *buf, size_t len,
    struct diag *d)
{
	struct xctx x = { .m = m, .file = name, .d = d };
	xmlDocPtr doc;
	const xmlError *err;
	int rc;

	if (len > NSX_MAX_FILE_BYTES || len > INT32_MAX)
		return diag_failv(d, -EFBIG, "document too large");
	xmlSetGenericErrorFunc(NULL, xml_silent);
	xmlResetLastError();
	/* No network, no entity substitution, no DTD loading, no huge-document mode. */
	doc = xmlReadMemory(buf, (int)len, name, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!doc) {
		err = xmlGetLastError();
		if (err) {
			diag_set_pos(d, err->line, err->int2);
			rc = diag_failv(d, -EBADMSG, "XML syntax error: %.200s",
			    err->message ? err->message : "?");
		} else {
			rc = diag_failv(d, -EBADMSG, "XML syntax error");
		}
		/* diag_failv trims nothing: drop the message's trailing newline. */
		if (d && d->msg[0] && d->msg[strlen(d->msg) - 1] == '\n')
			d->msg[strlen(d->msg) - 1] = '\0';
		return rc;
	}
	if (doc->intSubset || doc->extSubset) {
		diag_set_pos(d, 1, 1);
		xmlFreeDoc(doc);
		return diag_failv(d, -EINVAL, "DTDs and entity declarations are not accepted");
	}
	rc = load_top(&x, xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	m->nsxv = true;
	if (!rc)
		rc = nsx_model_index(m);
	return rc;
}
