// SPDX-License-Identifier: MIT
/*
 * bgp-inject: a minimal BGP speaker that loads routes (an MRT file, or N generated
 * distinct IPv4 prefixes), connects to a peer, and sends them as packed UPDATEs as fast
 * as the peer takes them, then End-of-RIB, then stays established (KEEPALIVEs) until
 * told to stop. Used by the RIB integration tests and bench/bgp-ingest against both
 * BIRD 2 and cutoverd, so both see exactly the same bytes.
 *
 * Route sources: TABLE_DUMP / TABLE_DUMP_V2 files give one route per prefix (the first
 * entry in file order, what `bgpdump -m | first per prefix` shows); BGP4MP update files
 * are replayed in order (announcements and withdrawals). Every route is sent with our
 * AS prepended (eBGP) and our address as next hop. Attribute sets are interned through
 * bgp/rib so that prefixes sharing attributes share UPDATEs; a table goes out group by
 * group in address order (see grouping_sort()).
 * Blocking sockets, one process, no libevent: it is a test tool, not the daemon.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bgp/bgp_wire.h"
#include "bgp/msg.h"
#include "bgp/rib.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/file.h"
#include "tests/helpers/mrt_routes.h"

#define OUTBUF_FLUSH	(256 * 1024)

static const char usage[] =
"NAME\n"
"    bgp-inject - replay an MRT file or generated prefixes into a BGP peer\n"
"\n"
"SYNOPSIS\n"
"    bgp-inject --connect ADDR --local-as AS --peer-as AS [--port N] [--bind ADDR]\n"
"               [--router-id A.B.C.D] (--mrt FILE | --generate N) [--gen-start A.B.C.D]\n"
"               [--gen-len L] [--gen-paths K] [--next-hop ADDR] [--hold S] [--stay S]\n"
"               [--stats-file FILE]\n"
"\n"
"DESCRIPTION\n"
"    Loads the routes first, then opens one BGP session (4-octet AS, IPv4 and IPv6\n"
"    unicast, extended messages not offered) and sends every route in UPDATEs packed\n"
"    by attribute set (for a table, all packed before the first byte is written, so\n"
"    the receiver sets the pace), then End-of-RIB for both families. It then stays established,\n"
"    answering with KEEPALIVEs, for --stay seconds (default: until SIGTERM/SIGINT),\n"
"    and closes with a Cease NOTIFICATION.\n"
"    MRT: TABLE_DUMP and TABLE_DUMP_V2 send the first entry of every prefix; BGP4MP\n"
"    files are replayed in order, withdrawals included. --generate N sends N distinct\n"
"    IPv4 prefixes of length L (default 24) counting up from --gen-start (default\n"
"    32.0.0.0), spread over K distinct AS paths (default 100).\n"
"    Every route gets our AS prepended and --next-hop (default: the session's local\n"
"    address) as next hop.\n"
"\n"
"OPTIONS\n"
"    --stats-file FILE  append key=value lines: routes, updates, bytes, established,\n"
"                       start (first UPDATE byte written) and done (last byte\n"
"                       written); wall clock, seconds since the epoch, ns precision\n"
"    -h, --help         this text\n"
"\n"
"EXIT STATUS\n"
"    0 when everything was sent and the session ended as asked; 1 on a NOTIFICATION\n"
"    from the peer, a socket error or bad input (the reason is printed); 2 on usage.\n";

struct opts {
	struct addr	 connect, bind, nexthop;
	bool		 has_bind, has_nexthop;
	uint16_t	 port;
	uint32_t	 local_as, peer_as, router_id;
	const char	*mrt;
	unsigned long	 generate;
	struct addr	 gen_start;
	unsigned	 gen_len, gen_paths;
	unsigned	 hold, stay;
	const char	*stats_file;
};

/* One replay step for BGP4MP streams; table dumps only use groups. */
struct step {
	struct prefix	 pfx;
	struct rib_aset	*as;		/* NULL: withdraw */
};

