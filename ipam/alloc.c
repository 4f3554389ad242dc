// SPDX-License-Identifier: MIT
/*
 * IPAM state over lib/store: loading pools and their state into a per-process cache
 * (bitmaps per pool, block owners, a node name table), allocation (blocks, single
 * addresses, named addresses and reservations), release, leases, reservations,
 * garbage collection, and keeping this node's advertise set in step.
 *
 * The store is the truth; the cache is a hint. Every claim is one compare-and-swap
 * transaction whose compares all concern the claimed address (and the block it is
 * taken from), so a failed compare means "this address is not free any more": the
 * cache learns it and the scan moves on. Nothing here holds a lock between calls.
 *
 * Keys under IPAM_KEY_ROOT:
 *   pools/<pool>                 pool JSON (pool.c)
 *   alloc/<pool>/<ip>            {"node","cid","if","vm"}
 *   handle/<cid>/<if>/<pool>     <ip>          (idempotent ADD, DEL by container)
 *   blocks/<pool>/<addr>_<len>   <node>        (block affinity)
 *   live/<pool>/<ip>             <vm>          (still live on VMware)
 *   resv/<vm>                    <pool> <ip>   (reservation by VM)
 *   resvip/<pool>/<ip>           <vm>          (same, by address)
 */
#include "ipam/ipam_int.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/diag.h"
#include "lib/store.h"

/* CAS conflicts tolerated in one allocation before re-reading the whole state. */
#define IPAM_CAS_RELOAD		256
#define IPAM_CAS_MAX		4096

bool
ipam_name_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n == 0 || n >= max)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		/* no '/' (key separator), no spaces or control bytes */
		if (c <= ' ' || c == '/' || c >= 0x7f)
			return false;
	}
	return true;
}

/* ---- node table ------------------------------------------------------------- */

static uint16_t
node_lookup(const struct ipam *im, const char *name)
{
	size_t i;

	for (i = 1; i < im->nnodes; i++)
		if (!strcmp(im->nodes[i], name))
			return (uint16_t)i;
	return 0;
}

static int
node_intern(struct ipam *im, const char *name, uint16_t *idx)
{
	char *dup;

	if ((*idx = node_lookup(im, name)))
		return 0;
	if (im->nnodes >= IPAM_NODES_MAX)
		return -ENOSPC;
	if (im->nnodes == im->capnodes) {
		size_t ncap = im->capnodes ? im->capnodes * 2 : 16;
		char **nn = realloc(im->nodes, ncap * sizeof(*nn));

		if (!nn)
			return -ENOMEM;
		im->nodes = nn;
		im->capnodes = ncap;
		if (im->nnodes == 0)
			im->nodes[im->nnodes++] = NULL;
	}
	dup = strdup(name);
	if (!dup)
		return -ENOMEM;
	im->nodes[im->nnodes] = dup;
	*idx = (uint16_t)im->nnodes++;
	return 0;
}

const char *
ipam_node_name(const struct ipam *im, uint16_t idx)
{
	return idx && idx < im->nnodes ? im->nodes[idx] : "?";
}

/* ---- pool state --------------------------------------------------------------- */

static void
pool_state_free(struct pool_state *ps)
{
	free(ps->used);
	free(ps->blocked);
	free(ps->live);
	free(ps->resv);
	free(ps->owner);
	free(ps->block_owner);
	memset(ps, 0, sizeof(*ps));
}

static int
pool_state_init(struct pool_state *ps, const struct ipam_pool *def)
{
	uint64_t i, bytes;
	struct addr a;
	unsigned bb;

	memset(ps, 0, sizeof(*ps));
	ps->def = *def;
	ps->size = ipam_pool_size(def);
	bytes = (ps->size + 7) / 8;
	bb = def->block_len - def->cidr.len;
	ps->nblocks = (uint64_t)1 << bb;
	ps->used = calloc(bytes, 1);
	ps->blocked = calloc(bytes, 1);
	ps->live = calloc(bytes, 1);
	ps->resv = calloc(bytes, 1);
	ps->owner = calloc(ps->size, sizeof(*ps->owner));
	ps->block_owner = calloc(ps->nblocks, sizeof(*ps->block_owner));
	if (!ps->used || !ps->blocked || !ps->live || !ps->resv || !ps->owner ||
	    !ps->block_owner) {
		pool_state_free(ps);
		return -ENOMEM;
	}
	/* network/broadcast/gateway: a handful of offsets; excluded ranges: walk them */
	for (i = 0; i < ps->size; i += (i < 2 || i + 2 >= ps->size) ? 1 : ps->size - 3) {
		ipam_pool_addr(def, i, &a);
		if (ipam_pool_addr_static_reason(def, &a))
			ipam_bit_set(ps->blocked, i, true);
	}
	if (def->has_gateway && !ipam_pool_offset(def, &def->gateway, &i))
		ipam_bit_set(ps->blocked, i, true);
	for (size_t e = 0; e < def->nexclude; e++) {
		uint64_t lo, hi;

		if (ipam_pool_offset(def, &def->exclude[e].lo, &lo) ||
		    ipam_pool_offset(def, &def->exclude[e].hi, &hi))
			continue;
		for (i = lo; i <= hi; i++)
			ipam_bit_set(ps->blocked, i, true);
	}
	return 0;
}

struct pool_state *
ipam_ps_by_name(struct ipam *im, const char *name)
{
	size_t i;

	for (i = 0; i < im->npools; i++)
		if (!strcmp(im->pools[i].def.name, name))
			return &im->pools[i];
	return NULL;
}

struct pool_state *
ipam_ps_by_addr(struct ipam *im, const struct addr *a)
{
	size_t i;

	for (i = 0; i < im->npools; i++)
		if (prefix_contains_addr(&im->pools[i].def.cidr, a))
			return &im->pools[i];
	return NULL;
}

static uint64_t
block_of(const struct pool_state *ps, uint64_t off)
{
	return off >> (addr_bits(&ps->def.cidr.addr) - ps->def.block_len);
}

static void
block_prefix(const struct pool_state *ps, uint64_t b, struct prefix *p)
{
	struct addr a;

	ipam_pool_addr(&ps->def, b << (addr_bits(&ps->def.cidr.addr) - ps->def.block_len), &a);
	prefix_make(p, &a, ps->def.block_len);
}

static bool
single_mode(const struct pool_state *ps)
{
	return ps->def.block_len == addr_bits(&ps->def.cidr.addr);
}

