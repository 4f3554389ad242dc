// SPDX-License-Identifier: MIT
/*
 * Adj-RIB-In, Loc-RIB and the decision process (see rib.h). Nets are found through one
 * open-addressing table per family keyed by (length, address) (see "the net index");
 * nets and paths come from slabs of fixed-size objects so that a route costs what its
 * fields need and no malloc header.
 * Attribute sets are interned in a second hash table keyed by their packed bytes (next
 * hop, then bgp_attrs_pack()). Every change recomputes the prefix's order with the RFC
 * 4271 §9.1.2.2 elimination steps (the MED rule is not a total order, so it is applied
 * to the whole candidate set, not pairwise) and tells the clients when the best path or
 * the ECMP set changed.
 */
#include <errno.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bgp/rib.h"

#define RIB_CLIENTS_MAX		64
#define SLAB_CHUNK		(64 * 1024)
#define HASH_MIN_BUCKETS	1024
#define PATHS_STACK		64

/* Fixed-size object allocator: objects never go back to the C library. */
struct slab {
	size_t		 objsize;
	void		*free;
	char		*chunk;
	size_t		 left;
	size_t		 inuse;
	size_t		 chunks;
};

/*
 * Nets of one family by id (index + 1, 0 = none; NTAB_ID_BITS wide so that an index
 * slot takes 4 bytes): chunks of NET_PER_CHUNK objects, never moved. Free nets are
 * chained through their first 4 bytes and keep family 0.
 */
#define NET_CHUNK_SHIFT		11
#define NET_PER_CHUNK		(1u << NET_CHUNK_SHIFT)
#define NET_SMALL_CHUNKS	128	/* 262,144 nets from malloc, then huge pages */
#define HUGE_PAGE		(2u << 20)

struct netslab {
	size_t		 objsize;
	char		**chunks;
	size_t		 nchunks, cap;
	/* Past NET_SMALL_CHUNKS chunks, chunks are carved from 2 MiB huge-page blocks
	 * (a full table would otherwise take one page fault per 4 KiB of nets). */
	char		**blocks;
	size_t		 nblocks;
	char		*block;		/* the block being carved */
	size_t		 block_left;
	uint32_t	 free;		/* id of the first free net, 0 = none */
	uint32_t	 fresh;		/* next never used index */
};

/*
 * The net index: per family, an open-addressing table of 4-byte slots in groups of
 * NTAB_GROUP (one 64-byte line). A slot is empty (0), a tombstone (NTAB_TOMB) or a net:
 * its id under an 8-bit tag taken from the key's hash. A lookup hashes to a group and
 * compares tags within the line, reading only a net whose tag matches, so a prefix
 * not yet known costs one line and no other prefix's net (a chained table reads the
 * chain's nets, each a cache miss in a full table). When a group has no empty slot the
 * probe goes on to the next group; it ends at the first group with an empty slot.
 */
#define NTAB_GROUP		16
#define NTAB_ID_BITS		24
#define NTAB_ID_MASK		((UINT32_C(1) << NTAB_ID_BITS) - 1)
#define NTAB_TOMB		UINT32_C(0xff000000)	/* a tag with id 0 */
#define NTAB_MIN_GROUPS		64

/*
 * The attribute set index: linear probing over (hash, set) pairs, at most 3/4 full.
 * The hash is kept beside the pointer so that a probe reads a set only when the hashes
 * match, and a rebuild or a deletion never reads one.
 */
struct aslot {
	struct rib_aset	*as;		/* NULL: empty */
	uint32_t	 hash;
};

struct ntab {
	uint32_t	*slots;		/* ngroups * NTAB_GROUP, line-aligned */
	size_t		 ngroups;	/* a power of two */
	size_t		 used;		/* nets + tombstones */
};

struct rib_peer {
	struct rib_peer_info	 info;
	bool			 used;
	size_t			 npaths;
	size_t			 nstale;
};

struct rib_client {
	const struct rib_client_ops	*ops;
	void				*arg;
};

struct rib {
	struct rib_conf		 conf;
	struct ntab		 nt[2];		/* IPv4, IPv6 */
	size_t			 nnets[2];
	struct aslot		*aslots;	/* the attribute set index */
	size_t			 naslots;	/* a power of two */
	size_t			 nasets;
	size_t			 npaths;
	size_t			 nstale;
	size_t			 mem_asets;
	struct buf_writer	 scratch;	/* packing buffer */
	uint32_t		 seq;
	struct netslab		 nets[2];	/* IPv4, IPv6 (fam_idx()) */
	struct slab		 slab_path;
	struct rib_peer		*peers;
	size_t			 npeers;	/* slots used (highest index + 1) */
	struct rib_client	 clients[RIB_CLIENTS_MAX];
	size_t			 nclients;
};

/* ---- slabs ---- */

static void
slab_init(struct slab *s, size_t objsize)
{
	memset(s, 0, sizeof(*s));
	s->objsize = (objsize + 7) & ~(size_t)7;
}

/* Chunks are chained through their first word so that slab_destroy() can free them. */
static void *
slab_alloc(struct slab *s)
{
	void *o;

	if (s->free) {
		o = s->free;
		s->free = *(void **)o;
		s->inuse++;
		return o;
	}
	if (s->left < s->objsize) {
		char *c = malloc(SLAB_CHUNK);

		if (!c)
			return NULL;
		*(char **)(void *)c = s->chunk;
		s->chunk = c;
		s->left = SLAB_CHUNK - sizeof(void *);
		s->chunks++;
	}
	o = s->chunk + (SLAB_CHUNK - s->left);
	s->left -= s->objsize;
	s->inuse++;
	return o;
}

static void
slab_release(struct slab *s, void *o)
{
	*(void **)o = s->free;
	s->free = o;
	s->inuse--;
}

static void
slab_destroy(struct slab *s)
{
	char *c = s->chunk;

	while (c) {
		char *next = *(char **)(void *)c;

		free(c);
		c = next;
	}
	memset(s, 0, sizeof(*s));
}

/* ---- nets by id ---- */

static struct rib_net *
netslab_ptr(const struct netslab *s, uint32_t id)
{
	uint32_t i = id - 1;

	return (struct rib_net *)(void *)(s->chunks[i >> NET_CHUNK_SHIFT] +
	    (size_t)(i & (NET_PER_CHUNK - 1)) * s->objsize);
}

static void
netslab_init(struct netslab *s, size_t objsize)
{
	memset(s, 0, sizeof(*s));
	s->objsize = (objsize + 7) & ~(size_t)7;
}

/*
 * Memory for one more chunk. A small table's chunks come from malloc, so that its
 * memory grows 64 KiB at a time; past NET_SMALL_CHUNKS they are carved from 2 MiB
 * blocks that ask for a transparent huge page (at most one block is partly used).
 */
static char *
netslab_chunk(struct netslab *s)
{
	size_t sz = NET_PER_CHUNK * s->objsize;
	char *c;

	if (s->nchunks < NET_SMALL_CHUNKS)
		return malloc(sz);
	if (s->block_left < sz) {
		char **nb = realloc(s->blocks, (s->nblocks + 1) * sizeof(*nb));
		char *b;

		if (!nb)
			return NULL;
		s->blocks = nb;
		if (!(b = aligned_alloc(HUGE_PAGE, HUGE_PAGE)))
			return NULL;
		(void)madvise(b, HUGE_PAGE, MADV_HUGEPAGE);
		s->blocks[s->nblocks++] = b;
		s->block = b;
		s->block_left = HUGE_PAGE;
	}
	c = s->block + (HUGE_PAGE - s->block_left);
	s->block_left -= sz;
	return c;
}

