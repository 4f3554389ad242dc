// SPDX-License-Identifier: MIT
/*
 * CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy YAML from the compiled set:
 * one policy per endpoint class (inventory workload: endpointSelector on its
 * labels; every other endpoint: pods without the cutover.io/vm label), with
 * ingress/egress allows and ingressDeny/egressDeny only where the compiler kept a
 * deny. Address sets become fromCIDRSet/toCIDRSet (with except when shorter) or
 * the entity "all"; services become toPorts (endPort ranges) and icmps.
 * Each rule item carries a comment naming the NSX rule it comes from.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsx-import/translate.h"

#define CNP_MAX_ITEMS	40	/* CRD maxItems of ports[] and icmps[].fields[] */

static void
yq(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* RFC 1123 label from a workload name. */
static void
dns_name(char *out, size_t len, const char *prefix, const char *name)
{
	size_t n = 0;
	bool dash = false;

	n = (size_t)snprintf(out, len, "%s", prefix);
	for (const char *p = name; *p && n + 2 < len && n < 240; p++) {
		char c = (char)tolower((unsigned char)*p);

		if (isalnum((unsigned char)c)) {
			out[n++] = c;
			dash = false;
		} else if (!dash) {
			out[n++] = '-';
			dash = true;
		}
	}
	while (n && out[n - 1] == '-')
		n--;
	out[n] = '\0';
}

static size_t
prefix_count(const struct nsx_range *r)
{
	int n = prefix_range(&r->lo, &r->hi, NULL, 0);

	return n > 0 ? (size_t)n : 0;
}

static size_t
set_prefixes(const struct nsx_ipset *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += prefix_count(&s->r[i]);
	return n;
}

static int
print_prefixes(FILE *f, const struct nsx_ipset *s, const char *lead)
{
	for (size_t i = 0; i < s->n; i++) {
		size_t n = prefix_count(&s->r[i]);
		struct prefix *p = calloc(n ? n : 1, sizeof(*p));
		char buf[PREFIX_STRLEN];

		if (!p)
			return -ENOMEM;
		prefix_range(&s->r[i].lo, &s->r[i].hi, p, n);
		for (size_t k = 0; k < n; k++)
			fprintf(f, "%s%s\n", lead, prefix_format(&p[k], buf, sizeof(buf)));
		free(p);
	}
	return 0;
}

/* fromCIDRSet / toCIDRSet items for one family part of a box. */
static int
cidr_items(FILE *f, const struct nsx_ipset *part, int family, const char *ind)
{
	struct nsx_ipset full = { 0 }, comp = { 0 };
	const char *zero = family == AF_INET ? "0.0.0.0/0" : "::/0";
	char lead[64];
	int rc;

	if (nsx_ipset_empty(part))
		return 0;
	if ((rc = nsx_ipset_add_full(&full, family)) ||
	    (rc = nsx_ipset_subtract(&comp, &full, part)))
		goto out;
	if (nsx_ipset_empty(&comp)) {
		fprintf(f, "%s- cidr: %s\n", ind, zero);
	} else if (set_prefixes(&comp) < set_prefixes(part)) {
		fprintf(f, "%s- cidr: %s\n%s  except:\n", ind, zero, ind);
		snprintf(lead, sizeof(lead), "%s  - ", ind);
		rc = print_prefixes(f, &comp, lead);
	} else {
		snprintf(lead, sizeof(lead), "%s- cidr: ", ind);
		rc = print_prefixes(f, part, lead);
	}
out:
	nsx_ipset_free(&full);
	nsx_ipset_free(&comp);
	return rc;
}

static const char *
proto_word(uint8_t p)
{
	switch (p) {
	case NSX_PROTO_TCP:	return "TCP";
	case NSX_PROTO_UDP:	return "UDP";
	case NSX_PROTO_SCTP:	return "SCTP";
	}
	return NULL;
}

static void
rule_comment(FILE *f, const struct nsx_box *b, const char *ind)
{
	if (b->rule)
		fprintf(f, "%s# NSX rule %s (%s)\n", ind, b->rule->path,
		    nsx_action_name(b->rule->action));
	else if (b->merged)
		fprintf(f, "%s# several NSX rules (merged)\n", ind);
	else
		fprintf(f, "%s# NSX default rule\n", ind);
}

/* The peer part of one rule item (first line carries the "- "). */
static int
peers(FILE *f, const struct nsx_box *b, bool ingress, unsigned fams)
{
	struct nsx_ipset v4 = { 0 }, v6 = { 0 };
	int rc = 0;

	/* Full for every family the endpoint has: every peer. */
	if ((!(fams & 1) || nsx_ipset_is_full(&b->ips, AF_INET)) &&
	    (!(fams & 2) || nsx_ipset_is_full(&b->ips, AF_INET6))) {
		fprintf(f, "  - %s: [all]\n", ingress ? "fromEntities" : "toEntities");
		return 0;
	}
	if (nsx_ipset_family(&v4, &b->ips, AF_INET) || nsx_ipset_family(&v6, &b->ips, AF_INET6)) {
		rc = -ENOMEM;
		goto out;
	}
	fprintf(f, "  - %s:\n", ingress ? "fromCIDRSet" : "toCIDRSet");
	if (!(rc = cidr_items(f, &v4, AF_INET, "    ")))
		rc = cidr_items(f, &v6, AF_INET6, "    ");
out:
	nsx_ipset_free(&v4);
	nsx_ipset_free(&v6);
	return rc;
}

static bool
has_ports(const struct nsx_svcset *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (proto_word(s->it[i].proto))
			return true;
	return false;
}

static bool
has_icmp(const struct nsx_svcset *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->it[i].proto == NSX_PROTO_ICMP || s->it[i].proto == NSX_PROTO_ICMP6)
			return true;
	return false;
}