/* ---- keys and values ---------------------------------------------------------- */

int
ipam_key_alloc(char *k, const struct pool_state *ps, const struct addr *a)
{
	char s[ADDR_STRLEN];

	return store_key(k, KEY_LEN, IPAM_KEY_ROOT "alloc/%s/%s", ps->def.name,
	    addr_format(a, s, sizeof(s)));
}

int
ipam_key_addr(char *k, const char *kind, const char *pool, const struct addr *a)
{
	char s[ADDR_STRLEN];

	return store_key(k, KEY_LEN, IPAM_KEY_ROOT "%s/%s/%s", kind, pool,
	    addr_format(a, s, sizeof(s)));
}

static int
key_block(char *k, const struct pool_state *ps, uint64_t b)
{
	char s[ADDR_STRLEN];
	struct prefix p;

	block_prefix(ps, b, &p);
	return store_key(k, KEY_LEN, IPAM_KEY_ROOT "blocks/%s/%s_%u", ps->def.name,
	    addr_format(&p.addr, s, sizeof(s)), p.len);
}

int
ipam_key_handle(char *k, const char *cid, const char *ifname, const char *pool)
{
	return store_key(k, KEY_LEN, IPAM_KEY_ROOT "handle/%s/%s/%s", cid, ifname, pool);
}

static char *
lease_value(const char *node, const char *cid, const char *ifname, const char *vm)
{
	struct json_object *o = json_object_new_object();
	char *out;

	if (!o)
		return NULL;
	json_object_object_add(o, "node", json_object_new_string(node));
	json_object_object_add(o, "cid", json_object_new_string(cid));
	json_object_object_add(o, "if", json_object_new_string(ifname));
	if (vm && *vm)
		json_object_object_add(o, "vm", json_object_new_string(vm));
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return out;
}

static void
copy_field(struct json_object *o, const char *f, char *out, size_t outlen)
{
	struct json_object *v;

	out[0] = '\0';
	if (json_object_object_get_ex(o, f, &v) && json_object_is_type(v, json_type_string))
		snprintf(out, outlen, "%s", json_object_get_string(v));
}

/* Parse an alloc value into lease fields; -EBADMSG for a value that is not ours. */
int
ipam_lease_parse(const char *val, size_t len, struct ipam_lease *l)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, val, (int)len);
	json_tokener_free(tok);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EBADMSG;
	}
	copy_field(o, "node", l->node, sizeof(l->node));
	copy_field(o, "cid", l->cid, sizeof(l->cid));
	copy_field(o, "if", l->ifname, sizeof(l->ifname));
	copy_field(o, "vm", l->vm, sizeof(l->vm));
	json_object_put(o);
	return l->node[0] ? 0 : -EBADMSG;
}

void
ipam_lease_fill_pool(struct ipam_lease *l, const struct pool_state *ps, const struct addr *a)
{
	snprintf(l->pool, sizeof(l->pool), "%s", ps->def.name);
	l->ip = *a;
	l->subnet = ps->def.cidr;
	l->has_gateway = ps->def.has_gateway;
	l->gateway = ps->def.gateway;
}

/* Last path component of key after the given prefix, or NULL. */
const char *
ipam_key_rest(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(key, prefix, n) ? NULL : key + n;
}

/* "<pool>/<rest>": split into pool state and rest; NULL for unknown pools. */
struct pool_state *
ipam_key_pool(struct ipam *im, const char *rest, const char **tail)
{
	const char *slash = strchr(rest, '/');
	char name[IPAM_NAME_MAX];

	if (!slash || (size_t)(slash - rest) >= sizeof(name))
		return NULL;
	memcpy(name, rest, (size_t)(slash - rest));
	name[slash - rest] = '\0';
	*tail = slash + 1;
	return ipam_ps_by_name(im, name);
}

/* ---- advertise-set maintenance ---------------------------------------------------- */

static void
adv_mark_host(struct ipam_adv *adv, const struct addr *a, bool foreign, bool on)
{
	struct prefix h;

	prefix_host(&h, a);
	if (foreign)
		ipam_adv_set_foreign(adv, &h, on);
	else
		ipam_adv_set_own(adv, a, on);
}

/* Fill adv with node's view of the state (adv in batch mode by the caller). */
static int
adv_build(struct ipam *im, uint16_t node, struct ipam_adv *adv)
{
	size_t i, e;
	int rc;

	for (i = 0; i < im->npools; i++) {
		struct pool_state *ps = &im->pools[i];
		uint64_t off;
		struct addr a;

		if ((rc = ipam_adv_add_root(adv, &ps->def.cidr, ps->def.aggregate_free)))
			return rc;
		if (ps->def.has_gateway)
			adv_mark_host(adv, &ps->def.gateway, true, true);
		for (e = 0; e < ps->def.nexclude; e++) {
			struct prefix pr[2 * ADDR_V6_BITS];
			int n = prefix_range(&ps->def.exclude[e].lo, &ps->def.exclude[e].hi, pr,
			    sizeof(pr) / sizeof(pr[0]));

			for (int k = 0; k < n && k < (int)(sizeof(pr) / sizeof(pr[0])); k++)
				ipam_adv_set_foreign(adv, &pr[k], true);
		}
		for (off = 0; off < ps->nblocks && !single_mode(ps); off++) {
			struct prefix bp;

			if (ps->block_owner[off] && ps->block_owner[off] != node) {
				block_prefix(ps, off, &bp);
				ipam_adv_set_foreign(adv, &bp, true);
			}
		}
		for (off = 0; off < ps->size; off++) {
			bool used = ipam_bit_get(ps->used, off);

			if (!used && !ipam_bit_get(ps->live, off) && !ipam_bit_get(ps->resv, off))
				continue;
			ipam_pool_addr(&ps->def, off, &a);
			if (used)
				adv_mark_host(adv, &a, ps->owner[off] != node, true);
			else
				adv_mark_host(adv, &a, true, true);
		}
	}
	return 0;
}

static int
adv_collect(const struct prefix *p, void *arg)
{
	struct {
		struct prefix	*v;
		size_t		 n, cap;
	} *c = arg;

	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct prefix *nv = realloc(c->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		c->v = nv;
		c->cap = ncap;
	}
	c->v[c->n++] = *p;
	return 0;
}