/* A net's id, or 0 without memory or ids (NTAB_ID_MASK nets per family). */
static uint32_t
netslab_alloc(struct netslab *s)
{
	uint32_t id;

	if (s->free) {
		id = s->free;
		memcpy(&s->free, netslab_ptr(s, id), sizeof(s->free));
		return id;
	}
	if (s->fresh >= NTAB_ID_MASK)
		return 0;
	if ((s->fresh >> NET_CHUNK_SHIFT) >= s->nchunks) {
		char *c;

		if (s->nchunks == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			char **nc = realloc(s->chunks, cap * sizeof(*nc));

			if (!nc)
				return 0;
			s->chunks = nc;
			s->cap = cap;
		}
		c = netslab_chunk(s);
		if (!c)
			return 0;
		s->chunks[s->nchunks++] = c;
	}
	return ++s->fresh;
}

/* A released net keeps family 0, which tells the slab walks to skip it. */
static void
netslab_release(struct netslab *s, uint32_t id)
{
	struct rib_net *n = netslab_ptr(s, id);

	n->family = 0;
	memcpy(n, &s->free, sizeof(s->free));
	s->free = id;
}

static void
netslab_destroy(struct netslab *s)
{
	for (size_t i = 0; i < s->nchunks && i < NET_SMALL_CHUNKS; i++)
		free(s->chunks[i]);
	for (size_t i = 0; i < s->nblocks; i++)
		free(s->blocks[i]);
	free(s->chunks);
	free(s->blocks);
	memset(s, 0, sizeof(*s));
}

static int
ntab_init(struct ntab *t, size_t ngroups)
{
	size_t sz = ngroups * NTAB_GROUP * sizeof(uint32_t);

	/* a full table's index is megabytes probed at random: ask for huge pages so
	 * that the probes do not also miss the TLB */
	t->slots = aligned_alloc(sz >= HUGE_PAGE ? HUGE_PAGE : 64, sz);
	if (!t->slots)
		return -ENOMEM;
	if (sz >= HUGE_PAGE)
		(void)madvise(t->slots, sz, MADV_HUGEPAGE);
	memset(t->slots, 0, sz);
	t->ngroups = ngroups;
	t->used = 0;
	return 0;
}

/* ---- hashing ---- */

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

static size_t
addr_width(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* A net's hash (the prefix is normalized): the low bits pick the index group, the top
 * 8 bits are the slot tag. */
static uint64_t
net_key_hash(int family, unsigned len, const uint8_t *addr)
{
	uint64_t h = (uint64_t)family << 8 | len;
	size_t w = addr_width(family);

	for (size_t i = 0; i < w; i += 4) {
		uint32_t v;

		memcpy(&v, addr + i, sizeof(v));
		h = mix64(h ^ ((uint64_t)v << 16));
	}
	return h;
}

static int
fam_idx(int family)
{
	return family == AF_INET6;
}

/* ---- construction ---- */

struct rib *
rib_new(const struct rib_conf *conf)
{
	struct rib *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->conf = *conf;
	if (r->conf.ecmp_max == 0)
		r->conf.ecmp_max = 1;
	if (r->conf.ecmp_max > RIB_ECMP_MAX)
		r->conf.ecmp_max = RIB_ECMP_MAX;
	/* The address is the flexible tail: no padding of sizeof() before it. */
	netslab_init(&r->nets[0], offsetof(struct rib_net, addr) + 4);
	netslab_init(&r->nets[1], offsetof(struct rib_net, addr) + 16);
	slab_init(&r->slab_path, sizeof(struct rib_path));
	r->naslots = HASH_MIN_BUCKETS;
	r->aslots = calloc(r->naslots, sizeof(*r->aslots));
	r->peers = calloc(1, sizeof(*r->peers));
	bw_init_dyn(&r->scratch, 0);
	if (ntab_init(&r->nt[0], NTAB_MIN_GROUPS) != 0 ||
	    ntab_init(&r->nt[1], NTAB_MIN_GROUPS) != 0 || !r->aslots || !r->peers) {
		rib_free(r);
		errno = ENOMEM;
		return NULL;
	}
	r->npeers = 1;
	r->peers[0].used = true;
	r->peers[0].info.asn = conf->local_as;
	r->peers[0].info.router_id = conf->router_id;
	strcpy(r->peers[0].info.name, "local");
	return r;
}

/*
 * An interned set is one allocation: the fixed fields, the next hop in its minimal
 * width, then the packed attributes.
 */
static size_t
aset_nh_len(int family, bool has_ll)
{
	return (family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0) + (has_ll ? 16 : 0);
}

size_t
rib_aset_size(const struct rib_aset *as)
{
	return offsetof(struct rib_aset, data) +
	    aset_nh_len(as->nh_family, as->flags & RIB_ASET_NH_LL) + as->attrs_len;
}

static void
aset_destroy(struct rib *r, struct rib_aset *as)
{
	r->mem_asets -= rib_aset_size(as);
	free(as);
}

void
rib_aset_nexthop(const struct rib_aset *as, struct bgp_nexthop *nh)
{
	size_t w = aset_nh_len(as->nh_family, false);

	memset(nh, 0, sizeof(*nh));
	if (as->nh_family) {
		nh->global.family = as->nh_family;
		memcpy(nh->global.bytes, as->data, w);
	}
	if (as->flags & RIB_ASET_NH_LL) {
		nh->has_ll = true;
		nh->ll.family = AF_INET6;
		memcpy(nh->ll.bytes, as->data + w, 16);
	}
}

int
rib_aset_attrs(const struct rib_aset *as, struct bgp_attrs *out)
{
	size_t off = aset_nh_len(as->nh_family, as->flags & RIB_ASET_NH_LL);

	return bgp_attrs_unpack(as->data + off, as->attrs_len, out);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__) || \
    defined(CUTOVER_FUZZ)
/* Sanitizer builds (every test): a packed form handed in must be bgp_attrs_pack()'s. */
static void
packed_check(const struct bgp_attrs *a, const uint8_t *packed, size_t len)
{
	if (!bgp_attrs_packs_to(a, packed, len)) {
		fprintf(stderr, "rib: packed attributes handed in (%zu octets) are not what "
		    "bgp_attrs_pack() writes\n", len);
		abort();
	}
}
#else
static inline void
packed_check(const struct bgp_attrs *a, const uint8_t *packed, size_t len)
{
	(void)a;
	(void)packed;
	(void)len;
}
#endif

/*
 * Next hop bytes then packed attributes into r->scratch: the set's identity. packed
 * (len octets), when not NULL, is a's packed form already.
 */
static int
aset_key(struct rib *r, const struct bgp_attrs *a, const struct bgp_nexthop *nh,
    const uint8_t *packed, size_t len)
{
	struct buf_writer *bw = &r->scratch;
	size_t nhl = aset_nh_len(nh->global.family, nh->has_ll);

	bw_reset(bw);
	if (nh->global.family == AF_INET || nh->global.family == AF_INET6)
		bw_bytes(bw, nh->global.bytes, aset_nh_len(nh->global.family, false));
	if (nh->has_ll)
		bw_bytes(bw, nh->ll.bytes, 16);
	if (packed) {
		packed_check(a, packed, len);
		bw_bytes(bw, packed, len);
	} else {
		bgp_attrs_pack(a, bw);
	}
	if (bw_error(bw))
		return bw_error(bw) == -ENOMEM ? -ENOMEM : -E2BIG;	/* an attribute too long */
	return bw->len - nhl > UINT16_MAX ? -E2BIG : 0;
}

static uint64_t
bytes_hash(const uint8_t *p, size_t n)
{
	uint64_t h = n;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t v;

		memcpy(&v, p + i, sizeof(v));
		h = mix64(h ^ v);
	}
	if (i < n) {
		uint64_t v = 0;

		memcpy(&v, p + i, n - i);
		h = mix64(h ^ v ^ UINT64_C(0x5bd1e995));
	}
	return h;
}