static void
ports_block(FILE *f, const struct nsx_svcset *s)
{
	size_t cnt = 0;

	fprintf(f, "    toPorts:\n");
	for (size_t i = 0; i < s->n; i++) {
		const char *w = proto_word(s->it[i].proto);
		unsigned lo = s->it[i].lo, hi = s->it[i].hi;

		if (!w)
			continue;
		if (cnt % CNP_MAX_ITEMS == 0)
			fprintf(f, "    - ports:\n");
		cnt++;
		/* Port 0 is not a real destination port; "0" means every port. */
		if (lo == 0 && hi == NSX_PORT_MAX) {
			fprintf(f, "      - port: \"0\"\n        protocol: %s\n", w);
			continue;
		}
		if (lo == 0)
			lo = 1;
		fprintf(f, "      - port: \"%u\"\n", lo);
		if (hi > lo)
			fprintf(f, "        endPort: %u\n", hi);
		fprintf(f, "        protocol: %s\n", w);
	}
}

static void
icmp_block(FILE *f, const struct nsx_svcset *s)
{
	size_t cnt = 0;

	fprintf(f, "    icmps:\n");
	for (size_t i = 0; i < s->n; i++) {
		uint8_t p = s->it[i].proto;
		unsigned hi = s->it[i].hi > 255 ? 255 : s->it[i].hi;

		if (p != NSX_PROTO_ICMP && p != NSX_PROTO_ICMP6)
			continue;
		for (unsigned t = s->it[i].lo; t <= hi; t++) {
			if (cnt % CNP_MAX_ITEMS == 0)
				fprintf(f, "    - fields:\n");
			cnt++;
			fprintf(f, "      - type: %u\n        family: %s\n", t,
			    p == NSX_PROTO_ICMP ? "IPv4" : "IPv6");
		}
	}
}

static int
section(FILE *f, const struct nsx_boxes *bx, const char *key, bool ingress, unsigned fams)
{
	int rc;

	if (!bx->n)
		return 0;
	fprintf(f, "  %s:\n", key);
	for (size_t i = 0; i < bx->n; i++) {
		const struct nsx_box *b = &bx->b[i];

		if (b->svc.any) {
			rule_comment(f, b, "  ");
			if ((rc = peers(f, b, ingress, fams)))
				return rc;
			continue;
		}
		if (has_ports(&b->svc)) {
			rule_comment(f, b, "  ");
			if ((rc = peers(f, b, ingress, fams)))
				return rc;
			ports_block(f, &b->svc);
		}
		if (has_icmp(&b->svc)) {
			rule_comment(f, b, "  ");
			if ((rc = peers(f, b, ingress, fams)))
				return rc;
			icmp_block(f, &b->svc);
		}
	}
	return 0;
}