/* Rebuild this node's advertise set from the cache; report the difference. */
static int
adv_rebuild(struct ipam *im)
{
	struct ipam_adv *nw;
	struct {
		struct prefix	*v;
		size_t		 n, cap;
	} o = { 0 }, n = { 0 };
	size_t i, j;
	int rc;

	if (!im->node_idx)
		return 0;
	nw = ipam_adv_new(NULL, NULL);
	if (!nw)
		return -ENOMEM;
	ipam_adv_begin(nw);
	if ((rc = adv_build(im, im->node_idx, nw)) || (rc = ipam_adv_end(nw))) {
		ipam_adv_free(nw);
		return rc;
	}
	if (im->adv && im->cb) {
		ipam_adv_walk(im->adv, adv_collect, &o);
		ipam_adv_walk(nw, adv_collect, &n);
		for (j = 0, i = 0; j < n.n; j++) {
			while (i < o.n && prefix_cmp(&o.v[i], &n.v[j]) < 0)
				i++;
			if (!(i < o.n && prefix_eq(&o.v[i], &n.v[j])))
				im->cb(&n.v[j], true, im->cb_arg);
		}
		for (i = 0, j = 0; i < o.n; i++) {
			while (j < n.n && prefix_cmp(&n.v[j], &o.v[i]) < 0)
				j++;
			if (!(j < n.n && prefix_eq(&n.v[j], &o.v[i])))
				im->cb(&o.v[i], false, im->cb_arg);
		}
		free(o.v);
		free(n.v);
	}
	ipam_adv_free(im->adv);
	ipam_adv_set_cb(nw, im->cb, im->cb_arg);
	im->adv = nw;
	return 0;
}

enum adv_label
ipam_label_of(const struct ipam *im, const struct pool_state *ps, uint64_t off)
{
	if (ipam_bit_get(ps->used, off))
		return ps->owner[off] == im->node_idx ? LBL_OWN : LBL_FOREIGN;
	if (ipam_bit_get(ps->live, off) || ipam_bit_get(ps->resv, off))
		return LBL_FOREIGN;
	return LBL_NONE;
}

/* Tell the advertise set that off changed from label old to its current label. */
void
ipam_adv_relabel(struct ipam *im, struct pool_state *ps, uint64_t off, enum adv_label old)
{
	enum adv_label nw = ipam_label_of(im, ps, off);
	struct addr a;

	if (!im->adv || nw == old)
		return;
	ipam_pool_addr(&ps->def, off, &a);
	if (old != LBL_NONE)
		adv_mark_host(im->adv, &a, old == LBL_FOREIGN, false);
	if (nw != LBL_NONE)
		adv_mark_host(im->adv, &a, nw == LBL_FOREIGN, true);
}

/* The cache learnt that off in ps is allocated to node owner (0: unknown), or free. */
void
ipam_cache_alloc(struct ipam *im, struct pool_state *ps, uint64_t off, uint16_t owner, bool on)
{
	enum adv_label old = ipam_label_of(im, ps, off);

	ipam_bit_set(ps->used, off, on);
	ps->owner[off] = on ? owner : 0;
	ipam_adv_relabel(im, ps, off, old);
}

/* ---- load ------------------------------------------------------------------------- */

static void
state_free(struct ipam *im)
{
	size_t i;

	for (i = 0; i < im->npools; i++)
		pool_state_free(&im->pools[i]);
	im->npools = 0;
}

static int
load_list(struct ipam *im, const char *sub, struct store_list *l)
{
	char k[KEY_LEN];
	int rc;

	if ((rc = store_key(k, sizeof(k), IPAM_KEY_ROOT "%s/", sub)))
		return rc;
	return store_list(im->s, k, l);
}

static int
load_state(struct ipam *im, struct diag *d)
{
	struct store_list l = { 0 };
	size_t i;
	int64_t rev;
	int rc;

	state_free(im);
	if ((rc = store_rev(im->s, &rev)))
		return diag_failv(d, rc, "store: cannot read revision: %s", strerror(-rc));
	if ((rc = load_list(im, "pools", &l)))
		goto fail;
	for (i = 0; i < l.n && im->npools < IPAM_POOLS_MAX; i++) {
		struct ipam_pool p;
		struct diag pd;

		diag_init(&pd, l.kvs[i].key);
		if (ipam_pool_parse_json(l.kvs[i].value, l.kvs[i].value_len, &p, &pd)) {
			/* one bad record must not take every pool down: skip it loudly */
			fprintf(stderr, "ipam: skipping pool %s: %s\n", l.kvs[i].key, pd.msg);
			continue;
		}
		if ((rc = pool_state_init(&im->pools[im->npools], &p)))
			goto fail;
		im->npools++;
	}
	store_list_free(&l);

	if ((rc = load_list(im, "blocks", &l)))
		goto fail;
	for (i = 0; i < l.n; i++) {
		const char *tail, *rest = ipam_key_rest(l.kvs[i].key, IPAM_KEY_ROOT "blocks/");
		struct pool_state *ps = rest ? ipam_key_pool(im, rest, &tail) : NULL;
		char buf[PREFIX_STRLEN], *us;
		struct prefix bp;
		uint64_t off;
		uint16_t idx;

		if (!ps || strlen(tail) >= sizeof(buf))
			continue;
		snprintf(buf, sizeof(buf), "%s", tail);
		if ((us = strchr(buf, '_')))
			*us = '/';
		if (prefix_parse(buf, &bp, PREFIX_PARSE_STRICT) || bp.len != ps->def.block_len ||
		    ipam_pool_offset(&ps->def, &bp.addr, &off) || single_mode(ps))
			continue;
		if ((rc = node_intern(im, l.kvs[i].value, &idx)))
			goto fail;
		ps->block_owner[block_of(ps, off)] = idx;
	}
	store_list_free(&l);

	if ((rc = load_list(im, "alloc", &l)))
		goto fail;
	for (i = 0; i < l.n; i++) {
		const char *tail, *rest = ipam_key_rest(l.kvs[i].key, IPAM_KEY_ROOT "alloc/");
		struct pool_state *ps = rest ? ipam_key_pool(im, rest, &tail) : NULL;
		struct ipam_lease le;
		struct addr a;
		uint64_t off;
		uint16_t idx = 0;

		if (!ps || addr_parse(tail, &a) || ipam_pool_offset(&ps->def, &a, &off))
			continue;
		memset(&le, 0, sizeof(le));
		if (!ipam_lease_parse(l.kvs[i].value, l.kvs[i].value_len, &le) &&
		    (rc = node_intern(im, le.node, &idx)))
			goto fail;
		ipam_bit_set(ps->used, off, true);
		ps->owner[off] = idx;
	}
	store_list_free(&l);

	for (int pass = 0; pass < 2; pass++) {
		const char *sub = pass ? "resvip" : "live";
		char pre[64];

		snprintf(pre, sizeof(pre), IPAM_KEY_ROOT "%s/", sub);
		if ((rc = load_list(im, sub, &l)))
			goto fail;
		for (i = 0; i < l.n; i++) {
			const char *tail, *rest = ipam_key_rest(l.kvs[i].key, pre);
			struct pool_state *ps = rest ? ipam_key_pool(im, rest, &tail) : NULL;
			struct addr a;
			uint64_t off;

			if (!ps || addr_parse(tail, &a) || ipam_pool_offset(&ps->def, &a, &off))
				continue;
			ipam_bit_set(pass ? ps->resv : ps->live, off, true);
			ipam_bit_set(ps->blocked, off, true);
		}
		store_list_free(&l);
	}
	im->rev = rev;
	return adv_rebuild(im);
fail:
	store_list_free(&l);
	state_free(im);
	return diag_failv(d, rc, "store: cannot load IPAM state: %s", strerror(-rc));
}