static bool
aset_is(const struct rib_aset *as, uint32_t h, int nh_family, bool has_ll, const uint8_t *key,
    size_t len)
{
	return as->hash == h && as->nh_family == nh_family &&
	    !(as->flags & RIB_ASET_NH_LL) == !has_ll &&
	    aset_nh_len(nh_family, has_ll) + as->attrs_len == len &&
	    (len == 0 || memcmp(as->data, key, len) == 0);
}

static uint16_t
sat16(size_t v)
{
	return v > UINT16_MAX ? UINT16_MAX : (uint16_t)v;
}

/* A new set from the key in r->scratch; what the decision process reads comes from a. */
static struct rib_aset *
aset_create(struct rib *r, const struct bgp_attrs *a, const struct bgp_nexthop *nh, uint32_t h)
{
	const struct buf_writer *bw = &r->scratch;
	size_t nhl = aset_nh_len(nh->global.family, nh->has_ll);
	struct rib_aset *as = malloc(offsetof(struct rib_aset, data) + bw->len);

	if (!as)
		return NULL;
	memset(as, 0, offsetof(struct rib_aset, data));
	if (bw->len)
		memcpy(as->data, bw->data, bw->len);
	as->hash = h;
	as->refcnt = 1;
	as->attrs_len = (uint16_t)(bw->len - nhl);
	as->nh_family = (uint8_t)nh->global.family;
	if (nh->has_ll)
		as->flags |= RIB_ASET_NH_LL;
	as->origin = a->origin;
	as->local_pref = RIB_LOCAL_PREF_DEFAULT;
	if (bgp_attrs_has(a, BGP_ATTR_LOCAL_PREF)) {
		as->flags |= RIB_ASET_LOCAL_PREF;
		as->local_pref = a->local_pref;
	}
	if (bgp_attrs_has(a, BGP_ATTR_MED)) {
		as->flags |= RIB_ASET_MED;
		as->med = a->med;
	}
	if (bgp_attrs_has(a, BGP_ATTR_ORIGINATOR_ID)) {
		as->flags |= RIB_ASET_ORIGINATOR;
		as->originator_id = a->originator_id;
	}
	if (bgp_attrs_has_community(a, BGP_COMM_NO_ADVERTISE))
		as->flags |= RIB_ASET_NO_ADVERTISE;
	if (bgp_attrs_has_community(a, BGP_COMM_NO_EXPORT))
		as->flags |= RIB_ASET_NO_EXPORT;
	as->neighbor_as = bgp_as_path_first(&a->as_path);
	as->path_len = sat16(bgp_as_path_length(&a->as_path));
	as->ncluster = sat16(bgp_attrs_has(a, BGP_ATTR_CLUSTER_LIST) ? a->ncluster : 0);
	r->mem_asets += rib_aset_size(as);
	return as;
}

void
rib_free(struct rib *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->aslots && i < r->naslots; i++)
		if (r->aslots[i].as)
			aset_destroy(r, r->aslots[i].as);
	free(r->aslots);
	free(r->nt[0].slots);
	free(r->nt[1].slots);
	bw_free(&r->scratch);
	netslab_destroy(&r->nets[0]);
	netslab_destroy(&r->nets[1]);
	slab_destroy(&r->slab_path);
	free(r->peers);
	free(r);
}

const struct rib_conf *
rib_conf_get(const struct rib *r)
{
	return &r->conf;
}

/* ---- peers and clients ---- */

int
rib_peer_add(struct rib *r, const struct rib_peer_info *info)
{
	size_t i;

	for (i = 1; i < r->npeers; i++)
		if (!r->peers[i].used)
			break;
	if (i == r->npeers) {
		struct rib_peer *np;

		if (r->npeers >= RIB_PEERS_MAX)
			return -ENOSPC;
		np = realloc(r->peers, (r->npeers + 1) * sizeof(*np));
		if (!np)
			return -ENOMEM;
		r->peers = np;
		r->npeers++;
	}
	memset(&r->peers[i], 0, sizeof(r->peers[i]));
	r->peers[i].used = true;
	r->peers[i].info = *info;
	return (int)i;
}

void
rib_peer_set(struct rib *r, uint16_t peer, const struct rib_peer_info *info)
{
	if (peer < r->npeers && r->peers[peer].used)
		r->peers[peer].info = *info;
}

const struct rib_peer_info *
rib_peer_get(const struct rib *r, uint16_t peer)
{
	if (peer >= r->npeers || !r->peers[peer].used)
		return NULL;
	return &r->peers[peer].info;
}

size_t
rib_peer_npaths(const struct rib *r, uint16_t peer)
{
	return peer < r->npeers ? r->peers[peer].npaths : 0;
}

int
rib_client_add(struct rib *r, const struct rib_client_ops *ops, void *arg)
{
	if (r->nclients >= RIB_CLIENTS_MAX)
		return -ENOSPC;
	r->clients[r->nclients].ops = ops;
	r->clients[r->nclients].arg = arg;
	r->nclients++;
	return 0;
}

void
rib_client_del(struct rib *r, const struct rib_client_ops *ops, void *arg)
{
	for (size_t i = 0; i < r->nclients; i++) {
		if (r->clients[i].ops == ops && r->clients[i].arg == arg) {
			memmove(&r->clients[i], &r->clients[i + 1],
			    (r->nclients - i - 1) * sizeof(r->clients[0]));
			r->nclients--;
			return;
		}
	}
}

/* ---- interning ---- */

static int
aset_rehash(struct rib *r)
{
	size_t n = r->naslots * 2;
	struct aslot *ns = calloc(n, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < r->naslots; i++) {
		size_t j;

		if (!r->aslots[i].as)
			continue;
		for (j = r->aslots[i].hash & (n - 1); ns[j].as; j = (j + 1) & (n - 1))
			;
		ns[j] = r->aslots[i];
	}
	free(r->aslots);
	r->aslots = ns;
	r->naslots = n;
	return 0;
}

struct rib_aset *
rib_aset_intern(struct rib *r, const struct bgp_attrs *a, const struct bgp_nexthop *nh)
{
	return rib_aset_intern_packed(r, a, nh, NULL, 0);
}