struct load {
	struct opts	*o;
	struct rib	*rib;		/* interning + first-per-prefix dedupe */
	uint16_t	 src;
	bool		 stream;	/* BGP4MP seen: replay in order */
	struct step	*steps;
	size_t		 nsteps, capsteps;
	size_t		 dup;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Our AS first, as an eBGP speaker does (RFC 4271 §5.1.2). */
static struct rib_aset *
intern_out(struct load *l, const struct bgp_attrs *in)
{
	struct bgp_attrs a;
	struct rib_aset *as;

	bgp_attrs_init(&a);
	if (bgp_attrs_dup(&a, in) != 0)
		return NULL;
	if (bgp_as_path_prepend(&a.as_path, l->o->local_as, 1) != 0) {
		bgp_attrs_free(&a);
		return NULL;
	}
	a.present |= BGP_ATTR_BIT(BGP_ATTR_AS_PATH) | BGP_ATTR_BIT(BGP_ATTR_ORIGIN);
	/* not sent to an eBGP peer: LOCAL_PREF; next hop is set when packing */
	a.present &= ~(BGP_ATTR_BIT(BGP_ATTR_LOCAL_PREF) | BGP_ATTR_BIT(BGP_ATTR_NEXT_HOP));
	as = rib_aset_intern(l->rib, &a, NULL);
	bgp_attrs_free(&a);
	return as;
}

static int
push_step(struct load *l, const struct prefix *p, struct rib_aset *as)
{
	if (l->nsteps == l->capsteps) {
		size_t cap = l->capsteps ? l->capsteps * 2 : 4096;
		struct step *ns = realloc(l->steps, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		l->steps = ns;
		l->capsteps = cap;
	}
	l->steps[l->nsteps].pfx = *p;
	l->steps[l->nsteps].as = as;
	l->nsteps++;
	return 0;
}

static int
on_route(const struct mrt_route *r, void *arg)
{
	struct load *l = arg;
	struct rib_aset *as;
	int rc;

	if (r->type == MRT_BGP4MP || r->type == MRT_BGP4MP_ET) {
		l->stream = true;
		as = r->withdraw ? NULL : intern_out(l, r->attrs);
		if (!r->withdraw && !as)
			return -ENOMEM;
		return push_step(l, &r->pfx, as);
	}
	if (r->withdraw)
		return 0;
	if (rib_net_get(l->rib, &r->pfx)) {
		l->dup++;		/* a later entry of a prefix we already have */
		return 0;
	}
	as = intern_out(l, r->attrs);
	if (!as)
		return -ENOMEM;
	rc = rib_route_update(l->rib, l->src, &r->pfx, as);
	rib_aset_unref(l->rib, as);
	return rc;
}

static int
generate(struct load *l)
{
	struct bgp_attrs a;
	struct rib_aset **sets;
	struct prefix p;
	int rc = 0;

	sets = calloc(l->o->gen_paths, sizeof(*sets));
	if (!sets)
		return -ENOMEM;
	for (unsigned k = 0; k < l->o->gen_paths; k++) {
		uint32_t path[3] = { 64600 + k % 300, 64000 + k / 300, 65100 };

		bgp_attrs_init(&a);
		a.present = BGP_ATTR_BIT(BGP_ATTR_ORIGIN) | BGP_ATTR_BIT(BGP_ATTR_AS_PATH);
		a.origin = BGP_ORIGIN_IGP;
		if (bgp_as_path_append(&a.as_path, BGP_AS_SEQUENCE, path, 3) != 0) {
			free(sets);
			return -ENOMEM;
		}
		sets[k] = intern_out(l, &a);
		bgp_attrs_free(&a);
		if (!sets[k]) {
			free(sets);
			return -ENOMEM;
		}
	}
	memset(&p, 0, sizeof(p));
	p.addr = l->o->gen_start;
	p.len = (uint8_t)l->o->gen_len;
	prefix_normalize(&p);
	for (unsigned long i = 0; i < l->o->generate && rc == 0; i++) {
		rc = rib_route_update(l->rib, l->src, &p, sets[i % l->o->gen_paths]);
		if (addr_add(&p.addr, UINT64_C(1) << (32 - p.len)) != 0 && i + 1 < l->o->generate) {
			fprintf(stderr, "bgp-inject: --generate %lu /%u from %s runs out of IPv4 space\n",
			    l->o->generate, l->o->gen_len, "gen-start");
			rc = -ERANGE;
		}
	}
	for (unsigned k = 0; k < l->o->gen_paths; k++)
		rib_aset_unref(l->rib, sets[k]);
	free(sets);
	return rc;
}

/* ---- socket I/O ---- */

static int
read_all(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r == 0)
			return -ECONNRESET;
		if (r < 0) {
			if (errno == EINTR) {
				if (stop)
					return -EINTR;
				continue;
			}
			return -errno;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Read one whole message into m. */
static int
read_msg(int fd, const struct bgp_wire_ctx *ctx, struct bgp_msg *m)
{
	static uint8_t buf[BGP_EXT_MAX_LEN];
	struct bgp_hdr h;
	struct bgp_err err;
	int rc;

	if ((rc = read_all(fd, buf, BGP_HDR_LEN)) != 0)
		return rc;
	bgp_err_clear(&err);
	if (bgp_hdr_decode(buf, BGP_HDR_LEN, BGP_EXT_MAX_LEN, &h, &err) != 0) {
		fprintf(stderr, "bgp-inject: bad message header from peer: %s\n", err.reason);
		return -EBADMSG;
	}
	if ((rc = read_all(fd, buf + BGP_HDR_LEN, h.len - BGP_HDR_LEN)) != 0)
		return rc;
	memset(m, 0, sizeof(*m));
	rc = bgp_msg_decode(ctx, buf, h.len, m, &err);
	if (rc != 0)
		fprintf(stderr, "bgp-inject: undecodable %s from peer: %s\n",
		    bgp_msg_type_name(h.type), err.reason);
	return rc;
}

static int
send_simple(int fd, void (*enc)(struct buf_writer *))
{
	uint8_t b[BGP_HDR_LEN];
	struct buf_writer bw;

	bw_init(&bw, b, sizeof(b));
	enc(&bw);
	return bw_error(&bw) ? -EIO : file_write_all(fd, bw.data, bw.len);
}

/* Drain what the peer sent (KEEPALIVEs, its own UPDATEs); fail on NOTIFICATION. */
static int
drain(int fd, const struct bgp_wire_ctx *ctx, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (poll(&pfd, 1, timeout_ms) > 0) {
		struct bgp_msg m;
		int rc = read_msg(fd, ctx, &m);

		if (rc != 0) {
			bgp_msg_free(&m);
			return rc;
		}
		if (m.type == BGP_MSG_NOTIFICATION) {
			char t[512];

			fprintf(stderr, "bgp-inject: NOTIFICATION from peer: %s\n",
			    bgp_notification_format(&m.u.notification, t, sizeof(t)));
			bgp_msg_free(&m);
			return -ECONNABORTED;
		}
		bgp_msg_free(&m);
		timeout_ms = 0;
	}
	return 0;
}

static int
session_open(const struct opts *o, struct bgp_wire_ctx *ctx, struct addr *local)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct bgp_open mine, theirs;
	struct bgp_msg m;
	uint8_t b[BGP_MAX_LEN];
	struct buf_writer bw;
	uint8_t type;
	int fd, one = 1, rc;

	memset(&ss, 0, sizeof(ss));
	fd = socket(o->connect.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (o->has_bind) {
		if (o->bind.family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			s4->sin_family = AF_INET;
			memcpy(&s4->sin_addr, o->bind.bytes, 4);
			sl = sizeof(*s4);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_family = AF_INET6;
			memcpy(&s6->sin6_addr, o->bind.bytes, 16);
			sl = sizeof(*s6);
		}
		if (bind(fd, (struct sockaddr *)&ss, sl) != 0)
			goto fail;
	}
	memset(&ss, 0, sizeof(ss));
	if (o->connect.family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(o->port);
		memcpy(&s4->sin_addr, o->connect.bytes, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(o->port);
		memcpy(&s6->sin6_addr, o->connect.bytes, 16);
		sl = sizeof(*s6);
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) != 0)
		goto fail;
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		goto fail;
	if (ss.ss_family == AF_INET)
		addr_from_bytes(local, AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	else
		addr_from_bytes(local, AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);

	bgp_open_init(&mine, o->local_as, (uint16_t)o->hold, o->router_id);
	bgp_caps_add_mp(&mine.caps, BGP_AFI_IPV4, BGP_SAFI_UNICAST);
	bgp_caps_add_mp(&mine.caps, BGP_AFI_IPV6, BGP_SAFI_UNICAST);
	mine.caps.route_refresh = true;
	bw_init(&bw, b, sizeof(b));
	bgp_open_encode(&bw, &mine);
	if (bw_error(&bw) || file_write_all(fd, bw.data, bw.len) != 0)
		goto fail;
	memset(ctx, 0, sizeof(*ctx));
	if ((rc = read_msg(fd, ctx, &m)) != 0 || m.type != BGP_MSG_OPEN) {
		if (rc == 0 && m.type == BGP_MSG_NOTIFICATION) {
			char t[512];

			fprintf(stderr, "bgp-inject: NOTIFICATION instead of OPEN: %s\n",
			    bgp_notification_format(&m.u.notification, t, sizeof(t)));
		}
		bgp_msg_free(&m);
		close(fd);
		return -ECONNABORTED;
	}
	theirs = m.u.open;
	bgp_msg_free(&m);
	bgp_caps_negotiate(&mine, &theirs, ctx);
	ctx->ebgp = o->local_as != o->peer_as;
	ctx->peer_as = o->peer_as;
	if (send_simple(fd, bgp_keepalive_encode) != 0)
		goto fail;
	/* wait for its KEEPALIVE: the session is Established */
	for (;;) {
		if ((rc = read_msg(fd, ctx, &m)) != 0) {
			bgp_msg_free(&m);
			close(fd);
			return rc;
		}
		if (m.type == BGP_MSG_NOTIFICATION) {
			char t[512];

			fprintf(stderr, "bgp-inject: NOTIFICATION: %s\n",
			    bgp_notification_format(&m.u.notification, t, sizeof(t)));
			bgp_msg_free(&m);
			close(fd);
			return -ECONNABORTED;
		}
		type = m.type;
		bgp_msg_free(&m);
		if (type == BGP_MSG_KEEPALIVE)
			break;
	}
	return fd;
fail:
	rc = -errno;
	close(fd);
	return rc ? rc : -EIO;
}

/* Group the loaded table by attribute set (pointer-keyed open addressing). */
struct group {
	struct rib_aset	*as;
	struct bgp_attrs attrs;		/* as decoded, before the clock starts */
	struct prefix	*pfx;
	size_t		 n, cap;
};

struct grouping {
	struct group	*g;
	size_t		 n, cap;
	size_t		*slots;		/* group index + 1, 0 = empty */
	size_t		 nslots;
};

static size_t
ptr_slot(const void *p, size_t nslots)
{
	uint64_t h = (uint64_t)(uintptr_t)p * UINT64_C(0x9e3779b97f4a7c15);

	return (size_t)(h >> 20) & (nslots - 1);
}

static int
group_rehash(struct grouping *gr)
{
	size_t n = gr->nslots ? gr->nslots * 2 : 1024;
	size_t *ns = calloc(n, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < gr->n; i++) {
		size_t s = ptr_slot(gr->g[i].as, n);

		while (ns[s])
			s = (s + 1) & (n - 1);
		ns[s] = i + 1;
	}
	free(gr->slots);
	gr->slots = ns;
	gr->nslots = n;
	return 0;
}

static int
group_net(const struct rib_net *n, void *arg)
{
	struct grouping *gr = arg;
	struct rib_aset *as = n->paths->aset;
	struct group *g = NULL;
	size_t s;

	if ((gr->n + 1) * 2 > gr->nslots && group_rehash(gr) != 0)
		return -ENOMEM;
	for (s = ptr_slot(as, gr->nslots); gr->slots[s]; s = (s + 1) & (gr->nslots - 1)) {
		if (gr->g[gr->slots[s] - 1].as == as) {
			g = &gr->g[gr->slots[s] - 1];
			break;
		}
	}
	if (!g) {
		if (gr->n == gr->cap) {
			size_t cap = gr->cap ? gr->cap * 2 : 1024;
			struct group *ng = realloc(gr->g, cap * sizeof(*ng));

			if (!ng)
				return -ENOMEM;
			gr->g = ng;
			gr->cap = cap;
		}
		g = &gr->g[gr->n++];
		memset(g, 0, sizeof(*g));
		g->as = as;
		gr->slots[s] = gr->n;
		if (rib_aset_attrs(as, &g->attrs) != 0)
			return -ENOMEM;
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		struct prefix *np = realloc(g->pfx, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		g->pfx = np;
		g->cap = cap;
	}
	rib_net_prefix(n, &g->pfx[g->n++]);
	return 0;
}

/*
 * The order a real speaker sends a table in: each attribute group's prefixes in
 * address order, the groups by their first prefix (a radix-tree walk, as FRR or an MRT
 * dump has it). Not the order of our own hash table: that would hand the receiver
 * under test the layout of cutoverd's hash and favour it over BIRD.
 */
static int
pfx_cmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

static int
group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	return prefix_cmp(&x->pfx[0], &y->pfx[0]);
}

static void
grouping_sort(struct grouping *gr)
{
	for (size_t i = 0; i < gr->n; i++)
		qsort(gr->g[i].pfx, gr->g[i].n, sizeof(*gr->g[i].pfx), pfx_cmp);
	if (gr->n)
		qsort(gr->g, gr->n, sizeof(*gr->g), group_cmp);
}

struct sender {
	int			 fd;
	const struct bgp_wire_ctx *ctx;
	struct buf_writer	 bw;
	struct bgp_nexthop	 nh[2];
	size_t			 updates, routes, bytes;
	double			 last_ka;
	unsigned		 hold;
	bool			 prepack;	/* keep everything in bw until sender_send() */
};

static int
sender_flush(struct sender *s, bool force)
{
	int rc;

	if ((s->bw.len < OUTBUF_FLUSH || s->prepack) && !force)
		return 0;
	if ((rc = file_write_all(s->fd, s->bw.data, s->bw.len)) != 0)
		return rc;
	s->bytes += s->bw.len;
	bw_reset(&s->bw);
	if (s->hold && clock_s(CLOCK_REALTIME) - s->last_ka > s->hold / 3.0) {
		if ((rc = send_simple(s->fd, bgp_keepalive_encode)) != 0)
			return rc;
		s->last_ka = clock_s(CLOCK_REALTIME);
	}
	return drain(s->fd, s->ctx, 0);
}

static int
send_prefixes(struct sender *s, const struct bgp_attrs *as, const struct prefix *p, size_t n)
{
	int fi = p[0].addr.family == AF_INET6;

	if (as && s->nh[fi].global.family == 0) {
		s->routes += n;		/* no next hop of that family: skipped */
		return 0;
	}
	while (n > 0) {
		int k = bgp_update_pack(s->ctx, &s->bw, as, as ? &s->nh[fi] : NULL, p, n);
		int rc;

		if (k < 0) {
			fprintf(stderr, "bgp-inject: cannot pack an UPDATE: %s\n", strerror(-k));
			return k;
		}
		s->updates++;
		s->routes += (size_t)k;
		p += k;
		n -= (size_t)k;
		if ((rc = sender_flush(s, false)) != 0)
			return rc;
	}
	return 0;
}

/* Write what was packed in advance, OUTBUF_FLUSH bytes at a time, answering the peer. */
static int
sender_send(struct sender *s)
{
	size_t off = 0;
	int rc = 0;

	s->prepack = false;
	while (off < s->bw.len && rc == 0 && !stop) {
		size_t n = s->bw.len - off < OUTBUF_FLUSH ? s->bw.len - off : OUTBUF_FLUSH;

		if ((rc = file_write_all(s->fd, s->bw.data + off, n)) != 0)
			break;
		off += n;
		s->bytes += n;
		rc = drain(s->fd, s->ctx, 0);
	}
	bw_reset(&s->bw);
	return rc;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "local-as", required_argument, NULL, 'l' },
		{ "peer-as", required_argument, NULL, 'r' },
		{ "router-id", required_argument, NULL, 'i' },
		{ "mrt", required_argument, NULL, 'm' },
		{ "generate", required_argument, NULL, 'g' },
		{ "gen-start", required_argument, NULL, 's' },
		{ "gen-len", required_argument, NULL, 'L' },
		{ "gen-paths", required_argument, NULL, 'K' },
		{ "next-hop", required_argument, NULL, 'n' },
		{ "hold", required_argument, NULL, 'H' },
		{ "stay", required_argument, NULL, 'S' },
		{ "stats-file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct addr rid;
	int c;

	memset(o, 0, sizeof(*o));
	o->port = BGP_PORT;
	o->gen_len = 24;
	o->gen_paths = 100;
	o->hold = 90;
	addr_parse("32.0.0.0", &o->gen_start);
	addr_parse("10.255.255.254", &rid);
	o->router_id = addr_to_v4(&rid);
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		char *end = NULL;
		unsigned long v = 0;

		if (optarg && strchr("plrgLKHS", c)) {
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg) {
				fprintf(stderr, "bgp-inject: not a number: %s\n", optarg);
				return 2;
			}
		}
		switch (c) {
		case 'c':
			if (addr_parse(optarg, &o->connect))
				goto bad_addr;
			break;
		case 'b':
			if (addr_parse(optarg, &o->bind))
				goto bad_addr;
			o->has_bind = true;
			break;
		case 'n':
			if (addr_parse(optarg, &o->nexthop))
				goto bad_addr;
			o->has_nexthop = true;
			break;
		case 's':
			if (addr_parse(optarg, &o->gen_start) || o->gen_start.family != AF_INET)
				goto bad_addr;
			break;
		case 'i':
			if (addr_parse(optarg, &rid) || rid.family != AF_INET)
				goto bad_addr;
			o->router_id = addr_to_v4(&rid);
			break;
		case 'p': o->port = (uint16_t)v; break;
		case 'l': o->local_as = (uint32_t)v; break;
		case 'r': o->peer_as = (uint32_t)v; break;
		case 'g': o->generate = v; break;
		case 'L': o->gen_len = (unsigned)v; break;
		case 'K': o->gen_paths = (unsigned)v; break;
		case 'H': o->hold = (unsigned)v; break;
		case 'S': o->stay = (unsigned)v; break;
		case 'm': o->mrt = optarg; break;
		case 'f': o->stats_file = optarg; break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			fputs(usage, stderr);
			return 2;
		}
		continue;
bad_addr:
		fprintf(stderr, "bgp-inject: bad address: %s\n", optarg);
		return 2;
	}
	if (!o->connect.family || !o->local_as || !o->peer_as || (!o->mrt && !o->generate) ||
	    o->gen_len < 8 || o->gen_len > 32 || o->gen_paths == 0 ||
	    (o->hold != 0 && o->hold < 3)) {
		fprintf(stderr, "bgp-inject: need --connect, --local-as, --peer-as and --mrt or "
		    "--generate (gen-len 8..32, gen-paths >= 1, hold 0 or >= 3); see --help\n");
		return 2;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct load l;
	struct rib_conf rc_conf = { .ecmp_max = 1, .local_as = 1 };
	struct rib_peer_info src = { .asn = 1, .ebgp = true };
	struct grouping gr[2];
	struct sender s;
	struct bgp_wire_ctx ctx;
	struct addr local = { 0 };
	struct diag d;
	double t_est, t_start, t_done;
	int rc, fd;
	FILE *sf;

	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	memset(&l, 0, sizeof(l));
	l.o = &o;
	l.rib = rib_new(&rc_conf);
	if (!l.rib)
		return 1;
	rc = rib_peer_add(l.rib, &src);
	if (rc < 0)
		return 1;
	l.src = (uint16_t)rc;
	diag_init(&d, o.mrt ? o.mrt : "generate");
	if (o.mrt) {
		size_t len = 0;
		uint8_t *buf = NULL;
		struct mrt_route_stats st;

		if ((rc = mrt_file_load(o.mrt, &buf, &len)) != 0) {
			fprintf(stderr, "bgp-inject: %s: %s\n", o.mrt, strerror(-rc));
			return 1;
		}
		rc = mrt_routes_walk(buf, len, on_route, &l, &st, &d);
		free(buf);
		if (rc != 0) {
			char t[512];

			diag_format(&d, t, sizeof(t));
			fprintf(stderr, "bgp-inject: %s\n", t);
			return 1;
		}
		fprintf(stderr, "bgp-inject: %s: %zu records, %zu routes, %zu withdrawals, "
		    "%zu unsupported, %zu malformed, %zu later entries of known prefixes\n",
		    o.mrt, st.records, st.routes, st.withdraws, st.unsupported, st.malformed,
		    l.dup);
	} else if (generate(&l) != 0) {
		return 1;
	}

	memset(gr, 0, sizeof(gr));
	if (!l.stream) {
		if (rib_walk(l.rib, AF_INET, group_net, &gr[0]) != 0 ||
		    rib_walk(l.rib, AF_INET6, group_net, &gr[1]) != 0) {
			fprintf(stderr, "bgp-inject: out of memory\n");
			return 1;
		}
		grouping_sort(&gr[0]);
		grouping_sort(&gr[1]);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);

	fd = session_open(&o, &ctx, &local);
	if (fd < 0) {
		fprintf(stderr, "bgp-inject: session with %s failed: %s\n",
		    addr_format(&o.connect, (char[ADDR_STRLEN]){ 0 }, ADDR_STRLEN),
		    strerror(-fd));
		return 1;
	}
	t_est = t_start = clock_s(CLOCK_REALTIME);
	memset(&s, 0, sizeof(s));
	s.fd = fd;
	s.ctx = &ctx;
	s.hold = o.hold;
	s.last_ka = t_est;
	bw_init_dyn(&s.bw, 0);
	if (o.has_nexthop)
		s.nh[o.nexthop.family == AF_INET6].global = o.nexthop;
	else
		s.nh[local.family == AF_INET6].global = local;

	rc = 0;
	if (l.stream) {
		for (size_t i = 0; i < l.nsteps && rc == 0 && !stop; i++) {
			struct bgp_attrs a;

			if (!l.steps[i].as) {
				rc = send_prefixes(&s, NULL, &l.steps[i].pfx, 1);
				continue;
			}
			if ((rc = rib_aset_attrs(l.steps[i].as, &a)) == 0)
				rc = send_prefixes(&s, &a, &l.steps[i].pfx, 1);
			bgp_attrs_free(&a);
		}
	} else {
		/* A table: every UPDATE is packed before the first byte goes out, so that
		 * the receiver's speed, not ours, sets the pace from t_start on. */
		s.prepack = true;
		for (int f = 0; f < 2; f++)
			for (size_t i = 0; i < gr[f].n && rc == 0 && !stop; i++)
				rc = send_prefixes(&s, &gr[f].g[i].attrs, gr[f].g[i].pfx,
				    gr[f].g[i].n);
		t_start = clock_s(CLOCK_REALTIME);
		if (rc == 0)
			rc = sender_send(&s);
	}
	if (rc == 0) {
		bgp_eor_encode(&s.bw, BGP_AFI_IPV4, BGP_SAFI_UNICAST);
		if (ctx.families & BGP_FAM_BIT(BGP_FAM_IPV6_UNICAST))
			bgp_eor_encode(&s.bw, BGP_AFI_IPV6, BGP_SAFI_UNICAST);
		rc = sender_flush(&s, true);
	}
	t_done = clock_s(CLOCK_REALTIME);
	if (rc == 0)
		fprintf(stderr, "bgp-inject: sent %zu routes in %zu UPDATEs (%zu bytes) in %.3f s\n",
		    s.routes, s.updates, s.bytes, t_done - t_start);
	if (o.stats_file && (sf = fopen(o.stats_file, "a")) != NULL) {
		fprintf(sf, "routes=%zu\nupdates=%zu\nbytes=%zu\nestablished=%.6f\nstart=%.6f\n"
		    "done=%.6f\n", s.routes, s.updates, s.bytes, t_est, t_start, t_done);
		fclose(sf);
	}
	/* stay established */
	while (rc == 0 && !stop && (!o.stay || clock_s(CLOCK_REALTIME) - t_done < o.stay)) {
		rc = drain(fd, &ctx, 1000);
		if (rc == 0 && o.hold && clock_s(CLOCK_REALTIME) - s.last_ka > o.hold / 3.0) {
			rc = send_simple(fd, bgp_keepalive_encode);
			s.last_ka = clock_s(CLOCK_REALTIME);
		}
	}
	if (rc == 0 || rc == -EINTR) {
		bw_reset(&s.bw);
		bgp_notification_encode_shutdown(&s.bw, BGP_ERR_CEASE_ADMIN_SHUTDOWN,
		    "bgp-inject done");
		(void)file_write_all(fd, s.bw.data, s.bw.len);
		rc = 0;
	} else {
		fprintf(stderr, "bgp-inject: session ended: %s\n", strerror(-rc));
	}
	close(fd);
	bw_free(&s.bw);
	for (int f = 0; f < 2; f++) {
		for (size_t i = 0; i < gr[f].n; i++) {
			free(gr[f].g[i].pfx);
			bgp_attrs_free(&gr[f].g[i].attrs);
		}
		free(gr[f].g);
		free(gr[f].slots);
	}
	for (size_t i = 0; i < l.nsteps; i++)
		rib_aset_unref(l.rib, l.steps[i].as);
	free(l.steps);
	rib_free(l.rib);
	return rc == 0 ? 0 : 1;
}