int
ipam_open(struct store *s, const char *node, struct ipam **out, struct diag *d)
{
	struct ipam *im;
	int rc;

	*out = NULL;
	if (node && !ipam_name_ok(node, IPAM_NAME_MAX))
		return diag_fail(d, "bad node name '%s'", node);
	im = calloc(1, sizeof(*im));
	if (!im)
		return -ENOMEM;
	im->s = s;
	im->rng = (uint64_t)(uintptr_t)im ^ (uint64_t)getpid() << 32;
	if (node) {
		snprintf(im->node, sizeof(im->node), "%s", node);
		if ((rc = node_intern(im, node, &im->node_idx))) {
			ipam_close(im);
			return rc;
		}
	}
	if ((rc = load_state(im, d))) {
		ipam_close(im);
		return rc;
	}
	*out = im;
	return 0;
}

void
ipam_close(struct ipam *im)
{
	size_t i;

	if (!im)
		return;
	state_free(im);
	for (i = 1; i < im->nnodes; i++)
		free(im->nodes[i]);
	free(im->nodes);
	ipam_adv_free(im->adv);
	free(im);
}

int
ipam_refresh(struct ipam *im, bool *changed, struct diag *d)
{
	int64_t since = im->rev;
	bool ch = false;
	int rc;

	if ((rc = store_poll(im->s, IPAM_KEY_ROOT, &since, &ch)))
		return diag_failv(d, rc, "store: poll failed: %s", strerror(-rc));
	if (changed)
		*changed = ch;
	if (!ch) {
		im->rev = since;
		return 0;
	}
	return load_state(im, d);
}

uint64_t
ipam_conflicts(const struct ipam *im)
{
	return im->conflicts;
}

struct ipam_adv *
ipam_advertise(struct ipam *im)
{
	return im->adv;
}

void
ipam_advertise_set_cb(struct ipam *im, ipam_adv_cb cb, void *arg)
{
	im->cb = cb;
	im->cb_arg = arg;
	if (im->adv)
		ipam_adv_set_cb(im->adv, cb, arg);
}

int
ipam_advertise_for(struct ipam *im, const char *node, struct ipam_adv **out)
{
	struct ipam_adv *adv;
	uint16_t idx;
	int rc;

	*out = NULL;
	if (!ipam_name_ok(node, IPAM_NAME_MAX))
		return -EINVAL;
	if ((rc = node_intern(im, node, &idx)))
		return rc;
	adv = ipam_adv_new(NULL, NULL);
	if (!adv)
		return -ENOMEM;
	ipam_adv_begin(adv);
	if ((rc = adv_build(im, idx, adv)) || (rc = ipam_adv_end(adv))) {
		ipam_adv_free(adv);
		return rc;
	}
	*out = adv;
	return 0;
}

/* ---- pools ---------------------------------------------------------------------- */

size_t
ipam_pool_count(const struct ipam *im)
{
	return im->npools;
}

const struct ipam_pool *
ipam_pool_at(const struct ipam *im, size_t i)
{
	return i < im->npools ? &im->pools[i].def : NULL;
}

const struct ipam_pool *
ipam_pool_find(const struct ipam *im, const char *name)
{
	size_t i;

	for (i = 0; i < im->npools; i++)
		if (!strcmp(im->pools[i].def.name, name))
			return &im->pools[i].def;
	return NULL;
}

int
ipam_pool_put(struct ipam *im, const struct ipam_pool *p, struct diag *d)
{
	char k[KEY_LEN], *json;
	size_t i;
	int rc;

	if ((rc = ipam_pool_validate(p, d)))
		return rc;
	for (i = 0; i < im->npools; i++) {
		const struct ipam_pool *o = &im->pools[i].def;

		if (strcmp(o->name, p->name) && prefix_overlaps(&o->cidr, &p->cidr))
			return diag_failv(d, -EEXIST, "pool %s overlaps pool %s", p->name, o->name);
		if (!strcmp(o->name, p->name) && (!prefix_eq(&o->cidr, &p->cidr) ||
		    o->block_len != p->block_len))
			return diag_failv(d, -EEXIST, "pool %s exists with another CIDR or block "
			    "length (delete it first)", p->name);
	}
	if (!ipam_ps_by_name(im, p->name) && im->npools == IPAM_POOLS_MAX)
		return diag_failv(d, -ENOSPC, "too many pools (max %d)", IPAM_POOLS_MAX);
	if ((rc = store_key(k, sizeof(k), IPAM_KEY_ROOT "pools/%s", p->name)))
		return rc;
	json = ipam_pool_to_json(p);
	if (!json)
		return -ENOMEM;
	rc = store_put_str(im->s, k, json);
	free(json);
	if (rc)
		return diag_failv(d, rc, "store: cannot write pool %s: %s", p->name, strerror(-rc));
	return load_state(im, d);
}