struct rib_aset *
rib_aset_intern_packed(struct rib *r, const struct bgp_attrs *a, const struct bgp_nexthop *nh,
    const uint8_t *packed, size_t len)
{
	static const struct bgp_nexthop none;
	struct rib_aset *as;
	size_t i, mask;
	uint32_t h;
	int rc;

	if (!nh)
		nh = &none;
	if ((rc = aset_key(r, a, nh, packed, len)) != 0) {
		errno = -rc;
		return NULL;
	}
	h = (uint32_t)bytes_hash(r->scratch.data, r->scratch.len);
	if ((r->nasets + 1) * 4 > r->naslots * 3 && aset_rehash(r) != 0 &&
	    r->nasets + 2 > r->naslots) {
		errno = ENOMEM;		/* fuller than 3/4 is only slower, full is not possible */
		return NULL;
	}
	mask = r->naslots - 1;
	for (i = h & mask; r->aslots[i].as; i = (i + 1) & mask) {
		as = r->aslots[i].as;
		if (r->aslots[i].hash == h && aset_is(as, h, nh->global.family, nh->has_ll,
		    r->scratch.data, r->scratch.len)) {
			as->refcnt++;
			return as;
		}
	}
	if (!(as = aset_create(r, a, nh, h))) {
		errno = ENOMEM;
		return NULL;
	}
	r->aslots[i].as = as;
	r->aslots[i].hash = h;
	r->nasets++;
	return as;
}

struct rib_aset *
rib_aset_ref(struct rib_aset *as)
{
	as->refcnt++;
	return as;
}

void
rib_aset_unref(struct rib *r, struct rib_aset *as)
{
	size_t i, j, mask = r->naslots - 1;

	if (!as)
		return;
	if (--as->refcnt > 0)
		return;
	for (i = as->hash & mask; r->aslots[i].as && r->aslots[i].as != as; i = (i + 1) & mask)
		;
	if (r->aslots[i].as) {
		/* Backward shift: a later entry of the run moves into the hole unless its
		 * home lies cyclically after the hole (then it is already reachable). */
		r->aslots[i].as = NULL;
		for (j = (i + 1) & mask; r->aslots[j].as; j = (j + 1) & mask) {
			size_t home = r->aslots[j].hash & mask;

			if (((j - home) & mask) >= ((j - i) & mask)) {
				r->aslots[i] = r->aslots[j];
				r->aslots[j].as = NULL;
				i = j;
			}
		}
		r->nasets--;
	}
	aset_destroy(r, as);
}

/* ---- nets ---- */

static bool
net_match(const struct rib_net *n, int family, unsigned len, const uint8_t *addr)
{
	uint32_t x, y;

	if (n->family != family || n->len != len)
		return false;
	if (family == AF_INET6)
		return memcmp(n->addr, addr, 16) == 0;
	memcpy(&x, n->addr, sizeof(x));	/* one 32-bit compare instead of a memcmp call */
	memcpy(&y, addr, sizeof(y));
	return x == y;
}

void
rib_net_prefix(const struct rib_net *n, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->addr.family = n->family;
	memcpy(p->addr.bytes, n->addr, addr_width(n->family));
	p->len = n->len;
}

static bool
prefix_ok(const struct prefix *p)
{
	return (p->addr.family == AF_INET && p->len <= ADDR_V4_BITS) ||
	    (p->addr.family == AF_INET6 && p->len <= ADDR_V6_BITS);
}

static uint32_t
slot_make(uint64_t h, uint32_t id)
{
	return (uint32_t)(h >> 56) << NTAB_ID_BITS | id;
}

static uint32_t *
ntab_group(const struct ntab *t, size_t g)
{
	return t->slots + (g & (t->ngroups - 1)) * NTAB_GROUP;
}

/*
 * Slot masks of a group (bit i = slot i): ntab_match() those whose tag is tag (their
 * id may be 0: an empty slot or a tombstone with that tag), ntab_empty() the empty ones.
 */
#ifdef __SSE2__
static inline unsigned
mask4(const uint32_t *grp, unsigned i, __m128i and, __m128i want)
{
	__m128i v = _mm_load_si128((const __m128i *)(const void *)(grp + 4 * i));

	return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(
	    _mm_cmpeq_epi32(_mm_and_si128(v, and), want)));
}

static inline unsigned
ntab_match(const uint32_t *grp, uint32_t tag)
{
	const __m128i want = _mm_set1_epi32((int)(tag << NTAB_ID_BITS));
	const __m128i hi = _mm_set1_epi32((int)~NTAB_ID_MASK);

	return mask4(grp, 0, hi, want) | mask4(grp, 1, hi, want) << 4 |
	    mask4(grp, 2, hi, want) << 8 | mask4(grp, 3, hi, want) << 12;
}

static inline unsigned
ntab_empty(const uint32_t *grp)
{
	const __m128i ones = _mm_set1_epi32(-1), zero = _mm_setzero_si128();

	return mask4(grp, 0, ones, zero) | mask4(grp, 1, ones, zero) << 4 |
	    mask4(grp, 2, ones, zero) << 8 | mask4(grp, 3, ones, zero) << 12;
}
#else
static inline unsigned
ntab_match(const uint32_t *grp, uint32_t tag)
{
	unsigned m = 0;

	for (unsigned i = 0; i < NTAB_GROUP; i++)
		m |= (unsigned)(grp[i] >> NTAB_ID_BITS == tag) << i;
	return m;
}

static inline unsigned
ntab_empty(const uint32_t *grp)
{
	unsigned m = 0;

	for (unsigned i = 0; i < NTAB_GROUP; i++)
		m |= (unsigned)(grp[i] == 0) << i;
	return m;
}
#endif

/*
 * The slot of the net with key (family, len, addr) and hash h, or NULL; *ins (when not
 * NULL) gets where the key would go: the first tombstone or empty slot on its probe.
 */
static uint32_t *
ntab_find(const struct rib *r, int family, unsigned len, const uint8_t *addr, uint64_t h,
    uint32_t **ins)
{
	const struct ntab *t = &r->nt[fam_idx(family)];
	const struct netslab *s = &r->nets[fam_idx(family)];
	uint32_t tag = (uint32_t)(h >> 56);

	if (ins)
		*ins = NULL;
	for (size_t g = h, probes = 0; probes < t->ngroups; g++, probes++) {
		uint32_t *grp = ntab_group(t, g);
		unsigned empty;

		for (unsigned c = ntab_match(grp, tag); c; c &= c - 1) {
			uint32_t v = grp[__builtin_ctz(c)];

			if ((v & NTAB_ID_MASK) &&
			    net_match(netslab_ptr(s, v & NTAB_ID_MASK), family, len, addr))
				return &grp[__builtin_ctz(c)];
		}
		empty = ntab_empty(grp);
		if (ins && !*ins) {
			unsigned freeable = empty;

			if (t->used != r->nnets[fam_idx(family)])	/* there are tombstones */
				for (unsigned i = 0; i < NTAB_GROUP; i++)
					freeable |= (unsigned)(grp[i] == NTAB_TOMB) << i;
			if (freeable)
				*ins = &grp[__builtin_ctz(freeable)];
		}
		if (empty)
			break;
	}
	return NULL;
}

/*
 * Put every live net of s (in allocation order: the slab streams) into the empty table
 * t, NTAB_FILL_BATCH at a time: their hashes first, each target line fetched, then the
 * placements. fill[] counts the slots taken per group (the new table only fills up, so
 * a group's next free slot is its count): a placement is a store, not a scan.
 * Returns -ENOMEM when fill[] cannot be had.
 */
#define NTAB_FILL_BATCH		32

