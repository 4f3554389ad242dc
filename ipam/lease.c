// SPDX-License-Identifier: MIT
/*
 * IPAM release, lease listing, reservations and garbage collection over lib/store.
 * Allocation and the state cache live in alloc.c; both share ipam_int.h.
 */
#include "ipam/ipam_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/diag.h"
#include "lib/store.h"

/* Delete the allocation at (ps, a) if it still is the one described by kv. */
static int
release_one(struct ipam *im, struct pool_state *ps, const struct addr *a,
    const struct store_kv *kv, const struct ipam_lease *le)
{
	char k_alloc[KEY_LEN], k_handle[KEY_LEN];
	struct store_cmp c;
	struct store_op ops[2];
	uint64_t off;
	int rc;

	if ((rc = ipam_key_alloc(k_alloc, ps, a)))
		return rc;
	c = (struct store_cmp){ k_alloc, STORE_CMP_VERSION, kv->version, NULL, 0 };
	ops[0] = (struct store_op){ STORE_OP_DELETE, k_alloc, NULL, 0 };
	if (le->cid[0] && le->ifname[0] && !ipam_key_handle(k_handle, le->cid, le->ifname, ps->def.name)) {
		ops[1] = (struct store_op){ STORE_OP_DELETE, k_handle, NULL, 0 };
		rc = store_txn(im->s, &c, 1, ops, 2);
	} else {
		rc = store_txn(im->s, &c, 1, ops, 1);
	}
	if (rc)
		return rc;
	if (!ipam_pool_offset(&ps->def, a, &off))
		ipam_cache_alloc(im, ps, off, 0, false);
	return 0;
}

int
ipam_release(struct ipam *im, const char *cid, const char *ifname, size_t *n, struct diag *d)
{
	struct store_list l = { 0 };
	char k[KEY_LEN];
	size_t i, dummy;
	int rc;

	if (!n)
		n = &dummy;
	*n = 0;
	if (!ipam_name_ok(cid, IPAM_CID_MAX) || (ifname && !ipam_name_ok(ifname, IPAM_IFNAME_MAX)))
		return diag_fail(d, "bad container id or interface name");
	rc = ifname ? store_key(k, sizeof(k), IPAM_KEY_ROOT "handle/%s/%s/", cid, ifname) :
	    store_key(k, sizeof(k), IPAM_KEY_ROOT "handle/%s/", cid);
	if (rc || (rc = store_list(im->s, k, &l)))
		return diag_failv(d, rc, "store: %s", strerror(-rc));
	for (i = 0; i < l.n; i++) {
		const char *pname = strrchr(l.kvs[i].key, '/') + 1;
		struct pool_state *ps = ipam_ps_by_name(im, pname);
		char ka[KEY_LEN];
		struct ipam_lease le;
		struct store_kv kv;
		struct addr a;

		memset(&le, 0, sizeof(le));
		if (ps && !addr_parse(l.kvs[i].value, &a) && !ipam_key_alloc(ka, ps, &a) &&
		    !store_get(im->s, ka, &kv)) {
			if (!ipam_lease_parse(kv.value, kv.value_len, &le) && !strcmp(le.cid, cid)) {
				rc = release_one(im, ps, &a, &kv, &le);
				store_kv_clear(&kv);
				if (rc && rc != -ECANCELED)
					break;
				*n += rc == 0;
				rc = 0;
				continue;
			}
			store_kv_clear(&kv);
		}
		/* a handle without its allocation: drop it */
		if ((rc = store_delete(im->s, l.kvs[i].key)))
			break;
	}
	store_list_free(&l);
	if (rc)
		return diag_failv(d, rc, "store: %s", strerror(-rc));
	return 0;
}

int
ipam_release_ip(struct ipam *im, const struct addr *a, struct diag *d)
{
	struct pool_state *ps = ipam_ps_by_addr(im, a);
	char k[KEY_LEN], ip[ADDR_STRLEN];
	struct ipam_lease le;
	struct store_kv kv;
	int rc;

	addr_format(a, ip, sizeof(ip));
	if (!ps)
		return diag_failv(d, -EADDRNOTAVAIL, "%s is in no pool", ip);
	if ((rc = ipam_key_alloc(k, ps, a)))
		return rc;
	rc = store_get(im->s, k, &kv);
	if (rc == -ENOENT)
		return diag_failv(d, -ENOENT, "%s is not allocated", ip);
	if (rc)
		return diag_failv(d, rc, "store: %s", strerror(-rc));
	memset(&le, 0, sizeof(le));
	ipam_lease_parse(kv.value, kv.value_len, &le);
	rc = release_one(im, ps, a, &kv, &le);
	store_kv_clear(&kv);
	if (rc == -ECANCELED)
		return diag_failv(d, -EAGAIN, "%s changed meanwhile, try again", ip);
	if (rc)
		return diag_failv(d, rc, "store: %s", strerror(-rc));
	return 0;
}