int
ipam_pool_delete(struct ipam *im, const char *name, bool force, struct diag *d)
{
	static const char *const subs[] = { "alloc", "blocks", "live", "resvip" };
	struct pool_state *ps = ipam_ps_by_name(im, name);
	struct ipam_pool_stats st;
	char k[KEY_LEN];
	size_t i;
	int rc;

	if (!ps)
		return diag_failv(d, -ENOENT, "no pool named '%s'", name);
	ipam_pool_stats(im, name, &st);
	if (st.allocated && !force)
		return diag_failv(d, -EBUSY, "pool %s still has %llu allocations (use --force)",
		    name, (unsigned long long)st.allocated);
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if ((rc = store_key(k, sizeof(k), IPAM_KEY_ROOT "%s/%s/", subs[i], name)) ||
		    (rc = store_delete_prefix(im->s, k, NULL)))
			return diag_failv(d, rc, "store: cannot delete %s: %s", k, strerror(-rc));
	}
	if ((rc = store_key(k, sizeof(k), IPAM_KEY_ROOT "pools/%s", name)) ||
	    (rc = store_delete(im->s, k)))
		return diag_failv(d, rc, "store: cannot delete pool %s: %s", name, strerror(-rc));
	return load_state(im, d);
}

int
ipam_live_set(struct ipam *im, const char *pool, const struct addr *addrs,
    char *const *vms, size_t n, struct diag *d)
{
	struct pool_state *ps = ipam_ps_by_name(im, pool);
	struct store_op ops[STORE_TXN_MAX];
	static char keys[STORE_TXN_MAX][KEY_LEN];
	char k[KEY_LEN], s[ADDR_STRLEN];
	size_t i, nops = 0;
	int rc;

	if (!ps)
		return diag_failv(d, -ENOENT, "no pool named '%s'", pool);
	for (i = 0; i < n; i++) {
		uint64_t off;

		addr_format(&addrs[i], s, sizeof(s));
		if (ipam_pool_offset(&ps->def, &addrs[i], &off))
			return diag_failv(d, -ERANGE, "%s is outside pool %s", s, pool);
		if (ipam_bit_get(ps->used, off))
			return diag_failv(d, -EADDRINUSE, "%s is live on VMware but allocated to "
			    "node %s: resolve the conflict first", s, ipam_node_name(im, ps->owner[off]));
	}
	if ((rc = store_key(k, sizeof(k), IPAM_KEY_ROOT "live/%s/", pool)) ||
	    (rc = store_delete_prefix(im->s, k, NULL)))
		return diag_failv(d, rc, "store: %s", strerror(-rc));
	/* Batches of STORE_TXN_MAX puts: the set is replaced, not atomically as a whole. */
	for (i = 0; i <= n; i++) {
		if (nops == STORE_TXN_MAX || (i == n && nops)) {
			if ((rc = store_txn(im->s, NULL, 0, ops, nops)))
				return diag_failv(d, rc, "store: %s", strerror(-rc));
			nops = 0;
		}
		if (i == n)
			break;
		if ((rc = ipam_key_addr(keys[nops], "live", pool, &addrs[i])))
			return rc;
		ops[nops] = (struct store_op){ STORE_OP_PUT, keys[nops], vms && vms[i] ? vms[i] : "",
		    vms && vms[i] ? strlen(vms[i]) : 0 };
		nops++;
	}
	return load_state(im, d);
}

int
ipam_pool_stats(struct ipam *im, const char *pool, struct ipam_pool_stats *st)
{
	struct pool_state *ps = ipam_ps_by_name(im, pool);
	uint64_t i;

	memset(st, 0, sizeof(*st));
	if (!ps)
		return -ENOENT;
	st->size = ps->size;
	st->blocks = single_mode(ps) ? 0 : ps->nblocks;
	for (i = 0; i < ps->size; i++) {
		bool u = ipam_bit_get(ps->used, i), b = ipam_bit_get(ps->blocked, i);

		st->allocated += u;
		st->live += ipam_bit_get(ps->live, i);
		st->reserved += ipam_bit_get(ps->resv, i);
		st->unavailable += b && !u;
		st->free += !u && !b;
	}
	for (i = 0; i < ps->nblocks && st->blocks; i++)
		st->blocks_claimed += ps->block_owner[i] != 0;
	return 0;
}

/* ---- allocation ------------------------------------------------------------------ */

static void
cache_block(struct ipam *im, struct pool_state *ps, uint64_t b, uint16_t owner)
{
	uint16_t prev = ps->block_owner[b];
	struct prefix bp;

	if (prev == owner)
		return;
	ps->block_owner[b] = owner;
	if (!im->adv)
		return;
	block_prefix(ps, b, &bp);
	if (prev && prev != im->node_idx)
		ipam_adv_set_foreign(im->adv, &bp, false);
	if (owner && owner != im->node_idx)
		ipam_adv_set_foreign(im->adv, &bp, true);
}

/* Re-read what the store says about one address after a failed compare. */
static int
reread_addr(struct ipam *im, struct pool_state *ps, uint64_t off)
{
	enum adv_label old = ipam_label_of(im, ps, off);
	char k[KEY_LEN];
	struct store_kv kv;
	struct addr a;
	int rc;

	ipam_pool_addr(&ps->def, off, &a);
	for (int pass = 0; pass < 3; pass++) {
		static const char *const kinds[] = { "alloc", "live", "resvip" };

		if ((rc = ipam_key_addr(k, kinds[pass], ps->def.name, &a)))
			return rc;
		rc = store_get(im->s, k, &kv);
		if (rc && rc != -ENOENT)
			return rc;
		if (pass == 0) {
			struct ipam_lease le;
			uint16_t idx = 0;

			memset(&le, 0, sizeof(le));
			if (!rc && !ipam_lease_parse(kv.value, kv.value_len, &le))
				node_intern(im, le.node, &idx);
			ipam_bit_set(ps->used, off, rc == 0);
			ps->owner[off] = rc == 0 ? idx : 0;
		} else {
			ipam_bit_set(pass == 1 ? ps->live : ps->resv, off, rc == 0);
			if (rc == 0)
				ipam_bit_set(ps->blocked, off, true);
		}
		store_kv_clear(&kv);
	}
	ipam_adv_relabel(im, ps, off, old);
	return 0;
}