static int
ntab_fill(struct ntab *t, const struct netslab *s)
{
	uint8_t *fill = calloc(t->ngroups, 1);
	uint64_t hs[NTAB_FILL_BATCH];
	uint32_t ids[NTAB_FILL_BATCH];
	size_t mask = t->ngroups - 1;

	if (!fill)
		return -ENOMEM;
	for (uint32_t base = 0; base < s->fresh; base += NTAB_FILL_BATCH) {
		uint32_t end = s->fresh - base < NTAB_FILL_BATCH ? s->fresh : base + NTAB_FILL_BATCH;
		unsigned k = 0;

		for (uint32_t i = base; i < end; i++) {
			const struct rib_net *x = netslab_ptr(s, i + 1);

			if (x->family == 0)
				continue;	/* on the free list */
			hs[k] = net_key_hash(x->family, x->len, x->addr);
			ids[k] = i + 1;
			__builtin_prefetch(ntab_group(t, hs[k]), 1);
			k++;
		}
		for (unsigned j = 0; j < k; j++) {
			size_t g = hs[j] & mask;

			while (fill[g] == NTAB_GROUP)
				g = (g + 1) & mask;
			t->slots[g * NTAB_GROUP + fill[g]++] = slot_make(hs[j], ids[j]);
		}
		t->used += k;
	}
	free(fill);
	return 0;
}

/* Whether family f's index must be rebuilt before `more` slots are taken. */
static bool
ntab_full(const struct ntab *t, size_t more)
{
	return (t->used + more) * 8 > t->ngroups * NTAB_GROUP * 7;
}

/*
 * Rebuild family f's index when 7/8 of its slots are used: at twice the size, or at
 * the same size when tombstones, not nets, filled it. The nets are visited in memory
 * order, which streams, rather than by slot.
 */
static int
ntab_grow(struct rib *r, int f)
{
	struct ntab *t = &r->nt[f], nt;
	size_t cap = t->ngroups * NTAB_GROUP, n = t->ngroups;

	if (r->nnets[f] * 4 >= cap)
		n *= 2;
	if (ntab_init(&nt, n) != 0)
		return -ENOMEM;
	if (ntab_fill(&nt, &r->nets[f]) != 0) {
		free(nt.slots);
		return -ENOMEM;
	}
	free(t->slots);
	*t = nt;
	return 0;
}

static uint64_t
prefix_hash(const struct prefix *p)
{
	return net_key_hash(p->addr.family, p->len, p->addr.bytes);
}

/*
 * Fetch into the cache the index line of the key with hash h (net false), or, once that
 * line is there, the net its tag points at (net true). Always inlined: as a function of
 * its own gcc finds it free of side effects (a prefetch does not count) and deletes
 * every call.
 */
static inline __attribute__((always_inline)) void
prefetch_hashed(const struct rib *r, int family, uint64_t h, bool net)
{
	const uint32_t *grp = ntab_group(&r->nt[fam_idx(family)], h);

	if (!net) {
		__builtin_prefetch(grp);
		return;
	}
	for (unsigned m = ntab_match(grp, (uint32_t)(h >> 56)); m; m &= m - 1) {
		uint32_t id = grp[__builtin_ctz(m)] & NTAB_ID_MASK;

		if (id) {
			__builtin_prefetch(netslab_ptr(&r->nets[fam_idx(family)], id));
			return;
		}
	}
}

static inline __attribute__((always_inline)) void
prefetch_one(const struct rib *r, const struct prefix *p, bool net)
{
	if (p->addr.family == AF_INET || p->addr.family == AF_INET6)
		prefetch_hashed(r, p->addr.family, prefix_hash(p), net);
}

/* How far ahead the index line, then the net, is fetched. */
#define PREFETCH_GROUP		16	/* a power of two (the ring below) */
#define PREFETCH_NET		8

void
rib_prefetch(const struct rib *r, const struct prefix *p, size_t n, size_t i)
{
	if (i == 0) {
		/* everything the first prefixes need is asked for at once, so that a
		 * short UPDATE waits for memory about once, not once per prefix */
		for (size_t j = 0; j < n && j <= PREFETCH_GROUP; j++)
			prefetch_one(r, &p[j], false);
		for (size_t j = 0; j < n && j <= PREFETCH_NET; j++)
			prefetch_one(r, &p[j], true);
		return;
	}
	if (i + PREFETCH_GROUP < n)
		prefetch_one(r, &p[i + PREFETCH_GROUP], false);
	if (i + PREFETCH_NET < n)
		prefetch_one(r, &p[i + PREFETCH_NET], true);
}

/* The net of p (valid and normalized) with hash h, or NULL; ins as in ntab_find(). */
static struct rib_net *
net_find(const struct rib *r, const struct prefix *p, uint64_t h, uint32_t **ins)
{
	uint32_t *s = ntab_find(r, p->addr.family, p->len, p->addr.bytes, h, ins);

	return s ? netslab_ptr(&r->nets[fam_idx(p->addr.family)], *s & NTAB_ID_MASK) : NULL;
}

const struct rib_net *
rib_net_get(const struct rib *r, const struct prefix *p)
{
	struct prefix q = *p;

	if (!prefix_ok(&q))
		return NULL;
	prefix_normalize(&q);
	return net_find(r, &q, prefix_hash(&q), NULL);
}

/*
 * A new net for p, which net_find() did not find, with hash h and the free slot ins
 * it reported; NULL without memory or without ids.
 */
static struct rib_net *
net_create(struct rib *r, const struct prefix *p, uint64_t h, uint32_t *ins)
{
	int f = fam_idx(p->addr.family);
	struct netslab *s = &r->nets[f];
	struct ntab *t = &r->nt[f];
	uint32_t id;
	struct rib_net *n;

	if (!ins || ntab_full(t, *ins == 0)) {
		if (ntab_grow(r, f) != 0)
			return NULL;
		(void)ntab_find(r, p->addr.family, p->len, p->addr.bytes, h, &ins);
	}
	if (!ins || !(id = netslab_alloc(s)))
		return NULL;
	n = netslab_ptr(s, id);
	n->family = p->addr.family;
	n->len = p->len;
	memcpy(n->addr, p->addr.bytes, addr_width(p->addr.family));
	if (*ins == 0)
		r->nt[f].used++;
	*ins = slot_make(h, id);
	r->nnets[f]++;
	return n;
}

/*
 * Remove n from the index and free it. A group that still has an
 * empty slot was never full, so no probe went past it and the slot can be emptied;
 * otherwise it becomes a tombstone until the next rebuild.
 */
static void
net_destroy(struct rib *r, struct rib_net *n)
{
	int f = fam_idx(n->family);
	struct ntab *t = &r->nt[f];
	uint32_t *slot = ntab_find(r, n->family, n->len, n->addr,
	    net_key_hash(n->family, n->len, n->addr), NULL);
	uint32_t *grp, id;

	if (!slot)
		return;	/* not indexed: cannot happen */
	grp = t->slots + (size_t)(slot - t->slots) / NTAB_GROUP * NTAB_GROUP;
	id = *slot & NTAB_ID_MASK;
	if (ntab_empty(grp)) {
		*slot = 0;
		t->used--;
	} else {
		*slot = NTAB_TOMB;
	}
	r->nnets[f]--;
	netslab_release(&r->nets[f], id);
}

/* Every live net of family (0: both) in allocation order; stops at cb's first non-zero. */
static int
nets_walk(const struct rib *r, int family, int (*cb)(struct rib_net *, void *), void *arg)
{
	for (int f = 0; f < 2; f++) {
		const struct netslab *s = &r->nets[f];

		if (family && fam_idx(family) != f)
			continue;
		for (uint32_t i = 0; i < s->fresh; i++) {
			struct rib_net *n = netslab_ptr(s, i + 1);
			int rc;

			if (n->family == 0)
				continue;
			if ((rc = cb(n, arg)) != 0)
				return rc;
		}
	}
	return 0;
}

