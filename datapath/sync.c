// SPDX-License-Identifier: MIT
/*
 * Bundle -> maps by diff. The wanted state (ipcache, endpoints, per-endpoint policy
 * entries, names) is computed from the bundle, the current state is read back from
 * the pinned maps (so a restarted process needs no memory of earlier applies), both
 * are sorted and merged; only differing entries are written. Writes go in an order
 * that never opens a hole: names and ipcache first, then policy, then endpoint
 * entries (enforcement starts last); deletions run the other way round.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "datapath/datapath.h"
#include "datapath/dp_internal.h"
#include "lib/log.h"

struct vec {
	uint8_t	*v;
	size_t	 n, cap, esz;
};

static void *
vec_push(struct vec *a)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		uint8_t *t = realloc(a->v, cap * a->esz);

		if (!t)
			return NULL;
		a->v = t;
		a->cap = cap;
	}
	memset(a->v + a->n * a->esz, 0, a->esz);
	return a->v + a->n++ * a->esz;
}

static void
vec_sort(struct vec *a, int (*cmp)(const void *, const void *))
{
	if (a->n > 1)
		qsort(a->v, a->n, a->esz, cmp);
}

static void *
vec_at(const struct vec *a, size_t i)
{
	return a->v + i * a->esz;
}

struct ipc_ent {
	struct dp_ipcache_key	 k;
	uint32_t		 id;
	uint32_t		 prio;	/* wanted only: endpoints (1) beat cidrs (0) */
};

struct ep_ent {
	uint32_t		 ifindex;
	struct dp_endpoint	 v;
	const char		*ifname;	/* wanted only */
};

struct pol_ent {
	uint32_t		 ep_id;
	struct dp_policy_key	 k;
	uint8_t			 flags;
	uint16_t		 rule_id;
	const char		*ref;	/* wanted only */
};

struct name_ent {
	struct dp_name_key	 k;
	struct dp_name		 v;
};

static int
cmp_ipc(const void *a, const void *b)
{
	return memcmp(&((const struct ipc_ent *)a)->k, &((const struct ipc_ent *)b)->k,
	    sizeof(struct dp_ipcache_key));
}

static int
cmp_ep(const void *a, const void *b)
{
	uint32_t x = ((const struct ep_ent *)a)->ifindex, y = ((const struct ep_ent *)b)->ifindex;

	return x < y ? -1 : x > y;
}

static int
cmp_pol(const void *a, const void *b)
{
	const struct pol_ent *x = a, *y = b;

	if (x->ep_id != y->ep_id)
		return x->ep_id < y->ep_id ? -1 : 1;
	return memcmp(&x->k, &y->k, sizeof(x->k));
}

static int
cmp_name(const void *a, const void *b)
{
	const struct name_ent *x = a, *y = b;

	if (x->k.kind != y->k.kind)
		return x->k.kind < y->k.kind ? -1 : 1;
	return x->k.id < y->k.id ? -1 : x->k.id > y->k.id;
}

struct sync_ctx {
	struct dp		*dp;
	struct dp_sync_stats	*st;
	struct diag		*d;
	struct vec		 want_ipc, cur_ipc;
	struct vec		 want_ep, cur_ep;
	struct vec		 want_pol, cur_pol;
	struct vec		 want_name, cur_name;
	uint8_t			*ep_wanted;	/* [ep_id] bool */
	uint8_t			*rule_used;	/* [rule_id] bool */
	struct dp_pentry	**compiled;
	size_t			 ncompiled;
};

/* ---- reading the current state ---- */

static int
dump_map(int fd, size_t ksz, size_t vsz, struct vec *out,
    void (*store)(void *ent, const void *k, const void *v))
{
	uint8_t k[64] = { 0 }, next[64], v[128];
	bool first = true;

	if (ksz > sizeof(k) || vsz > sizeof(v))
		return -EINVAL;
	while (bpf_map_get_next_key(fd, first ? NULL : k, next) == 0) {
		void *e;

		first = false;
		memcpy(k, next, ksz);
		if (bpf_map_lookup_elem(fd, k, v))
			continue;
		e = vec_push(out);
		if (!e)
			return -ENOMEM;
		store(e, k, v);
	}
	return errno == ENOENT ? 0 : -errno;
}

static void
store_ipc(void *ent, const void *k, const void *v)
{
	struct ipc_ent *e = ent;

	memcpy(&e->k, k, sizeof(e->k));
	e->id = ((const struct dp_ipcache_info *)v)->sec_identity;
}