static int
reread_block(struct ipam *im, struct pool_state *ps, uint64_t b)
{
	char k[KEY_LEN];
	struct store_kv kv;
	uint16_t idx = 0;
	int rc;

	if ((rc = key_block(k, ps, b)))
		return rc;
	rc = store_get(im->s, k, &kv);
	if (rc && rc != -ENOENT)
		return rc;
	if (!rc)
		rc = node_intern(im, kv.value, &idx);
	store_kv_clear(&kv);
	if (!rc)
		cache_block(im, ps, b, idx);
	return rc == -ENOENT ? 0 : rc;
}

/*
 * One claim: the address at off for rq, as one transaction. vm non-NULL claims the
 * reservation of that VM (the resvip key must still name it) and ends the address's
 * live-on-VMware entry. block_idx >= 0 requires the block still to be ours.
 * Returns 0, -ECANCELED (the store disagreed with the cache) or -errno.
 */
static int
claim(struct ipam *im, struct pool_state *ps, uint64_t off, const struct ipam_request *rq,
    const char *ifname, const char *vm, int64_t block_idx)
{
	char k_alloc[KEY_LEN], k_handle[KEY_LEN], k_live[KEY_LEN], k_resv[KEY_LEN];
	char k_block[KEY_LEN], ip[ADDR_STRLEN], *val;
	struct store_cmp cmps[6];
	struct store_op ops[3];
	size_t nc = 0, no = 0;
	struct addr a;
	int rc;

	ipam_pool_addr(&ps->def, off, &a);
	addr_format(&a, ip, sizeof(ip));
	if ((rc = ipam_key_alloc(k_alloc, ps, &a)) ||
	    (rc = ipam_key_handle(k_handle, rq->cid, ifname, ps->def.name)) ||
	    (rc = ipam_key_addr(k_live, "live", ps->def.name, &a)) ||
	    (rc = ipam_key_addr(k_resv, "resvip", ps->def.name, &a)))
		return rc;
	if (block_idx >= 0 && (rc = key_block(k_block, ps, (uint64_t)block_idx)))
		return rc;
	val = lease_value(rq->node, rq->cid, ifname, vm);
	if (!val)
		return -ENOMEM;
	cmps[nc++] = (struct store_cmp){ k_alloc, STORE_CMP_ABSENT, 0, NULL, 0 };
	/* the container must not have got an address from this pool meanwhile */
	cmps[nc++] = (struct store_cmp){ k_handle, STORE_CMP_ABSENT, 0, NULL, 0 };
	if (vm) {
		/* the reservation still names this VM; its VMware entry ends now */
		cmps[nc++] = (struct store_cmp){ k_resv, STORE_CMP_VALUE, 0, vm, strlen(vm) };
		ops[no++] = (struct store_op){ STORE_OP_DELETE, k_live, NULL, 0 };
	} else {
		cmps[nc++] = (struct store_cmp){ k_resv, STORE_CMP_ABSENT, 0, NULL, 0 };
		cmps[nc++] = (struct store_cmp){ k_live, STORE_CMP_ABSENT, 0, NULL, 0 };
	}
	if (block_idx >= 0)
		cmps[nc++] = (struct store_cmp){ k_block, STORE_CMP_VALUE, 0, rq->node,
		    strlen(rq->node) };
	ops[no++] = (struct store_op){ STORE_OP_PUT, k_alloc, val, strlen(val) };
	ops[no++] = (struct store_op){ STORE_OP_PUT, k_handle, ip, strlen(ip) };
	rc = store_txn(im->s, cmps, nc, ops, no);
	free(val);
	return rc;
}

static int
lease_done(struct ipam *im, struct pool_state *ps, uint64_t off, const struct ipam_request *rq,
    const char *ifname, const char *vm, struct ipam_lease *out)
{
	enum adv_label old = ipam_label_of(im, ps, off);
	uint16_t idx;
	struct addr a;
	int rc;

	if ((rc = node_intern(im, rq->node, &idx)))
		return rc;
	ipam_bit_set(ps->used, off, true);
	ps->owner[off] = idx;
	if (vm)
		ipam_bit_set(ps->live, off, false);
	ipam_adv_relabel(im, ps, off, old);
	ps->hint = off + 1 < ps->size ? off + 1 : 0;
	ipam_pool_addr(&ps->def, off, &a);
	memset(out, 0, sizeof(*out));
	ipam_lease_fill_pool(out, ps, &a);
	snprintf(out->node, sizeof(out->node), "%s", rq->node);
	snprintf(out->cid, sizeof(out->cid), "%s", rq->cid);
	snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
	if (vm)
		snprintf(out->vm, sizeof(out->vm), "%s", vm);
	return 0;
}

/* The VM a reserved address is pinned for (from the store). */
static int
resv_vm_of(struct ipam *im, struct pool_state *ps, const struct addr *a, char *vm, size_t len)
{
	char k[KEY_LEN];
	struct store_kv kv;
	int rc;

	if ((rc = ipam_key_addr(k, "resvip", ps->def.name, a)))
		return rc;
	if ((rc = store_get(im->s, k, &kv)))
		return rc;
	snprintf(vm, len, "%s", kv.value);
	store_kv_clear(&kv);
	return 0;
}

static int
alloc_exact(struct ipam *im, struct pool_state *ps, uint64_t off, const struct ipam_request *rq,
    const char *ifname, const char *want_vm, struct ipam_lease *out, struct diag *d)
{
	char ip[ADDR_STRLEN], vm[IPAM_NAME_MAX];
	const char *why;
	struct addr a;
	int rc, tries;

	ipam_pool_addr(&ps->def, off, &a);
	addr_format(&a, ip, sizeof(ip));
	if ((why = ipam_pool_addr_static_reason(&ps->def, &a)))
		return diag_failv(d, -EADDRNOTAVAIL, "%s is %s of pool %s", ip, why, ps->def.name);
	for (tries = 0; tries < 3; tries++) {
		bool reserved = false;

		vm[0] = '\0';
		if (ipam_bit_get(ps->resv, off)) {
			rc = resv_vm_of(im, ps, &a, vm, sizeof(vm));
			if (rc && rc != -ENOENT)
				return diag_failv(d, rc, "store: %s", strerror(-rc));
			reserved = rc == 0;
		}
		if (want_vm && (!reserved || strcmp(vm, want_vm)))
			return diag_failv(d, -ENOENT, "%s is not reserved for VM %s", ip, want_vm);
		if (ipam_bit_get(ps->used, off))
			return diag_failv(d, -EADDRINUSE, "%s is already allocated (node %s)", ip,
			    ipam_node_name(im, ps->owner[off]));
		if (!reserved && ipam_bit_get(ps->live, off))
			return diag_failv(d, -EADDRNOTAVAIL, "%s is live on VMware (reserve it for "
			    "the VM first: cutover ipam reserve --vm NAME --ip %s)", ip, ip);
		if (!reserved && !single_mode(ps)) {
			uint16_t bo = ps->block_owner[block_of(ps, off)];

			if (bo && strcmp(ipam_node_name(im, bo), rq->node))
				return diag_failv(d, -EADDRNOTAVAIL, "%s lies in node %s's block",
				    ip, ipam_node_name(im, bo));
		}
		rc = claim(im, ps, off, rq, ifname, reserved ? vm : NULL, -1);
		if (rc == 0)
			return lease_done(im, ps, off, rq, ifname, reserved ? vm : NULL, out);
		if (rc != -ECANCELED)
			return diag_failv(d, rc, "store: %s", strerror(-rc));
		if ((rc = reread_addr(im, ps, off)))
			return diag_failv(d, rc, "store: %s", strerror(-rc));
	}
	return diag_failv(d, -EAGAIN, "%s: the store keeps changing under us, try again", ip);
}

