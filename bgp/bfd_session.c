// SPDX-License-Identifier: MIT
/*
 * BFD single-hop transport (RFC 5881) on libevent: one IPv4 and one IPv6 listener on UDP
 * 3784 that read the TTL/hop limit and the arrival interface of every datagram
 * (IP_RECVTTL/IPV6_RECVHOPLIMIT, IP_PKTINFO/IPV6_RECVPKTINFO), a per-session send socket
 * bound to the local address and a source port in 49152-65535 with TTL/hop limit 255, and
 * the session table (by Your Discriminator, else by peer address and interface). Each
 * session owns a pure struct bfd_fsm (bfd_fsm.c) and gives it libevent timers, the
 * monotonic clock and a random source. This file owns sockets and timers; it does not
 * know BGP (clients get a bfd_notify_fn) and it logs each state change once.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgp/bfd.h"
#include "lib/clock.h"
#include "lib/log.h"

/* Longest AdminDown linger on removal: a peer with a slow, long detection time must not
 * hold a daemon shutdown for more than this. */
#define BFD_LINGER_MAX_US	(3 * BFD_USEC_PER_SEC)
#define BFD_LINGER_SLACK_US	50000
#define BFD_BIND_TRIES		64
#define BFD_RX_BUF		512

struct bfd_session {
	struct bfd_ctx		*ctx;
	struct bfd_session	*next;
	char			 name[BFD_NAME_MAX];
	struct addr		 local;
	struct addr		 peer;
	char			 ifname[IF_NAMESIZE];
	unsigned		 ifindex;
	uint16_t		 dst_port;
	uint16_t		 src_port;
	int			 fd;
	struct event		*timer[BFD_TIMER_MAX];
	struct event		*linger;
	bfd_notify_fn		 fn;
	void			*arg;
	bool			 lingering;
	struct bfd_fsm		 fsm;
};

struct bfd_ctx {
	struct event_base	*base;
	uint16_t		 port;
	int			 fd4;
	int			 fd6;
	struct event		*ev4;
	struct event		*ev6;
	struct bfd_session	*head;
	uint64_t		 rnd;		/* xorshift64 state */
	unsigned		 lingering;
	uint64_t		 drops[BFD_DROP_MAX];
};

/* ---- ops for the FSM ---- */

static uint64_t
bfd_clock_us(void *arg)
{
	(void)arg;
	return clock_us(CLOCK_MONOTONIC);
}

static uint32_t
bfd_ctx_random(struct bfd_ctx *c)
{
	uint64_t x = c->rnd;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	c->rnd = x;
	return (uint32_t)(x >> 16);
}

static uint32_t
bfd_sess_random(void *arg)
{
	return bfd_ctx_random(((struct bfd_session *)arg)->ctx);
}

static void
bfd_sess_timer_arm(void *arg, enum bfd_timer t, uint64_t delay)
{
	struct bfd_session *s = arg;
	struct timeval tv = { .tv_sec = (time_t)(delay / BFD_USEC_PER_SEC),
	    .tv_usec = (suseconds_t)(delay % BFD_USEC_PER_SEC) };

	evtimer_add(s->timer[t], &tv);
}

static void
bfd_sess_timer_stop(void *arg, enum bfd_timer t)
{
	struct bfd_session *s = arg;

	if (s->timer[t] != NULL)
		evtimer_del(s->timer[t]);
}

static socklen_t
bfd_sockaddr(const struct addr *a, uint16_t port, unsigned ifindex,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->bytes, 4);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->bytes, 16);
		if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
			sin6->sin6_scope_id = ifindex;
		return sizeof(*sin6);
	}
}