/* ---- decision process ---- */

uint32_t
rib_path_local_pref(const struct rib_path *p)
{
	return p->aset->local_pref;
}

/* RFC 4271 §9.1.2.2 c): a missing MED is the lowest possible value (stored as 0). */
static uint32_t
path_med(const struct rib_path *p)
{
	return p->aset->med;
}

/* RFC 4271 §9.1.2.2 c): the neighbouring AS is the leftmost AS of AS_PATH; a path
 * without one (originated inside our AS) counts as ours. */
static uint32_t
path_neighbor_as(const struct rib *r, const struct rib_path *p)
{
	uint32_t as = p->aset->neighbor_as;

	return as ? as : r->conf.local_as;
}

static bool
path_ebgp(const struct rib *r, const struct rib_path *p)
{
	return p->peer != RIB_PEER_LOCAL && r->peers[p->peer].info.ebgp;
}

/* RFC 4456 §9: ORIGINATOR_ID stands for the router id when present. */
static uint32_t
path_router_id(const struct rib *r, const struct rib_path *p)
{
	if (p->aset->flags & RIB_ASET_ORIGINATOR)
		return p->aset->originator_id;
	return r->peers[p->peer].info.router_id;
}

#define CMP(x, y)	((x) < (y) ? -1 : (x) > (y) ? 1 : 0)

/* Steps that define a total preorder: local origin, LOCAL_PREF, AS_PATH length, ORIGIN. */
static int
cmp_pre_med(const struct rib_path *a, const struct rib_path *b)
{
	int c;

	/* Locally originated routes first (what other daemons call weight/preference). */
	if ((c = CMP(a->peer != RIB_PEER_LOCAL, b->peer != RIB_PEER_LOCAL)) != 0)
		return c;
	if ((c = CMP(rib_path_local_pref(b), rib_path_local_pref(a))) != 0)
		return c;
	if ((c = CMP(a->aset->path_len, b->aset->path_len)) != 0)
		return c;
	return CMP(a->aset->origin, b->aset->origin);
}

/* RFC 4271 §9.1.2.2 f)-g) and RFC 4456 §9 tie-breaks. */
static int
cmp_tiebreak(const struct rib *r, const struct rib_path *a, const struct rib_path *b)
{
	int c;

	if ((c = CMP(path_router_id(r, a), path_router_id(r, b))) != 0)
		return c;
	if ((c = CMP(a->aset->ncluster, b->aset->ncluster)) != 0)
		return c;
	if ((c = addr_cmp(&r->peers[a->peer].info.addr, &r->peers[b->peer].info.addr)) != 0)
		return c;
	return CMP(a->peer, b->peer);
}

int
rib_path_cmp(const struct rib *r, const struct rib_path *a, const struct rib_path *b,
    bool with_tiebreak)
{
	int c;

	if ((c = cmp_pre_med(a, b)) != 0)
		return c;
	if (r->conf.always_compare_med || path_neighbor_as(r, a) == path_neighbor_as(r, b))
		if ((c = CMP(path_med(a), path_med(b))) != 0)
			return c;
	if ((c = CMP(!path_ebgp(r, a), !path_ebgp(r, b))) != 0)
		return c;
	return with_tiebreak ? cmp_tiebreak(r, a, b) : 0;
}

/*
 * Order the paths of n: best first, then the other ECMP members, then the rest (by
 * pairwise preference, which is only cosmetic there). Sets the BEST/MULTIPATH flags.
 */