/* First free offset in [lo, hi) starting at from (wrapping), or UINT64_MAX. */
static uint64_t
scan_free(const struct pool_state *ps, uint64_t lo, uint64_t hi, uint64_t from)
{
	uint64_t n = hi - lo, i, off;

	if (from < lo || from >= hi)
		from = lo;
	for (i = 0; i < n; i++) {
		off = from + i;
		if (off >= hi)
			off -= n;
		/* skip whole full bytes quickly */
		if (off % 8 == 0 && off + 8 <= hi && (ps->used[off / 8] | ps->blocked[off / 8]) == 0xff) {
			i += 7;
			continue;
		}
		if (!ipam_bit_get(ps->used, off) && !ipam_bit_get(ps->blocked, off))
			return off;
	}
	return UINT64_MAX;
}

static int
claim_block(struct ipam *im, struct pool_state *ps, uint64_t b, const char *node)
{
	char k[KEY_LEN];
	struct store_cmp c;
	struct store_op op;
	int rc;

	if ((rc = key_block(k, ps, b)))
		return rc;
	c = (struct store_cmp){ k, STORE_CMP_ABSENT, 0, NULL, 0 };
	op = (struct store_op){ STORE_OP_PUT, k, node, strlen(node) };
	return store_txn(im->s, &c, 1, &op, 1);
}

static int
alloc_auto(struct ipam *im, struct pool_state *ps, const struct ipam_request *rq,
    const char *ifname, struct ipam_lease *out, struct diag *d)
{
	unsigned shift = addr_bits(&ps->def.cidr.addr) - ps->def.block_len;
	uint64_t bsize = (uint64_t)1 << shift, off, b;
	uint16_t me;
	int rc, conflicts = 0;

	if ((rc = node_intern(im, rq->node, &me)))
		return rc;
	for (;;) {
		if (conflicts > IPAM_CAS_MAX)
			return diag_failv(d, -EAGAIN, "pool %s: too many concurrent claims, "
			    "try again", ps->def.name);
		if (conflicts && conflicts % IPAM_CAS_RELOAD == 0) {
			char name[IPAM_NAME_MAX];

			snprintf(name, sizeof(name), "%s", ps->def.name);
			if ((rc = load_state(im, d)))
				return rc;
			if (!(ps = ipam_ps_by_name(im, name)))
				return diag_failv(d, -ENOENT, "pool %s disappeared", name);
			conflicts++;
		}
		off = UINT64_MAX;
		b = 0;
		if (single_mode(ps)) {
			off = scan_free(ps, 0, ps->size, ps->hint);
		} else {
			/* our blocks first, starting with the one the hint is in */
			uint64_t hb = block_of(ps, ps->hint < ps->size ? ps->hint : 0), i;

			for (i = 0; i < ps->nblocks && off == UINT64_MAX; i++) {
				b = (hb + i) % ps->nblocks;
				if (ps->block_owner[b] == me)
					off = scan_free(ps, b * bsize, (b + 1) * bsize, ps->hint);
			}
			if (off == UINT64_MAX) {
				/* claim the first unclaimed block that has a free address */
				for (b = 0; b < ps->nblocks; b++)
					if (!ps->block_owner[b] &&
					    scan_free(ps, b * bsize, (b + 1) * bsize, 0) != UINT64_MAX)
						break;
				if (b == ps->nblocks)
					goto exhausted;
				rc = claim_block(im, ps, b, rq->node);
				if (rc == 0) {
					cache_block(im, ps, b, me);
					ps->hint = b * bsize;
				} else if (rc == -ECANCELED) {
					conflicts++;
					im->conflicts++;
					if ((rc = reread_block(im, ps, b)))
						return diag_failv(d, rc, "store: %s", strerror(-rc));
				} else {
					return diag_failv(d, rc, "store: %s", strerror(-rc));
				}
				continue;
			}
		}
		if (off == UINT64_MAX)
			goto exhausted;
		rc = claim(im, ps, off, rq, ifname, NULL, single_mode(ps) ? -1 : (int64_t)b);
		if (rc == 0)
			return lease_done(im, ps, off, rq, ifname, NULL, out);
		if (rc != -ECANCELED)
			return diag_failv(d, rc, "store: %s", strerror(-rc));
		conflicts++;
		if ((rc = reread_addr(im, ps, off)) ||
		    (!single_mode(ps) && (rc = reread_block(im, ps, b))))
			return diag_failv(d, rc, "store: %s", strerror(-rc));
		/* the container may have got an address meanwhile (a parallel ADD) */
		if (ipam_lookup(im, rq->cid, ifname, ps->def.name, out) == 0) {
			out->existing = true;
			return 0;
		}
		/*
		 * Another allocator is working right here. Following it address by
		 * address would lose every race (it is always one step ahead), so jump a
		 * small random distance; what we skip is found again on wrap-around.
		 */
		im->conflicts++;
		im->rng = im->rng * 6364136223846793005ULL + 1442695040888963407ULL;
		ps->hint = off + 1 + (im->rng >> 59);
		if (ps->hint >= ps->size)
			ps->hint = 0;
	}
exhausted:
	{
		struct ipam_pool_stats st;

		ipam_pool_stats(im, ps->def.name, &st);
		if (single_mode(ps))
			return diag_failv(d, -ENOSPC, "pool %s is exhausted: %llu addresses, %llu "
			    "allocated, %llu unavailable (network/broadcast, gateway, excluded, "
			    "live on VMware, reserved)", ps->def.name, (unsigned long long)st.size,
			    (unsigned long long)st.allocated, (unsigned long long)st.unavailable);
		return diag_failv(d, -ENOSPC, "pool %s is exhausted for node %s: its blocks are "
		    "full and all %llu blocks of /%u are claimed (%llu addresses allocated)",
		    ps->def.name, rq->node, (unsigned long long)st.blocks, ps->def.block_len,
		    (unsigned long long)st.allocated);
	}
}