static int
bfd_sess_send(void *arg, const uint8_t *pkt, size_t len)
{
	struct bfd_session *s = arg;
	struct sockaddr_storage ss;
	socklen_t sl = bfd_sockaddr(&s->peer, s->dst_port, s->ifindex, &ss);
	ssize_t n = sendto(s->fd, pkt, len, 0, (struct sockaddr *)&ss, sl);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static void
bfd_sess_changed(void *arg, enum bfd_state from, enum bfd_state to, enum bfd_diag diag)
{
	struct bfd_session *s = arg;
	char peer[ADDR_STRLEN];
	bool failure;

	addr_format(&s->peer, peer, sizeof(peer));
	/* RFC 5882 §3.2: a session brought down by the peer's AdminDown is not a path
	 * failure and must not take the client down. */
	failure = from == BFD_STATE_UP && to == BFD_STATE_DOWN &&
	    s->fsm.remote_state != BFD_STATE_ADMIN_DOWN;
	log_msg(failure ? LOG_LVL_WARN : LOG_LVL_INFO, "bfd",
	    "session %s (peer %s%s%s): %s -> %s (diag %u %s, remote diag %u %s)%s", s->name, peer,
	    s->ifname[0] ? "%" : "", s->ifname, bfd_state_name(from), bfd_state_name(to),
	    diag, bfd_diag_name(diag), s->fsm.remote_diag, bfd_diag_name(s->fsm.remote_diag),
	    failure ? ": path failure" : "");
	if (s->fn != NULL)
		s->fn(s->arg, s, from, to, diag, failure);
}

static const struct bfd_fsm_ops bfd_sess_ops = {
	.now = bfd_clock_us,
	.random = bfd_sess_random,
	.timer_arm = bfd_sess_timer_arm,
	.timer_stop = bfd_sess_timer_stop,
	.send = bfd_sess_send,
	.state_changed = bfd_sess_changed,
};

static void
bfd_sess_tx_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	bfd_fsm_timer(&((struct bfd_session *)arg)->fsm, BFD_TIMER_TX);
}

static void
bfd_sess_detect_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	bfd_fsm_timer(&((struct bfd_session *)arg)->fsm, BFD_TIMER_DETECT);
}

/* ---- receive path ---- */

static struct bfd_session *
bfd_ctx_lookup(struct bfd_ctx *c, const struct bfd_pkt *p, const struct addr *src,
    unsigned ifindex, enum bfd_drop *why)
{
	struct bfd_session *s;

	for (s = c->head; s != NULL; s = s->next) {
		if (p->your_discr != 0) {
			if (s->fsm.local_discr != p->your_discr)
				continue;
		} else if (!addr_eq(&s->peer, src)) {
			continue;
		}
		/* Single hop: the datagram must come from the peer on its interface. */
		if (!addr_eq(&s->peer, src) || (s->ifindex != 0 && ifindex != s->ifindex))
			break;
		return s;
	}
	*why = p->your_discr != 0 ? BFD_DROP_YOUR_DISCR : BFD_DROP_NO_SESSION;
	return NULL;
}

static void
bfd_ctx_read(struct bfd_ctx *c, int fd)
{
	uint8_t buf[BFD_RX_BUF];
	union {
		struct cmsghdr	 align;
		uint8_t		 buf[CMSG_SPACE(sizeof(int)) +
				    CMSG_SPACE(sizeof(struct in6_pktinfo)) + 64];
	} cbuf;

	for (int budget = 64; budget > 0; budget--) {
		struct sockaddr_storage ss;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = { .msg_name = &ss, .msg_namelen = sizeof(ss),
		    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf,
		    .msg_controllen = sizeof(cbuf.buf) };
		struct cmsghdr *cm;
		struct bfd_session *s;
		struct bfd_pkt pkt;
		struct addr src;
		enum bfd_drop why;
		unsigned ifindex = 0;
		int ttl = -1;
		ssize_t n;

		memset(&ss, 0, sizeof(ss));
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0)
			return;
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
			if ((cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL) ||
			    (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT))
				memcpy(&ttl, CMSG_DATA(cm), sizeof(ttl));
			else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				ifindex = (unsigned)pi.ipi_ifindex;
			} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			    cm->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi6;

				memcpy(&pi6, CMSG_DATA(cm), sizeof(pi6));
				ifindex = pi6.ipi6_ifindex;
			}
		}
		if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
			continue;
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in sin;

			memcpy(&sin, &ss, sizeof(sin));
			addr_from_bytes(&src, AF_INET, &sin.sin_addr, 4);
		} else {
			struct sockaddr_in6 sin6;

			memcpy(&sin6, &ss, sizeof(sin6));
			addr_from_bytes(&src, AF_INET6, &sin6.sin6_addr, 16);
		}
		if (bfd_pkt_decode(buf, (size_t)n, &pkt, &why) != 0 ||
		    bfd_pkt_check_ttl(ttl, &why) != 0 ||
		    (s = bfd_ctx_lookup(c, &pkt, &src, ifindex, &why)) == NULL) {
			c->drops[why]++;
			if (log_enabled(LOG_LVL_DEBUG)) {
				char a[ADDR_STRLEN];

				log_msg(LOG_LVL_DEBUG, "bfd", "drop from %s: %s",
				    addr_format(&src, a, sizeof(a)), bfd_drop_name(why));
			}
			continue;
		}
		(void)bfd_fsm_rx(&s->fsm, &pkt, &why);
	}
}