static void
store_ep(void *ent, const void *k, const void *v)
{
	struct ep_ent *e = ent;

	memcpy(&e->ifindex, k, sizeof(e->ifindex));
	memcpy(&e->v, v, sizeof(e->v));
}

static void
store_pol(void *ent, const void *k, const void *v)
{
	struct pol_ent *e = ent;
	const struct dp_policy_entry *pe = v;

	memcpy(&e->k, k, sizeof(e->k));
	e->flags = pe->flags;
	e->rule_id = pe->rule_id;
}

static void
store_name(void *ent, const void *k, const void *v)
{
	struct name_ent *e = ent;

	memcpy(&e->k, k, sizeof(e->k));
	memcpy(&e->v, v, sizeof(e->v));
	e->v.name[sizeof(e->v.name) - 1] = '\0';
}

static int
read_current(struct sync_ctx *c)
{
	struct dp *dp = c->dp;
	uint32_t ep, next;
	bool first = true;
	int rc;

	rc = dump_map(dp->map_fd[DP_MAP_IPCACHE], sizeof(struct dp_ipcache_key),
	    sizeof(struct dp_ipcache_info), &c->cur_ipc, store_ipc);
	if (!rc)
		rc = dump_map(dp->map_fd[DP_MAP_ENDPOINTS], sizeof(uint32_t),
		    sizeof(struct dp_endpoint), &c->cur_ep, store_ep);
	if (!rc)
		rc = dump_map(dp->map_fd[DP_MAP_NAMES], sizeof(struct dp_name_key),
		    sizeof(struct dp_name), &c->cur_name, store_name);
	if (rc)
		return diag_failv(c->d, rc, "reading pinned maps: %s", strerror(-rc));
	while (bpf_map_get_next_key(dp->map_fd[DP_MAP_POLICY], first ? NULL : &ep,
	    &next) == 0) {
		size_t before = c->cur_pol.n;
		int fd;

		first = false;
		ep = next;
		fd = dp_policy_map(dp, ep, false);
		if (fd < 0)
			continue;
		rc = dump_map(fd, sizeof(struct dp_policy_key), sizeof(struct dp_policy_entry),
		    &c->cur_pol, store_pol);
		for (size_t i = before; i < c->cur_pol.n; i++)
			((struct pol_ent *)vec_at(&c->cur_pol, i))->ep_id = ep;
		if (rc)
			return diag_failv(c->d, rc, "reading policy map of endpoint %u: %s",
			    ep, strerror(-rc));
	}
	return 0;
}

/* ---- the wanted state ---- */

static int
add_ipc(struct sync_ctx *c, const struct prefix *p, uint32_t id, uint32_t prio)
{
	struct ipc_ent *e = vec_push(&c->want_ipc);

	if (!e)
		return -ENOMEM;
	dp_ipcache_key_make(&e->k, p);
	e->id = id;
	e->prio = prio;
	return 0;
}

static int
add_name(struct sync_ctx *c, uint8_t kind, uint32_t id, const char *name)
{
	struct name_ent *e = vec_push(&c->want_name);

	if (!e)
		return -ENOMEM;
	e->k.kind = kind;
	e->k.id = id;
	snprintf(e->v.name, sizeof(e->v.name), "%s", name);
	return 0;
}

struct ref_id {
	const char	*ref;
	uint32_t	 id;
};

static int
cmp_ref(const void *a, const void *b)
{
	return strcmp(((const struct ref_id *)a)->ref, ((const struct ref_id *)b)->ref);
}

/* Rule reference -> id: a reference keeps the id it has in the names map; new
 * references take the lowest free ids. */