int
ipam_lookup(struct ipam *im, const char *cid, const char *ifname, const char *pool,
    struct ipam_lease *out)
{
	struct store_list l = { 0 };
	char k[KEY_LEN];
	size_t i;
	int rc;

	if (!ipam_name_ok(cid, IPAM_CID_MAX) || !ipam_name_ok(ifname, IPAM_IFNAME_MAX))
		return -EINVAL;
	if ((rc = store_key(k, sizeof(k), IPAM_KEY_ROOT "handle/%s/%s/", cid, ifname)) ||
	    (rc = store_list(im->s, k, &l)))
		return rc;
	rc = -ENOENT;
	for (i = 0; i < l.n; i++) {
		const char *pname = l.kvs[i].key + strlen(k);
		struct pool_state *ps = ipam_ps_by_name(im, pname);
		char ka[KEY_LEN];
		struct store_kv kv;
		struct addr a;

		if (!ps || (pool && strcmp(pool, pname)) || addr_parse(l.kvs[i].value, &a))
			continue;
		if (ipam_key_alloc(ka, ps, &a) || store_get(im->s, ka, &kv))
			continue;
		memset(out, 0, sizeof(*out));
		ipam_lease_fill_pool(out, ps, &a);
		if (!ipam_lease_parse(kv.value, kv.value_len, out) && !strcmp(out->cid, cid) &&
		    !strcmp(out->ifname, ifname)) {
			out->existing = true;
			store_kv_clear(&kv);
			rc = 0;
			break;
		}
		store_kv_clear(&kv);
	}
	store_list_free(&l);
	return rc;
}

int
ipam_alloc(struct ipam *im, const struct ipam_request *rq, struct ipam_lease *out,
    struct diag *d)
{
	const char *ifname = rq->ifname ? rq->ifname : "eth0";
	struct pool_state *ps = NULL;
	const char *want_vm = NULL;
	char ip[ADDR_STRLEN];
	struct addr a;
	uint64_t off;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!ipam_name_ok(rq->node, IPAM_NAME_MAX))
		return diag_fail(d, "bad or missing node name");
	if (!ipam_name_ok(rq->cid, IPAM_CID_MAX))
		return diag_fail(d, "bad or missing container id");
	if (!ipam_name_ok(ifname, IPAM_IFNAME_MAX))
		return diag_fail(d, "bad interface name '%s'", ifname);
	if (rq->pool && !(ps = ipam_ps_by_name(im, rq->pool)))
		return diag_failv(d, -ENOENT, "no pool named '%s'", rq->pool);
	if (rq->vm) {
		char k[KEY_LEN], pname[IPAM_NAME_MAX], addr[ADDR_STRLEN];
		struct store_kv kv;

		if (!ipam_name_ok(rq->vm, IPAM_NAME_MAX) ||
		    store_key(k, sizeof(k), IPAM_KEY_ROOT "resv/%s", rq->vm))
			return diag_fail(d, "bad VM name");
		rc = store_get(im->s, k, &kv);
		if (rc == -ENOENT)
			return diag_failv(d, -ENOENT, "no reservation for VM %s", rq->vm);
		if (rc)
			return diag_failv(d, rc, "store: %s", strerror(-rc));
		rc = sscanf(kv.value, "%63s %45s", pname, addr) == 2 && !addr_parse(addr, &a) ? 0 :
		    -EBADMSG;
		store_kv_clear(&kv);
		if (rc)
			return diag_failv(d, rc, "reservation of VM %s is unreadable", rq->vm);
		if (rq->has_ip && !addr_eq(&a, &rq->ip))
			return diag_failv(d, -EINVAL, "VM %s is reserved at %s, not the requested "
			    "address", rq->vm, addr);
		want_vm = rq->vm;
	} else if (rq->has_ip) {
		a = rq->ip;
	}
	if (want_vm || rq->has_ip) {
		struct pool_state *pa = ipam_ps_by_addr(im, &a);

		addr_format(&a, ip, sizeof(ip));
		if (!pa)
			return diag_failv(d, -EADDRNOTAVAIL, "%s is in no pool", ip);
		if (ps && pa != ps)
			return diag_failv(d, -EADDRNOTAVAIL, "%s is not in pool %s", ip, ps->def.name);
		ps = pa;
	}
	/* idempotent ADD: the same container and interface get what they have */
	if (ipam_lookup(im, rq->cid, ifname, ps ? ps->def.name : NULL, out) == 0) {
		if ((want_vm || rq->has_ip) && !addr_eq(&out->ip, &a)) {
			addr_format(&out->ip, ip, sizeof(ip));
			return diag_failv(d, -EEXIST, "container %s already holds %s", rq->cid, ip);
		}
		return 0;
	}
	if (want_vm || rq->has_ip) {
		ipam_pool_offset(&ps->def, &a, &off);
		return alloc_exact(im, ps, off, rq, ifname, want_vm, out, d);
	}
	if (ps)
		return alloc_auto(im, ps, rq, ifname, out, d);
	if (im->npools == 0)
		return diag_failv(d, -ENOENT, "no pools defined");
	/* no pool named: cluster pools in order; legacy pools only by name/address */
	for (i = 0; i < im->npools; i++) {
		struct diag tmp;

		if (im->pools[i].def.kind != IPAM_POOL_CLUSTER)
			continue;
		diag_init(&tmp, NULL);
		rc = alloc_auto(im, &im->pools[i], rq, ifname, out, &tmp);
		if (rc != -ENOSPC) {
			if (rc && d)
				diag_failv(d, rc, "%s", tmp.msg);
			return rc;
		}
	}
	return diag_failv(d, -ENOSPC, "no cluster pool has a free address for node %s", rq->node);
}