static void
bfd_ctx_read_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	bfd_ctx_read(arg, fd);
}

static int
bfd_listen(int family, uint16_t port, const struct addr *bind_addr)
{
	struct sockaddr_storage ss;
	struct addr any = { .family = (uint8_t)family };
	const int one = 1;
	socklen_t sl;
	int fd;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) != 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) != 0)
			goto fail;
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) != 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) != 0)
			goto fail;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sl = bfd_sockaddr(bind_addr != NULL ? bind_addr : &any, port, 0, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0)
		goto fail;
	return fd;
fail:
	{
		int e = errno;

		close(fd);
		return -e;
	}
}

struct bfd_ctx *
bfd_ctx_new(struct event_base *base, uint16_t port, const struct addr *bind4,
    const struct addr *bind6)
{
	struct bfd_ctx *c = calloc(1, sizeof(*c));
	int e;

	if (c == NULL)
		return NULL;
	c->base = base;
	c->port = port;
	c->fd4 = c->fd6 = -1;
	if (getrandom(&c->rnd, sizeof(c->rnd), 0) != sizeof(c->rnd))
		c->rnd = bfd_clock_us(NULL);
	c->rnd |= 1;
	c->fd4 = bfd_listen(AF_INET, port, bind4);
	if (c->fd4 < 0) {
		e = -c->fd4;
		goto fail;
	}
	/* IPv6 may be disabled on the node: run IPv4 only then. */
	c->fd6 = bfd_listen(AF_INET6, port, bind6);
	if (c->fd6 < 0 && bind6 != NULL) {
		e = -c->fd6;
		goto fail;
	}
	c->ev4 = event_new(base, c->fd4, EV_READ | EV_PERSIST, bfd_ctx_read_cb, c);
	if (c->ev4 == NULL || event_add(c->ev4, NULL) != 0) {
		e = ENOMEM;
		goto fail;
	}
	if (c->fd6 >= 0) {
		c->ev6 = event_new(base, c->fd6, EV_READ | EV_PERSIST, bfd_ctx_read_cb, c);
		if (c->ev6 == NULL || event_add(c->ev6, NULL) != 0) {
			e = ENOMEM;
			goto fail;
		}
	}
	return c;
fail:
	bfd_ctx_free(c);
	errno = e;
	return NULL;
}

const uint64_t *
bfd_ctx_drops(const struct bfd_ctx *c)
{
	return c->drops;
}

unsigned
bfd_ctx_lingering(const struct bfd_ctx *c)
{
	return c->lingering;
}

/* ---- sessions ---- */