static int
assign_rule_ids(struct sync_ctx *c)
{
	struct ref_id *want = NULL, *cur = NULL, key;
	size_t nw = 0, ncur = 0, w = 0;
	uint32_t next = 1;
	int rc = 0;

	want = calloc(c->want_pol.n + 1, sizeof(*want));
	cur = calloc(c->cur_name.n + 1, sizeof(*cur));
	if (!want || !cur) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->want_pol.n; i++) {
		struct pol_ent *p = vec_at(&c->want_pol, i);

		if (p->ref[0])
			want[nw++].ref = p->ref;
	}
	for (size_t i = 0; i < c->cur_name.n; i++) {
		struct name_ent *e = vec_at(&c->cur_name, i);

		if (e->k.kind == DP_NAME_RULE && e->k.id && e->k.id <= DP_RULE_ID_MAX) {
			cur[ncur].ref = e->v.name;
			cur[ncur++].id = e->k.id;
		}
	}
	qsort(want, nw, sizeof(*want), cmp_ref);
	qsort(cur, ncur, sizeof(*cur), cmp_ref);
	for (size_t i = 0; i < nw; i++)		/* unique references */
		if (!w || strcmp(want[w - 1].ref, want[i].ref))
			want[w++] = want[i];
	nw = w;
	for (size_t i = 0; i < nw; i++) {
		struct ref_id *f = ncur ? bsearch(&want[i], cur, ncur, sizeof(*cur),
		    cmp_ref) : NULL;

		if (f && !c->rule_used[f->id]) {
			want[i].id = f->id;
			c->rule_used[f->id] = 1;
		}
	}
	for (size_t i = 0; i < nw; i++) {
		if (want[i].id)
			continue;
		while (next <= DP_RULE_ID_MAX && c->rule_used[next])
			next++;
		if (next > DP_RULE_ID_MAX) {
			rc = diag_failv(c->d, -E2BIG, "more than %d distinct rule references",
			    DP_RULE_ID_MAX);
			goto out;
		}
		c->rule_used[next] = 1;
		want[i].id = next;
	}
	for (size_t i = 0; i < nw; i++) {
		if (add_name(c, DP_NAME_RULE, want[i].id, want[i].ref)) {
			rc = -ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < c->want_pol.n; i++) {
		struct pol_ent *p = vec_at(&c->want_pol, i);
		struct ref_id *f;

		if (!p->ref[0])
			continue;
		key.ref = p->ref;
		f = bsearch(&key, want, nw, sizeof(*want), cmp_ref);
		p->rule_id = f ? (uint16_t)f->id : 0;
	}
out:
	free(want);
	free(cur);
	return rc;
}

static int
build_wanted(struct sync_ctx *c, const struct dp_bundle *b)
{
	struct ep_ent *wanted_ep;
	int rc;

	for (size_t i = 0; i < b->nidentities; i++)
		if (add_name(c, DP_NAME_IDENTITY, b->identities[i].id, b->identities[i].name))
			return -ENOMEM;
	for (size_t i = 0; i < b->ncidrs; i++)
		if (add_ipc(c, &b->cidrs[i].prefix, b->cidrs[i].identity, 0))
			return -ENOMEM;
	c->compiled = calloc(b->nendpoints ? b->nendpoints : 1, sizeof(*c->compiled));
	if (!c->compiled)
		return -ENOMEM;
	for (size_t i = 0; i < b->nendpoints; i++) {
		const struct dp_bundle_endpoint *ep = &b->endpoints[i];
		struct name_ent *ne;
		long n;

		c->ep_wanted[ep->id] = 1;
		if (add_name(c, DP_NAME_ENDPOINT, ep->id, ep->name))
			return -ENOMEM;
		ne = vec_at(&c->want_name, c->want_name.n - 1);
		for (size_t j = 0; j < ep->nips; j++) {
			struct prefix p;

			prefix_host(&p, &ep->ips[j]);
			if (add_ipc(c, &p, ep->identity, 1))
				return -ENOMEM;
			if (ep->ips[j].family == AF_INET && !ne->v.has4) {
				memcpy(ne->v.addr4, ep->ips[j].bytes, 4);
				ne->v.has4 = 1;
			} else if (ep->ips[j].family == AF_INET6 && !ne->v.has6) {
				memcpy(ne->v.addr6, ep->ips[j].bytes, 16);
				ne->v.has6 = 1;
			}
		}
		wanted_ep = NULL;
		if (ep->ifname[0]) {
			unsigned idx = if_nametoindex(ep->ifname);

			if (!idx) {
				log_warn("endpoint %u (%s): interface %s not found here; policy "
				    "kept, not attached", ep->id, ep->name, ep->ifname);
			} else {
				struct ep_ent *e = vec_push(&c->want_ep);

				if (!e)
					return -ENOMEM;
				e->ifindex = idx;
				e->v.ep_id = ep->id;
				e->v.identity = ep->identity;
				e->v.mode = ep->mode;
				e->ifname = ep->ifname;
				wanted_ep = e;
			}
		}
		n = dp_compile_endpoint(ep, &c->compiled[i]);
		if (n < 0)
			return (int)n;
		c->ncompiled = i + 1;
		if (wanted_ep) {
			for (long j = 0; j < n; j++) {
				const struct dp_policy_key *k = &c->compiled[i][j].key;

				if (k->sec_label == 0)
					wanted_ep->v.flags |= k->egress ? DP_EP_F_L4_EGRESS :
					    DP_EP_F_L4_INGRESS;
			}
		}
		if ((size_t)n > c->dp->policy_max)
			return diag_failv(c->d, -E2BIG, "endpoint %u (%s) needs %ld policy "
			    "entries, its map holds %u", ep->id, ep->name, n, c->dp->policy_max);
		for (long j = 0; j < n; j++) {
			struct pol_ent *p = vec_push(&c->want_pol);

			if (!p)
				return -ENOMEM;
			p->ep_id = ep->id;
			p->k = c->compiled[i][j].key;
			p->flags = c->compiled[i][j].flags;
			p->ref = c->compiled[i][j].ref;
		}
	}
	rc = assign_rule_ids(c);
	if (rc)
		return rc;
	/* ipcache: one entry per key; an endpoint address beats a CIDR entry */
	vec_sort(&c->want_ipc, cmp_ipc);
	{
		size_t w = 0;

		for (size_t i = 0; i < c->want_ipc.n; i++) {
			struct ipc_ent *e = vec_at(&c->want_ipc, i);

			if (w) {
				struct ipc_ent *p = vec_at(&c->want_ipc, w - 1);

				if (!cmp_ipc(p, e)) {
					if (e->prio > p->prio)
						*p = *e;
					continue;
				}
			}
			memmove(vec_at(&c->want_ipc, w++), e, sizeof(*e));
		}
		c->want_ipc.n = w;
	}
	vec_sort(&c->want_ep, cmp_ep);
	vec_sort(&c->want_pol, cmp_pol);
	vec_sort(&c->want_name, cmp_name);
	return 0;
}