static int
lease_cmp(const void *x, const void *y)
{
	return addr_cmp(&((const struct ipam_lease *)x)->ip, &((const struct ipam_lease *)y)->ip);
}

int
ipam_leases(struct ipam *im, const char *pool, const char *node, struct ipam_lease **out,
    size_t *n)
{
	struct store_list l = { 0 };
	struct ipam_lease *v = NULL;
	char k[KEY_LEN];
	size_t i, cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = pool ? store_key(k, sizeof(k), IPAM_KEY_ROOT "alloc/%s/", pool) :
	    store_key(k, sizeof(k), IPAM_KEY_ROOT "alloc/");
	if (rc || (rc = store_list(im->s, k, &l)))
		return rc;
	if (l.n && !(v = calloc(l.n, sizeof(*v)))) {
		store_list_free(&l);
		return -ENOMEM;
	}
	for (i = 0; i < l.n; i++) {
		const char *tail, *rest = ipam_key_rest(l.kvs[i].key, IPAM_KEY_ROOT "alloc/");
		struct pool_state *ps = rest ? ipam_key_pool(im, rest, &tail) : NULL;
		struct ipam_lease *le = &v[cnt];
		struct addr a;

		if (!ps || addr_parse(tail, &a))
			continue;
		ipam_lease_fill_pool(le, ps, &a);
		if (ipam_lease_parse(l.kvs[i].value, l.kvs[i].value_len, le))
			snprintf(le->node, sizeof(le->node), "?");
		if (node && strcmp(node, le->node))
			continue;
		le->existing = true;
		cnt++;
	}
	store_list_free(&l);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), lease_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

/* ---- reservations ---------------------------------------------------------------- */

int
ipam_reserve(struct ipam *im, const char *vm, const struct addr *ip, struct diag *d)
{
	struct pool_state *ps = ipam_ps_by_addr(im, ip);
	char k_resv[KEY_LEN], k_ip[KEY_LEN], k_alloc[KEY_LEN], val[IPAM_NAME_MAX + ADDR_STRLEN + 2];
	char s[ADDR_STRLEN];
	struct store_cmp cmps[3];
	struct store_op ops[2];
	const char *why;
	struct store_kv kv;
	uint64_t off;
	int rc;

	addr_format(ip, s, sizeof(s));
	if (!ipam_name_ok(vm, IPAM_NAME_MAX) || strchr(vm, ' '))
		return diag_fail(d, "bad VM name '%s'", vm ? vm : "");
	if (!ps)
		return diag_failv(d, -EADDRNOTAVAIL, "%s is in no pool (define the segment as a "
		    "legacy pool first)", s);
	if ((why = ipam_pool_addr_static_reason(&ps->def, ip)))
		return diag_failv(d, -EADDRNOTAVAIL, "%s is %s of pool %s", s, why, ps->def.name);
	ipam_pool_offset(&ps->def, ip, &off);
	if ((rc = store_key(k_resv, sizeof(k_resv), IPAM_KEY_ROOT "resv/%s", vm)) ||
	    (rc = ipam_key_addr(k_ip, "resvip", ps->def.name, ip)) ||
	    (rc = ipam_key_alloc(k_alloc, ps, ip)))
		return rc;
	snprintf(val, sizeof(val), "%s %s", ps->def.name, s);
	cmps[0] = (struct store_cmp){ k_resv, STORE_CMP_ABSENT, 0, NULL, 0 };
	cmps[1] = (struct store_cmp){ k_ip, STORE_CMP_ABSENT, 0, NULL, 0 };
	cmps[2] = (struct store_cmp){ k_alloc, STORE_CMP_ABSENT, 0, NULL, 0 };
	ops[0] = (struct store_op){ STORE_OP_PUT, k_resv, val, strlen(val) };
	ops[1] = (struct store_op){ STORE_OP_PUT, k_ip, vm, strlen(vm) };
	rc = store_txn(im->s, cmps, 3, ops, 2);
	if (rc == -ECANCELED) {
		if (store_get(im->s, k_resv, &kv) == 0) {
			bool same = !strcmp(kv.value, val);

			rc = diag_failv(d, same ? 0 : -EEXIST, "VM %s is already reserved at %s",
			    vm, kv.value);
			store_kv_clear(&kv);
			return rc;
		}
		if (store_get(im->s, k_ip, &kv) == 0) {
			rc = diag_failv(d, -EEXIST, "%s is already reserved for VM %s", s, kv.value);
			store_kv_clear(&kv);
			return rc;
		}
		return diag_failv(d, -EADDRINUSE, "%s is allocated to a pod already", s);
	}
	if (rc)
		return diag_failv(d, rc, "store: %s", strerror(-rc));
	{
		enum adv_label old = ipam_label_of(im, ps, off);

		ipam_bit_set(ps->resv, off, true);
		ipam_bit_set(ps->blocked, off, true);
		ipam_adv_relabel(im, ps, off, old);
	}
	return 0;
}