static int
bfd_sess_socket(struct bfd_session *s, struct bfd_ctx *c)
{
	const int ttl = BFD_TTL, one = 1;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, e;

	fd = socket(s->local.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* RFC 5881 §5: TTL / hop limit 255 on every packet. */
	if (s->local.family == AF_INET)
		e = setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	else
		e = setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (e != 0)
		goto fail;
	if (s->ifname[0] != '\0' && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->ifname,
	    (socklen_t)strlen(s->ifname)) != 0)
		goto fail;
	/* RFC 5881 §4: source port 49152-65535, unique per session. */
	for (int i = 0; i < BFD_BIND_TRIES; i++) {
		uint16_t port = (uint16_t)(BFD_SRC_PORT_MIN + bfd_ctx_random(c) %
		    (BFD_SRC_PORT_MAX - BFD_SRC_PORT_MIN + 1));

		sl = bfd_sockaddr(&s->local, port, s->ifindex, &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) == 0) {
			s->src_port = port;
			return fd;
		}
		if (errno != EADDRINUSE)
			goto fail;
	}
	errno = EADDRINUSE;
fail:
	e = errno;
	close(fd);
	return -e;
}

static uint32_t
bfd_ctx_new_discr(struct bfd_ctx *c)
{
	for (;;) {
		uint32_t d = bfd_ctx_random(c);
		struct bfd_session *s;

		if (d == 0)
			continue;
		for (s = c->head; s != NULL && s->fsm.local_discr != d; s = s->next)
			;
		if (s == NULL)
			return d;
	}
}

static void
bfd_sess_free(struct bfd_session *s)
{
	struct bfd_session **pp;

	if (s == NULL)
		return;
	for (pp = &s->ctx->head; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	if (s->lingering)
		s->ctx->lingering--;
	for (int t = 0; t < BFD_TIMER_MAX; t++)
		if (s->timer[t] != NULL)
			event_free(s->timer[t]);
	if (s->linger != NULL)
		event_free(s->linger);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

/* No local address configured: ask the kernel which source it would use toward peer. */
static int
bfd_local_for(const struct addr *peer, unsigned ifindex, const char *ifname,
    struct addr *local)
{
	struct sockaddr_storage ss;
	socklen_t sl = bfd_sockaddr(peer, BFD_PORT_CONTROL, ifindex, &ss);
	int fd, e = 0;

	fd = socket(peer->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if ((ifname[0] != '\0' && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	    (socklen_t)strlen(ifname)) != 0) || connect(fd, (struct sockaddr *)&ss, sl) != 0)
		e = -errno;
	sl = sizeof(ss);
	if (e == 0 && getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		e = -errno;
	close(fd);
	if (e != 0)
		return e;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, &ss, sizeof(sin));
		return addr_from_bytes(local, AF_INET, &sin.sin_addr, 4);
	} else {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, &ss, sizeof(sin6));
		return addr_from_bytes(local, AF_INET6, &sin6.sin6_addr, 16);
	}
}