static void
net_decide(struct rib *r, struct rib_net *n)
{
	struct rib_path *stack[2 * PATHS_STACK], **v = stack, **phys, *p;
	struct rib_path tstack[PATHS_STACK], *tmp = tstack;
	size_t np = 0, ncand, i, j;
	bool moved = false;

	for (p = n->paths; p; p = p->next)
		np++;
	if (np == 0)
		return;
	if (np == 1) {
		/* The common case of a full table from one peer: nothing to compare. */
		n->paths->flags = (uint16_t)((n->paths->flags & ~(RIB_PATH_BEST |
		    RIB_PATH_MULTIPATH)) | RIB_PATH_BEST | RIB_PATH_MULTIPATH);
		return;
	}
	if (np > PATHS_STACK) {
		v = malloc(np * (2 * sizeof(*v) + sizeof(*tmp)));
		if (!v) {
			/* WARNING: without memory the order stays as it was (still valid). */
			return;
		}
		tmp = (struct rib_path *)(void *)(v + 2 * np);
	}
	phys = v + np;	/* the nodes in list order: the first one is inside the net */
	for (i = 0, p = n->paths; p; p = p->next, i++)
		v[i] = phys[i] = p;

	/* Steps a)-c) (plus local origin): a total preorder, so find the best and keep
	 * the candidates equal to it in front. */
	p = v[0];
	for (i = 1; i < np; i++)
		if (cmp_pre_med(v[i], p) < 0)
			p = v[i];
	ncand = 0;
	for (i = 0; i < np; i++) {
		if (cmp_pre_med(v[i], p) == 0) {
			struct rib_path *t = v[i];

			v[i] = v[ncand];
			v[ncand++] = t;
		}
	}

	/* Step c) MED: drop a candidate when another one from the same neighbour AS (or any,
	 * with always-compare) has a lower MED. Applied to the set, as RFC 4271 says. */
	if (ncand > 1) {
		bool drop[PATHS_STACK], *dr = drop;
		size_t k = 0;

		if (ncand > PATHS_STACK) {
			dr = calloc(ncand, sizeof(*dr));
			if (!dr)
				goto ebgp;
		}
		for (i = 0; i < ncand; i++) {
			dr[i] = false;
			for (j = 0; j < ncand && !dr[i]; j++) {
				if (i == j)
					continue;
				if (!r->conf.always_compare_med &&
				    path_neighbor_as(r, v[i]) != path_neighbor_as(r, v[j]))
					continue;
				if (path_med(v[j]) < path_med(v[i]))
					dr[i] = true;
			}
		}
		for (i = 0; i < ncand; i++) {
			if (!dr[i]) {
				struct rib_path *t = v[i];

				v[i] = v[k];
				v[k] = t;
				if (i != k) {
					bool tb = dr[i];

					dr[i] = dr[k];
					dr[k] = tb;
				}
				k++;
			}
		}
		ncand = k;
		if (dr != drop)
			free(dr);
	}
ebgp:
	/* Step d): eBGP-learned over iBGP-learned. */
	if (ncand > 1) {
		size_t k = 0;

		for (i = 0; i < ncand; i++)
			if (path_ebgp(r, v[i]))
				k++;
		if (k > 0 && k < ncand) {
			size_t w = 0;

			for (i = 0; i < ncand; i++) {
				if (path_ebgp(r, v[i])) {
					struct rib_path *t = v[i];

					v[i] = v[w];
					v[w] = t;
					w++;
				}
			}
			ncand = k;
		}
	}

	/* Tie-breaks order the candidates; the first ecmp_max of them form the ECMP set. */
	for (i = 1; i < ncand; i++) {
		struct rib_path *t = v[i];

		for (j = i; j > 0 && cmp_tiebreak(r, t, v[j - 1]) < 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
	/* The losers: insertion sort by pairwise preference (few paths per prefix). */
	for (i = ncand + 1; i < np; i++) {
		struct rib_path *t = v[i];

		for (j = i; j > ncand && rib_path_cmp(r, t, v[j - 1], true) < 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}

	for (i = 0; i < np; i++) {
		v[i]->flags &= (uint16_t)~(RIB_PATH_BEST | RIB_PATH_MULTIPATH);
		if (i == 0)
			v[i]->flags |= RIB_PATH_BEST;
		if (i < ncand && i < r->conf.ecmp_max)
			v[i]->flags |= RIB_PATH_MULTIPATH;
		moved |= v[i] != phys[i];
	}
	/* The nodes stay where they are (the first inside the net); their contents move
	 * into the decided order. */
	if (moved) {
		for (i = 0; i < np; i++)
			tmp[i] = *v[i];
		for (i = 0; i < np; i++) {
			*phys[i] = tmp[i];
			phys[i]->next = i + 1 < np ? phys[i + 1] : NULL;
		}
	}
	if (v != stack)
		free(v);
}

const struct rib_path *
rib_net_path(const struct rib_net *n, uint16_t peer)
{
	for (const struct rib_path *p = n->paths; p; p = p->next)
		if (p->peer == peer)
			return p;
	return NULL;
}

size_t
rib_net_multipath(const struct rib_net *n, const struct rib_path **out, size_t max)
{
	size_t k = 0;

	for (const struct rib_path *p = n->paths; p && k < max; p = p->next) {
		if (!(p->flags & RIB_PATH_MULTIPATH))
			break;
		out[k++] = p;
	}
	return k;
}

/* ---- changes ---- */

struct net_snap {
	uint16_t		 peer[RIB_ECMP_MAX];
	struct rib_aset		*aset[RIB_ECMP_MAX];	/* referenced */
	size_t			 n;
};

static void
snap_take(struct net_snap *s, const struct rib_net *n)
{
	const struct rib_path *mp[RIB_ECMP_MAX];

	s->n = n ? rib_net_multipath(n, mp, RIB_ECMP_MAX) : 0;
	for (size_t i = 0; i < s->n; i++) {
		s->peer[i] = mp[i]->peer;
		s->aset[i] = rib_aset_ref(mp[i]->aset);
	}
}

static void
snap_release(struct rib *r, struct net_snap *s)
{
	for (size_t i = 0; i < s->n; i++) {
		rib_aset_unref(r, s->aset[i]);
	}
	s->n = 0;
}

/* Tell clients what changed between s (before) and n (after; NULL when gone). */
static void
notify(struct rib *r, const struct prefix *pfx, const struct rib_net *n,
    const struct net_snap *s)
{
	const struct rib_path *mp[RIB_ECMP_MAX];
	struct rib_change c = { .pfx = pfx, .net = n };
	size_t k = n ? rib_net_multipath(n, mp, RIB_ECMP_MAX) : 0;

	c.best = k ? mp[0] : NULL;
	c.old_peer = s->n ? s->peer[0] : 0;
	c.old_aset = s->n ? s->aset[0] : NULL;
	if (k == 0 || s->n == 0)
		c.best_changed = k != s->n;
	else
		c.best_changed = mp[0]->peer != s->peer[0] || mp[0]->aset != s->aset[0];
	c.mp_changed = k != s->n;
	for (size_t i = 0; !c.mp_changed && i < k; i++)
		c.mp_changed = mp[i]->peer != s->peer[i] || mp[i]->aset != s->aset[i];
	if (!c.best_changed && !c.mp_changed)
		return;
	for (size_t i = 0; i < r->nclients; i++)
		r->clients[i].ops->change(r->clients[i].arg, r, &c);
}

/* notify() for a net that did not exist before and has one path now. */
static void
notify_new(struct rib *r, const struct prefix *pfx, const struct rib_net *n)
{
	const struct rib_change c = {
		.pfx = pfx, .net = n, .best = n->paths, .best_changed = true, .mp_changed = true,
	};

	for (size_t i = 0; i < r->nclients; i++)
		r->clients[i].ops->change(r->clients[i].arg, r, &c);
}

/* Account for a path going away and drop its reference (the node is the caller's). */
static void
path_drop(struct rib *r, struct rib_path *p)
{
	if (p->flags & RIB_PATH_STALE) {
		r->nstale--;
		r->peers[p->peer].nstale--;
	}
	r->peers[p->peer].npaths--;
	r->npaths--;
	rib_aset_unref(r, p->aset);
}

static void
path_init(struct rib *r, struct rib_path *path, uint16_t peer, struct rib_aset *as)
{
	path->next = NULL;
	path->aset = rib_aset_ref(as);
	path->peer = peer;
	path->flags = 0;
	path->seq = ++r->seq;
	r->peers[peer].npaths++;
	r->npaths++;
}

/* rib_route_update() of the valid, normalized prefix p with hash h; peer and as checked. */
static int
route_update(struct rib *r, uint16_t peer, const struct prefix *pfx, uint64_t h,
    struct rib_aset *as)
{
	const struct prefix p = *pfx;
	struct rib_net *n;
	struct rib_path *path;
	struct net_snap snap;
	uint32_t *ins;

	n = net_find(r, &p, h, &ins);
	if (!n) {
		n = net_create(r, &p, h, ins);
		if (!n)
			return r->nnets[fam_idx(p.addr.family)] >= NTAB_ID_MASK ? -ENOSPC : -ENOMEM;
		path_init(r, n->paths, peer, as);
		/* a new prefix has one path: it is the best and the ECMP set */
		n->paths->flags = RIB_PATH_BEST | RIB_PATH_MULTIPATH;
		notify_new(r, &p, n);
		return 0;
	}
	for (path = n->paths; path; path = path->next)
		if (path->peer == peer)
			break;
	if (path && path->aset == as && !(path->flags & RIB_PATH_STALE))
		return 0;	/* an identical re-announcement changes nothing */
	snap_take(&snap, n);
	if (path) {
		struct rib_aset *old = path->aset;

		path->aset = rib_aset_ref(as);
		rib_aset_unref(r, old);
		if (path->flags & RIB_PATH_STALE) {
			path->flags &= (uint16_t)~RIB_PATH_STALE;
			r->nstale--;
			r->peers[peer].nstale--;
		}
	} else {
		path = slab_alloc(&r->slab_path);
		if (!path) {
			snap_release(r, &snap);
			return -ENOMEM;
		}
		path_init(r, path, peer, as);
		path->next = n->paths->next;
		n->paths->next = path;
	}
	net_decide(r, n);
	notify(r, &p, n, &snap);
	snap_release(r, &snap);
	return 0;
}

int
rib_route_update(struct rib *r, uint16_t peer, const struct prefix *pin,
    struct rib_aset *as)
{
	struct prefix p = *pin;

	if (!prefix_ok(&p) || peer >= r->npeers || !r->peers[peer].used || !as)
		return -EINVAL;
	prefix_normalize(&p);
	return route_update(r, peer, &p, prefix_hash(&p), as);
}

/*
 * The prefixes of a list a few places ahead of the one being updated: normalized and
 * hashed once, their index line fetched when they enter, the net their tag points at
 * (an update of a known prefix) when they are half-way.
 */
#define AHEAD		PREFETCH_GROUP

struct ahead {
	struct prefix	p;
	uint64_t	h;
	bool		ok;
};

static void
ahead_enter(const struct rib *r, struct ahead *a, const struct prefix *p)
{
	a->p = *p;
	a->ok = prefix_ok(&a->p);
	if (!a->ok)
		return;
	prefix_normalize(&a->p);
	a->h = prefix_hash(&a->p);
	prefetch_hashed(r, a->p.addr.family, a->h, false);
}

size_t
rib_route_update_many(struct rib *r, uint16_t peer, const struct prefix *p, size_t n,
    struct rib_aset *as, int *err)
{
	struct ahead ring[AHEAD];
	size_t done = 0;

	*err = 0;
	if (peer >= r->npeers || !r->peers[peer].used || !as) {
		*err = -EINVAL;
		return 0;
	}
	for (size_t j = 0; j < n && j < AHEAD; j++)
		ahead_enter(r, &ring[j], &p[j]);
	for (size_t i = 0; i < n; i++) {
		struct ahead *a = &ring[i % AHEAD];
		int rc;

		if (i + PREFETCH_NET < n && ring[(i + PREFETCH_NET) % AHEAD].ok) {
			const struct ahead *b = &ring[(i + PREFETCH_NET) % AHEAD];

			prefetch_hashed(r, b->p.addr.family, b->h, true);
		}
		rc = a->ok ? route_update(r, peer, &a->p, a->h, as) : -EINVAL;
		if (rc == 0)
			done++;
		else if (!*err)
			*err = rc;
		if (i + AHEAD < n)
			ahead_enter(r, a, &p[i + AHEAD]);
	}
	return done;
}

/* Unlink path from n, re-decide, notify, free the net when empty. */
static void
net_remove_path(struct rib *r, const struct prefix *p, struct rib_net *n,
    struct rib_path *path)
{
	struct rib_path **pp;
	struct net_snap snap;

	snap_take(&snap, n);
	path_drop(r, path);
	if (path == n->paths) {
		struct rib_path *nx = path->next;

		if (!nx) {
			notify(r, p, NULL, &snap);
			net_destroy(r, n);
			snap_release(r, &snap);
			return;
		}
		*path = *nx;	/* the second path moves into the net */
		slab_release(&r->slab_path, nx);
	} else {
		for (pp = &n->paths->next; *pp; pp = &(*pp)->next) {
			if (*pp == path) {
				*pp = path->next;
				break;
			}
		}
		slab_release(&r->slab_path, path);
	}
	net_decide(r, n);
	notify(r, p, n, &snap);
	snap_release(r, &snap);
}

int
rib_route_withdraw(struct rib *r, uint16_t peer, const struct prefix *pin)
{
	struct prefix p = *pin;
	struct rib_net *n;
	struct rib_path *path;

	if (!prefix_ok(&p))
		return -EINVAL;
	prefix_normalize(&p);
	n = net_find(r, &p, prefix_hash(&p), NULL);
	if (!n)
		return -ENOENT;
	for (path = n->paths; path; path = path->next)
		if (path->peer == peer)
			break;
	if (!path)
		return -ENOENT;
	net_remove_path(r, &p, n, path);
	return 0;
}

/* ---- per-peer bulk operations ---- */

/*
 * Collect the nets in which peer has a path matching (family, stale_only) first, then act:
 * acting frees nets and must not happen during the scan.
 */
struct net_list {
	struct rib_net	**v;
	size_t		  n, cap;
};

/* What the per-peer walks below carry through nets_walk(). */
struct peer_walk {
	struct rib	*r;
	uint16_t	 peer;
	bool		 stale_only;	/* collect: only nets whose path is stale */
	struct net_list	*l;		/* collect: the nets found */
	size_t		 done;		/* stale marking: paths marked */
};

static int
collect_net(struct rib_net *n, void *arg)
{
	struct peer_walk *c = arg;
	struct net_list *l = c->l;
	const struct rib_path *p = rib_net_path(n, c->peer);

	if (!p || (c->stale_only && !(p->flags & RIB_PATH_STALE)))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct rib_net **nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = n;
	return 0;
}

static int
net_list_collect(struct rib *r, uint16_t peer, int family, bool stale_only,
    struct net_list *l)
{
	struct peer_walk c = { .r = r, .l = l, .peer = peer, .stale_only = stale_only };

	memset(l, 0, sizeof(*l));
	return nets_walk(r, family, collect_net, &c);
}

static size_t
peer_remove(struct rib *r, uint16_t peer, int family, bool stale_only)
{
	struct net_list l;
	size_t done = 0;

	if (peer >= r->npeers || r->peers[peer].npaths == 0 ||
	    (stale_only && r->peers[peer].nstale == 0))
		return 0;	/* nothing to find: no walk over the whole table */
	/* WARNING: on allocation failure only the nets collected so far are handled. */
	(void)net_list_collect(r, peer, family, stale_only, &l);
	for (size_t i = 0; i < l.n; i++) {
		struct rib_net *n = l.v[i];
		struct rib_path *p = (struct rib_path *)(uintptr_t)rib_net_path(n, peer);
		struct prefix pfx;

		rib_net_prefix(n, &pfx);
		net_remove_path(r, &pfx, n, p);
		done++;
	}
	free(l.v);
	return done;
}

static int
stale_net(struct rib_net *n, void *arg)
{
	struct peer_walk *a = arg;

	for (struct rib_path *p = n->paths; p; p = p->next) {
		if (p->peer == a->peer && !(p->flags & RIB_PATH_STALE)) {
			p->flags |= RIB_PATH_STALE;
			a->r->nstale++;
			a->r->peers[a->peer].nstale++;
			a->done++;
		}
	}
	return 0;
}

size_t
rib_peer_stale_mark(struct rib *r, uint16_t peer, int family)
{
	struct peer_walk a = { .r = r, .peer = peer };

	if (peer >= r->npeers)
		return 0;
	(void)nets_walk(r, family, stale_net, &a);
	return a.done;
}

size_t
rib_peer_stale_sweep(struct rib *r, uint16_t peer, int family)
{
	return peer_remove(r, peer, family, true);
}

size_t
rib_peer_flush(struct rib *r, uint16_t peer)
{
	return peer_remove(r, peer, 0, false);
}

void
rib_peer_eor(struct rib *r, uint16_t peer, int family)
{
	for (size_t i = 0; i < r->nclients; i++)
		if (r->clients[i].ops->eor)
			r->clients[i].ops->eor(r->clients[i].arg, r, peer, family);
}

/* ---- walks and stats ---- */

struct walk_arg {
	rib_walk_cb	 cb;
	void		*arg;
};

static int
walk_net(struct rib_net *n, void *arg)
{
	const struct walk_arg *w = arg;

	return w->cb(n, w->arg);
}

int
rib_walk(const struct rib *r, int family, rib_walk_cb cb, void *arg)
{
	struct walk_arg w = { .cb = cb, .arg = arg };

	return nets_walk(r, family, walk_net, &w);
}

void
rib_stats_get(const struct rib *r, struct rib_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->nets[0] = r->nnets[0];
	st->nets[1] = r->nnets[1];
	st->paths = r->npaths;
	st->asets = r->nasets;
	st->stale = r->nstale;
	st->mem_nets = (r->nets[0].nchunks * r->nets[0].objsize +
	    r->nets[1].nchunks * r->nets[1].objsize) * NET_PER_CHUNK;
	st->mem_paths = r->slab_path.chunks * SLAB_CHUNK;
	st->mem_buckets = (r->nt[0].ngroups + r->nt[1].ngroups) * NTAB_GROUP * sizeof(uint32_t) +
	    r->naslots * sizeof(*r->aslots);
	st->mem_asets = r->mem_asets;
}