int
ipam_unreserve(struct ipam *im, const char *vm, struct diag *d)
{
	char k_resv[KEY_LEN], k_ip[KEY_LEN], pname[IPAM_NAME_MAX], addr[ADDR_STRLEN];
	struct store_cmp c;
	struct store_op ops[2];
	struct pool_state *ps;
	struct store_kv kv;
	struct addr a;
	uint64_t off;
	int rc;

	if (!ipam_name_ok(vm, IPAM_NAME_MAX) ||
	    store_key(k_resv, sizeof(k_resv), IPAM_KEY_ROOT "resv/%s", vm))
		return diag_fail(d, "bad VM name");
	rc = store_get(im->s, k_resv, &kv);
	if (rc == -ENOENT)
		return diag_failv(d, -ENOENT, "no reservation for VM %s", vm);
	if (rc)
		return diag_failv(d, rc, "store: %s", strerror(-rc));
	rc = sscanf(kv.value, "%63s %45s", pname, addr) == 2 && !addr_parse(addr, &a) ? 0 : -1;
	c = (struct store_cmp){ k_resv, STORE_CMP_VERSION, kv.version, NULL, 0 };
	store_kv_clear(&kv);
	ops[0] = (struct store_op){ STORE_OP_DELETE, k_resv, NULL, 0 };
	ps = rc == 0 ? ipam_ps_by_name(im, pname) : NULL;
	if (ps && !ipam_key_addr(k_ip, "resvip", pname, &a)) {
		ops[1] = (struct store_op){ STORE_OP_DELETE, k_ip, NULL, 0 };
		rc = store_txn(im->s, &c, 1, ops, 2);
	} else {
		rc = store_txn(im->s, &c, 1, ops, 1);
	}
	if (rc)
		return diag_failv(d, rc == -ECANCELED ? -EAGAIN : rc, "store: %s", strerror(-rc));
	if (ps && !ipam_pool_offset(&ps->def, &a, &off)) {
		enum adv_label old = ipam_label_of(im, ps, off);

		ipam_bit_set(ps->resv, off, false);
		if (!ipam_bit_get(ps->live, off) && !ipam_pool_addr_static_reason(&ps->def, &a))
			ipam_bit_set(ps->blocked, off, false);
		ipam_adv_relabel(im, ps, off, old);
	}
	return 0;
}

int
ipam_reservations(struct ipam *im, struct ipam_reservation **out, size_t *n)
{
	struct store_list l = { 0 };
	struct ipam_reservation *v = NULL;
	size_t i, cnt = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_list(im->s, IPAM_KEY_ROOT "resv/", &l)))
		return rc;
	if (l.n && !(v = calloc(l.n, sizeof(*v)))) {
		store_list_free(&l);
		return -ENOMEM;
	}
	for (i = 0; i < l.n; i++) {
		char addr[ADDR_STRLEN];
		struct ipam_reservation *r = &v[cnt];

		if (sscanf(l.kvs[i].value, "%63s %45s", r->pool, addr) != 2 ||
		    addr_parse(addr, &r->ip))
			continue;
		snprintf(r->vm, sizeof(r->vm), "%s", l.kvs[i].key + strlen(IPAM_KEY_ROOT "resv/"));
		cnt++;
	}
	store_list_free(&l);
	*out = v;
	*n = cnt;
	return 0;
}

/* ---- garbage collection ------------------------------------------------------------ */

int
ipam_gc(struct ipam *im, const char *node, char *const *live_cids, size_t n_live,
    bool dry_run, size_t *released, struct diag *d)
{
	struct ipam_lease *v;
	size_t n, i, j;
	int rc;

	*released = 0;
	if (!ipam_name_ok(node, IPAM_NAME_MAX))
		return diag_fail(d, "bad node name");
	if ((rc = ipam_leases(im, NULL, node, &v, &n)))
		return diag_failv(d, rc, "store: %s", strerror(-rc));
	for (i = 0; i < n; i++) {
		for (j = 0; j < n_live; j++)
			if (!strcmp(live_cids[j], v[i].cid))
				break;
		if (j < n_live)
			continue;
		if (!dry_run) {
			struct diag tmp;

			diag_init(&tmp, NULL);
			rc = ipam_release_ip(im, &v[i].ip, &tmp);
			if (rc == -ENOENT || rc == -EAGAIN)
				continue;	/* released or changed meanwhile: not ours to judge */
			if (rc) {
				diag_failv(d, rc, "%s", tmp.msg);
				break;
			}
		}
		(*released)++;
		rc = 0;
	}
	free(v);
	return rc;
}