struct bfd_session *
bfd_session_add(struct bfd_ctx *c, const char *name, const struct addr *local,
    const struct addr *peer,
    const char *ifname, uint16_t dst_port, const struct bfd_cfg *cfg, bfd_notify_fn fn,
    void *arg)
{
	struct bfd_session *s, **tail;
	int fd;

	if ((local != NULL && local->family != peer->family) || bfd_cfg_check(cfg, NULL) != 0 ||
	    (ifname != NULL && strlen(ifname) >= IF_NAMESIZE)) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->ctx = c;
	s->fd = -1;
	s->peer = *peer;
	if (name != NULL)
		snprintf(s->name, sizeof(s->name), "%s", name);
	else
		addr_format(peer, s->name, sizeof(s->name));
	s->dst_port = dst_port;
	s->fn = fn;
	s->arg = arg;
	if (ifname != NULL && ifname[0] != '\0') {
		snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
		s->ifindex = if_nametoindex(ifname);
		if (s->ifindex == 0)
			goto fail;
	}
	if (local != NULL) {
		s->local = *local;
	} else {
		int e = bfd_local_for(peer, s->ifindex, s->ifname, &s->local);

		if (e != 0) {
			errno = -e;
			goto fail;
		}
	}
	fd = bfd_sess_socket(s, c);
	if (fd < 0) {
		errno = -fd;
		goto fail;
	}
	s->fd = fd;
	s->timer[BFD_TIMER_TX] = evtimer_new(c->base, bfd_sess_tx_cb, s);
	s->timer[BFD_TIMER_DETECT] = evtimer_new(c->base, bfd_sess_detect_cb, s);
	if (s->timer[BFD_TIMER_TX] == NULL || s->timer[BFD_TIMER_DETECT] == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	bfd_fsm_init(&s->fsm, cfg, bfd_ctx_new_discr(c), &bfd_sess_ops, s);
	for (tail = &c->head; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = s;
	bfd_fsm_enable(&s->fsm);
	return s;
fail:
	{
		int e = errno;

		bfd_sess_free(s);
		errno = e;
		return NULL;
	}
}

static void
bfd_sess_linger_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bfd_session *s = arg;

	(void)fd;
	(void)what;
	bfd_fsm_stop(&s->fsm);
	bfd_sess_free(s);
}

void
bfd_session_del(struct bfd_session *s, enum bfd_diag diag, bool linger)
{
	uint64_t us;
	struct timeval tv;

	if (s == NULL || s->lingering)
		return;
	s->fn = NULL;
	/* §6.8.16: send AdminDown for at least the peer's detection time, i.e. with the
	 * interval we had before (AdminDown itself goes at the slow 1 s pace, §6.8.3), and
	 * at least one slow interval so that a second AdminDown follows the first. */
	us = bfd_fsm_admin_linger_us(&s->fsm);
	if (us < BFD_SLOW_TX_US + BFD_LINGER_SLACK_US)
		us = BFD_SLOW_TX_US + BFD_LINGER_SLACK_US;
	if (us > BFD_LINGER_MAX_US)
		us = BFD_LINGER_MAX_US;
	bfd_fsm_disable(&s->fsm, diag);
	if (linger && us > 0) {
		s->linger = evtimer_new(s->ctx->base, bfd_sess_linger_cb, s);
		if (s->linger != NULL) {
			tv.tv_sec = (time_t)(us / BFD_USEC_PER_SEC);
			tv.tv_usec = (suseconds_t)(us % BFD_USEC_PER_SEC);
			s->lingering = true;
			s->ctx->lingering++;
			evtimer_add(s->linger, &tv);
			return;
		}
	}
	bfd_fsm_stop(&s->fsm);
	bfd_sess_free(s);
}

void
bfd_ctx_free(struct bfd_ctx *c)
{
	if (c == NULL)
		return;
	while (c->head != NULL) {
		bfd_fsm_stop(&c->head->fsm);
		bfd_sess_free(c->head);
	}
	if (c->ev4 != NULL)
		event_free(c->ev4);
	if (c->ev6 != NULL)
		event_free(c->ev6);
	if (c->fd4 >= 0)
		close(c->fd4);
	if (c->fd6 >= 0)
		close(c->fd6);
	free(c);
}

const struct bfd_fsm *
bfd_session_fsm(const struct bfd_session *s)
{
	return &s->fsm;
}

const struct addr *
bfd_session_peer(const struct bfd_session *s)
{
	return &s->peer;
}

const struct addr *
bfd_session_local(const struct bfd_session *s)
{
	return &s->local;
}

void
bfd_session_set_name(struct bfd_session *s, const char *name)
{
	snprintf(s->name, sizeof(s->name), "%s", name);
}

const char *
bfd_session_name(const struct bfd_session *s)
{
	return s->name;
}

uint16_t
bfd_session_src_port(const struct bfd_session *s)
{
	return s->src_port;
}

const char *
bfd_session_ifname(const struct bfd_session *s)
{
	return s->ifname;
}

void
bfd_session_set_cfg(struct bfd_session *s, const struct bfd_cfg *cfg)
{
	bfd_fsm_set_cfg(&s->fsm, cfg);
}

struct bfd_session *
bfd_session_first(struct bfd_ctx *c)
{
	return c->head;
}

struct bfd_session *
bfd_session_next(struct bfd_session *s)
{
	return s->next;
}