/* ---- applying the difference ---- */

enum pass { PASS_PUT, PASS_DEL };

/* Merge-walk two sorted vectors: put() for wanted entries missing or different in
 * cur (PASS_PUT), del() for current entries not wanted (PASS_DEL). */
static int
merge(struct sync_ctx *c, struct vec *want, struct vec *cur, enum pass pass,
    int (*cmp)(const void *, const void *), bool (*same)(const void *, const void *),
    int (*put)(struct sync_ctx *, const void *), int (*del)(struct sync_ctx *, const void *))
{
	size_t i = 0, j = 0;
	int rc;

	while (i < want->n || j < cur->n) {
		const void *w = i < want->n ? vec_at(want, i) : NULL;
		const void *k = j < cur->n ? vec_at(cur, j) : NULL;
		int r = !w ? 1 : !k ? -1 : cmp(w, k);

		if (r < 0) {
			if (pass == PASS_PUT && (rc = put(c, w)))
				return rc;
			i++;
		} else if (r > 0) {
			if (pass == PASS_DEL && (rc = del(c, k)))
				return rc;
			j++;
		} else {
			if (pass == PASS_PUT && !same(w, k) && (rc = put(c, w)))
				return rc;
			i++;
			j++;
		}
	}
	return 0;
}

static bool
same_ipc(const void *a, const void *b)
{
	return ((const struct ipc_ent *)a)->id == ((const struct ipc_ent *)b)->id;
}

static int
put_ipc(struct sync_ctx *c, const void *x)
{
	const struct ipc_ent *e = x;
	int rc = dp_ipcache_key_put(c->dp, &e->k, e->id);

	if (rc)
		return diag_failv(c->d, rc, "ipcache update: %s", strerror(-rc));
	c->st->ipcache_put++;
	return 0;
}

static int
del_ipc(struct sync_ctx *c, const void *x)
{
	const struct ipc_ent *e = x;
	int rc = dp_ipcache_key_del(c->dp, &e->k);

	if (rc && rc != -ENOENT)
		return diag_failv(c->d, rc, "ipcache delete: %s", strerror(-rc));
	c->st->ipcache_del++;
	return 0;
}

static bool
same_ep(const void *a, const void *b)
{
	const struct dp_endpoint *x = &((const struct ep_ent *)a)->v;
	const struct dp_endpoint *y = &((const struct ep_ent *)b)->v;

	return x->ep_id == y->ep_id && x->identity == y->identity && x->mode == y->mode &&
	    x->flags == y->flags;
}