static void
selector(FILE *f, const struct nsx_model *m, int wl)
{
	if (wl < 0) {
		if (!m->nwl) {
			fprintf(f, "  endpointSelector: {}\n");
			return;
		}
		fprintf(f, "  endpointSelector:\n    matchExpressions:\n    - key: %s\n"
		    "      operator: DoesNotExist\n", NSX_VM_LABEL);
		return;
	}
	fprintf(f, "  endpointSelector:\n    matchLabels:\n      %s: ", NSX_VM_LABEL);
	yq(f, m->wl[wl].name);
	fputc('\n', f);
	for (size_t i = 0; i < m->wl[wl].nlabels; i++) {
		if (!strcmp(m->wl[wl].labels[i].key, NSX_VM_LABEL))
			continue;
		fprintf(f, "      ");
		yq(f, m->wl[wl].labels[i].key);
		fprintf(f, ": ");
		yq(f, m->wl[wl].labels[i].value);
		fputc('\n', f);
	}
}

int
nsx_emit_cnp(FILE *f, const struct nsx_model *m, const struct nsx_compiled *c,
    const struct nsx_emit_opts *o)
{
	static const char *const keys[2][2] = {
		{ "ingress", "ingressDeny" }, { "egress", "egressDeny" } };
	bool first = true;
	int rc;

	for (size_t i = 0; i < c->ncls; i++) {
		const struct nsx_class *k = &c->cls[i];
		unsigned fams = 3;
		char name[256];

		if (!k->dir[0].enforce && !k->dir[1].enforce)
			continue;
		if (k->wl >= 0) {
			const struct nsx_ipset *ips = &m->wl[k->wl].ips;

			fams = 0;
			for (size_t r = 0; r < ips->n; r++)
				fams |= ips->r[r].lo.family == AF_INET ? 1 : 2;
		}
		if (k->wl >= 0)
			dns_name(name, sizeof(name), "nsx-vm-", m->wl[k->wl].name);
		else
			snprintf(name, sizeof(name), "nsx-other-endpoints");
		fprintf(f, "%s", first ? "" : "---\n");
		first = false;
		fprintf(f, "apiVersion: cilium.io/v2\nkind: %s\nmetadata:\n  name: %s\n",
		    o->namespace ? "CiliumNetworkPolicy" : "CiliumClusterwideNetworkPolicy", name);
		if (o->namespace) {
			fprintf(f, "  namespace: ");
			yq(f, o->namespace);
			fputc('\n', f);
		}
		fprintf(f, "  annotations:\n    nsx-import.cutover.io/generated-by: "
		    "\"cutover nsx-import\"\n");
		if (o->nsources) {
			fprintf(f, "    nsx-import.cutover.io/source: \"");
			for (size_t s = 0; s < o->nsources; s++) {
				const char *b = strrchr(o->sources[s], '/');

				fprintf(f, "%s%s", s ? " " : "", b ? b + 1 : o->sources[s]);
			}
			fprintf(f, "\"\n");
		}
		fprintf(f, "    nsx-import.cutover.io/endpoints: ");
		yq(f, k->wl >= 0 ? m->wl[k->wl].name : "every endpoint without " NSX_VM_LABEL);
		fprintf(f, "\nspec:\n");
		selector(f, m, k->wl);
		for (int d = 0; d < 2; d++) {
			const struct nsx_cdir *dir = &k->dir[d];

			if (!dir->enforce)
				continue;
			if (!dir->allow.n) {
				/* Default deny with nothing allowed: an empty rule turns it on. */
				fprintf(f, "  %s:\n  # nothing allowed: the empty rule enables default deny\n"
				    "  - {}\n", keys[d][0]);
			} else if ((rc = section(f, &dir->allow, keys[d][0], d == NSX_D_INGRESS, fams))) {
				return rc;
			}
			if ((rc = section(f, &dir->deny, keys[d][1], d == NSX_D_INGRESS, fams)))
				return rc;
		}
	}
	if (first)
		fprintf(f, "# no policy emitted: the translated rules allow every flow (see the gap report for rules left out)\n");
	return ferror(f) ? -EIO : 0;
}