static int
put_ep(struct sync_ctx *c, const void *x)
{
	const struct ep_ent *e = x;
	int rc = dp_endpoint_put(c->dp, e->ifindex, &e->v);

	if (rc)
		return diag_failv(c->d, rc, "endpoint %u: %s", e->v.ep_id, strerror(-rc));
	c->st->endpoint_put++;
	return 0;
}

static int
del_ep(struct sync_ctx *c, const void *x)
{
	const struct ep_ent *e = x;
	int rc = dp_endpoint_del(c->dp, e->ifindex);

	if (rc && rc != -ENOENT)
		return diag_failv(c->d, rc, "endpoint delete: %s", strerror(-rc));
	c->st->endpoint_del++;
	return 0;
}

static bool
same_pol(const void *a, const void *b)
{
	const struct pol_ent *x = a, *y = b;

	return x->flags == y->flags && x->rule_id == y->rule_id;
}

static int
put_pol(struct sync_ctx *c, const void *x)
{
	const struct pol_ent *e = x;
	struct dp_policy_entry v = { .flags = e->flags, .rule_id = e->rule_id };
	int rc = dp_policy_put(c->dp, e->ep_id, &e->k, &v);

	if (rc)
		return diag_failv(c->d, rc, "policy map of endpoint %u: update: %s%s",
		    e->ep_id, strerror(-rc), rc == -ENOSPC ? " (map full)" : "");
	c->st->policy_put++;
	return 0;
}

static int
del_pol(struct sync_ctx *c, const void *x)
{
	const struct pol_ent *e = x;
	int rc;

	if (!c->ep_wanted[e->ep_id])
		return 0;	/* the whole map goes */
	rc = dp_policy_del(c->dp, e->ep_id, &e->k);
	if (rc && rc != -ENOENT)
		return diag_failv(c->d, rc, "policy delete (endpoint %u): %s", e->ep_id,
		    strerror(-rc));
	c->st->policy_del++;
	return 0;
}

static bool
same_name(const void *a, const void *b)
{
	return !memcmp(&((const struct name_ent *)a)->v, &((const struct name_ent *)b)->v,
	    sizeof(struct dp_name));
}

static int
put_name(struct sync_ctx *c, const void *x)
{
	const struct name_ent *e = x;

	if (bpf_map_update_elem(c->dp->map_fd[DP_MAP_NAMES], &e->k, &e->v, BPF_ANY))
		return diag_failv(c->d, -errno, "names update: %s", strerror(errno));
	c->st->names_put++;
	return 0;
}

static int
del_name(struct sync_ctx *c, const void *x)
{
	const struct name_ent *e = x;

	if (bpf_map_delete_elem(c->dp->map_fd[DP_MAP_NAMES], &e->k) && errno != ENOENT)
		return diag_failv(c->d, -errno, "names delete: %s", strerror(errno));
	c->st->names_del++;
	return 0;
}

static int
apply(struct sync_ctx *c)
{
	struct dp *dp = c->dp;
	int rc;

	/* puts: names, ipcache, policy maps and entries, endpoints (+ attach) */
	rc = merge(c, &c->want_name, &c->cur_name, PASS_PUT, cmp_name, same_name, put_name,
	    del_name);
	if (!rc)
		rc = merge(c, &c->want_ipc, &c->cur_ipc, PASS_PUT, cmp_ipc, same_ipc, put_ipc,
		    del_ipc);
	for (uint32_t ep = 1; !rc && ep <= DP_EP_ID_MAX; ep++) {
		bool had;
		int fd;

		if (!c->ep_wanted[ep])
			continue;
		had = dp->pol_fd[ep] >= 0 || dp_policy_map(dp, ep, false) >= 0;
		fd = dp_policy_map(dp, ep, true);
		if (fd < 0)
			rc = diag_failv(c->d, fd, "policy map of endpoint %u: %s", ep,
			    strerror(-fd));
		else if (!had)
			c->st->maps_created++;
	}
	if (!rc)
		rc = merge(c, &c->want_pol, &c->cur_pol, PASS_PUT, cmp_pol, same_pol, put_pol,
		    del_pol);
	if (!rc)
		rc = merge(c, &c->want_ep, &c->cur_ep, PASS_PUT, cmp_ep, same_ep, put_ep,
		    del_ep);
	for (size_t i = 0; !rc && i < c->want_ep.n; i++) {
		struct ep_ent *e = vec_at(&c->want_ep, i);

		if (dp_attached(dp, (int)e->ifindex) == 0)
			continue;
		rc = dp_attach(dp, (int)e->ifindex, c->d);
		if (!rc)
			c->st->attached++;
	}
	/* deletions: endpoints (enforcement stops), policy, maps, ipcache, names */
	if (!rc)
		rc = merge(c, &c->want_ep, &c->cur_ep, PASS_DEL, cmp_ep, same_ep, put_ep,
		    del_ep);
	if (!rc)
		rc = merge(c, &c->want_pol, &c->cur_pol, PASS_DEL, cmp_pol, same_pol, put_pol,
		    del_pol);
	{
		uint32_t ep, next;
		bool first = true;
		uint32_t *drop = NULL;
		size_t ndrop = 0;

		while (!rc && bpf_map_get_next_key(dp->map_fd[DP_MAP_POLICY],
		    first ? NULL : &ep, &next) == 0) {
			first = false;
			ep = next;
			if (ep <= DP_EP_ID_MAX && c->ep_wanted[ep])
				continue;
			{
				uint32_t *t = realloc(drop, (ndrop + 1) * sizeof(*drop));

				if (!t) {
					rc = -ENOMEM;
					break;
				}
				drop = t;
				drop[ndrop++] = ep;
			}
		}
		for (size_t i = 0; !rc && i < ndrop; i++) {
			rc = dp_policy_map_drop(dp, drop[i]);
			if (rc)
				rc = diag_failv(c->d, rc, "drop policy map of endpoint %u: %s",
				    drop[i], strerror(-rc));
			else
				c->st->maps_dropped++;
		}
		free(drop);
	}
	if (!rc)
		rc = merge(c, &c->want_ipc, &c->cur_ipc, PASS_DEL, cmp_ipc, same_ipc, put_ipc,
		    del_ipc);
	if (!rc)
		rc = merge(c, &c->want_name, &c->cur_name, PASS_DEL, cmp_name, same_name,
		    put_name, del_name);
	return rc;
}

int
dp_sync(struct dp *dp, const struct dp_bundle *b, struct dp_sync_stats *st,
    struct diag *d)
{
	struct dp_sync_stats local = { 0 };
	struct sync_ctx c = {
		.dp = dp, .st = st ? st : &local, .d = d,
		.want_ipc.esz = sizeof(struct ipc_ent), .cur_ipc.esz = sizeof(struct ipc_ent),
		.want_ep.esz = sizeof(struct ep_ent), .cur_ep.esz = sizeof(struct ep_ent),
		.want_pol.esz = sizeof(struct pol_ent), .cur_pol.esz = sizeof(struct pol_ent),
		.want_name.esz = sizeof(struct name_ent),
		.cur_name.esz = sizeof(struct name_ent),
	};
	int rc;

	memset(c.st, 0, sizeof(*c.st));
	c.ep_wanted = calloc(DP_EP_ID_MAX + 1, 1);
	c.rule_used = calloc(DP_RULE_ID_MAX + 1, 1);
	if (!c.ep_wanted || !c.rule_used) {
		rc = diag_failv(d, -ENOMEM, "out of memory");
		goto out;
	}
	rc = read_current(&c);
	if (!rc) {
		rc = build_wanted(&c, b);
		if (rc == -ENOMEM)
			rc = diag_failv(d, rc, "out of memory");
		else if (rc)
			diag_failv(d, rc, "compiling the bundle: %s", strerror(-rc));
	}
	if (!rc) {
		vec_sort(&c.cur_ipc, cmp_ipc);
		vec_sort(&c.cur_ep, cmp_ep);
		vec_sort(&c.cur_pol, cmp_pol);
		vec_sort(&c.cur_name, cmp_name);
		rc = apply(&c);
	}
out:
	for (size_t i = 0; i < c.ncompiled; i++)
		free(c.compiled[i]);
	free(c.compiled);
	free(c.want_ipc.v);
	free(c.cur_ipc.v);
	free(c.want_ep.v);
	free(c.cur_ep.v);
	free(c.want_pol.v);
	free(c.cur_pol.v);
	free(c.want_name.v);
	free(c.cur_name.v);
	free(c.ep_wanted);
	free(c.rule_used);
	return rc;
}

void
dp_state_free(struct dp_state *st)
{
	(void)st;	/* no cache yet: every sync reads the maps back */
}
