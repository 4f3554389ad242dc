// SPDX-License-Identifier: MIT
/*
 * BGP sessions on libevent (see session.h). Per peer: one timer event armed at the
 * FSM's earliest deadline, one deferred event (connect failures reported outside
 * the FSM call that started the connect; resuming reads after the per-callback
 * message cap), a bufferevent per connection. Closing a connection detaches it into
 * a draining state: queued output (a NOTIFICATION) is flushed, the write side shut,
 * input read and dropped until EOF or a short timeout, so the peer reads our
 * NOTIFICATION instead of a reset. Origination (bgp_originate_*) and route output
 * are at the end of the file.
 */
#include "bgp/session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "bgp/session_int.h"
#include "lib/clock.h"
#include "lib/log.h"

#define SESSION_MSGS_PER_CB	1024	/* messages handled per read callback */
#define SESSION_READ_MAX	(256 * 1024)	/* bytes read from the socket per event */
#define SESSION_DRAIN_SECS	2
#define SESSION_OPEN_BUF	4096

#ifndef IP_MINTTL
#define IP_MINTTL 21
#endif
#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73
#endif




uint64_t
bgp_now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* ---- sockaddr helpers ---- */

static socklen_t
sa_from_addr(struct sockaddr_storage *ss, const struct addr *a, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->bytes, 4);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	memcpy(&s6->sin6_addr, a->bytes, 16);
	return sizeof(*s6);
}

static void
addr_from_sa(const struct sockaddr_storage *ss, struct addr *a, uint16_t *port)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	memset(a, 0, sizeof(*a));
	*port = 0;
	if (ss->ss_family == AF_INET) {
		memcpy(&s4, ss, sizeof(s4));
		addr_from_bytes(a, AF_INET, &s4.sin_addr, 4);
		*port = ntohs(s4.sin_port);
	} else if (ss->ss_family == AF_INET6) {
		memcpy(&s6, ss, sizeof(s6));
		addr_from_bytes(a, AF_INET6, &s6.sin6_addr, 16);
		*port = ntohs(s6.sin6_port);
	}
	bgp_addr_unmap(a);
}

/* ---- socket options ---- */

/* RFC 2385 key for peer on fd (a listener or a connecting socket). */
static int
sock_md5(int fd, int sock_family, const struct addr *peer, const char *key)
{
	struct tcp_md5sig sig;
	size_t klen = strlen(key);

	memset(&sig, 0, sizeof(sig));
	if (sock_family == AF_INET6 && peer->family == AF_INET) {
		struct addr m;
		uint8_t b[16] = { [10] = 0xff, [11] = 0xff };

		memcpy(&b[12], peer->bytes, 4);
		addr_from_bytes(&m, AF_INET6, b, 16);
		sa_from_addr(&sig.tcpm_addr, &m, 0);
	} else {
		sa_from_addr(&sig.tcpm_addr, peer, 0);
	}
	if (klen > TCP_MD5SIG_MAXKEYLEN)
		return -EINVAL;
	sig.tcpm_keylen = (uint16_t)klen;
	memcpy(sig.tcpm_key, key, klen);
	if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig)) != 0)
		return -errno;
	return 0;
}

static const char *
md5_error(int rc)
{
	return rc == -ENOPROTOOPT || rc == -EOPNOTSUPP ?
	    "the kernel lacks TCP MD5 signatures (CONFIG_TCP_MD5SIG)" : strerror(-rc);
}

/* TTL: GTSM sends 255 and requires >= 256 - hops (RFC 5082 §3); plain eBGP uses 1
 * unless multihop; iBGP keeps the system default. */
static int
sock_ttl(struct bgp_peer *p, int fd, int family)
{
	const struct bgp_conf_peer *c = p->conf;
	int ttl = -1, minttl = 0;

	if (c->ttl_security) {
		ttl = 255;
		minttl = 256 - (c->multihop ? c->multihop : 1);
	} else if (c->multihop) {
		ttl = c->multihop;
	} else if (!p->ibgp) {
		ttl = 1;
	}
	if (ttl < 0)
		return 0;
	if (family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) != 0)
			return -errno;
		if (minttl && setsockopt(fd, IPPROTO_IP, IP_MINTTL, &minttl, sizeof(minttl)))
			return -errno;
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) != 0)
			return -errno;
		if (minttl && setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &minttl,
		    sizeof(minttl)))
			return -errno;
	}
	return 0;
}

/* ---- connections ---- */

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);
static void peer_conn_failed(struct bgp_peer *p, struct bgp_conn *c);

static struct bgp_conn *
conn_new(struct bgp_peer *p, int fd, bool outgoing)
{
	struct bgp_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->peer = p;
	c->fd = fd;
	c->outgoing = outgoing;
	c->bev = bufferevent_socket_new(p->sp->base, fd, BEV_OPT_CLOSE_ON_FREE);
	/* Full tables arrive in bulk: read up to 256 KiB per event instead of libevent's
	 * 16 KiB default (bench/bgp-ingest). */
	if (c->bev)
		(void)bufferevent_set_max_single_read(c->bev, SESSION_READ_MAX);
	if (!c->bev) {
		free(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, conn_read_cb, NULL, conn_event_cb, c);
	return c;
}

static void
conn_addrs(struct bgp_conn *c)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(ss);

	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0)
		addr_from_sa(&ss, &c->local, &c->lport);
	sl = sizeof(ss);
	if (getpeername(c->fd, (struct sockaddr *)&ss, &sl) == 0)
		addr_from_sa(&ss, &c->remote, &c->rport);
}

static void
drain_read_cb(struct bufferevent *bev, void *arg)
{
	(void)arg;
	evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
}

static void
drain_write_cb(struct bufferevent *bev, void *arg)
{
	(void)arg;
	shutdown(bufferevent_getfd(bev), SHUT_WR);
}

static void
drain_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct bgp_speaker *sp = arg;

	(void)what;
	bufferevent_free(bev);
	sp->draining--;
}

/* Give up c: flush what is queued, then close (see the file comment). */
static void
conn_close(struct bgp_speaker *sp, struct bgp_conn *c)
{
	struct timeval tv = { SESSION_DRAIN_SECS, 0 };

	if (!c)
		return;
	/* WARNING: conn_process() must learn that the connection it works on is gone. */
	if (c->peer->dispatching == c)
		c->peer->dispatching = NULL;
	if (!c->connected || !c->bev) {
		if (c->bev)
			bufferevent_free(c->bev);
		free(c);
		return;
	}
	sp->draining++;
	bufferevent_setcb(c->bev, drain_read_cb, drain_write_cb, drain_event_cb, sp);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		shutdown(c->fd, SHUT_WR);
	free(c);
}

void
session_conn_send(struct bgp_peer *p, struct bgp_conn *c, struct buf_writer *bw, uint8_t type)
{
	if (bw_error(bw)) {
		peer_log(LOG_LVL_ERR, p, "cannot encode %s: %s", bgp_msg_type_name(type),
		    strerror(-bw_error(bw)));
		return;
	}
	if (!c || !c->bev)
		return;
	bufferevent_write(c->bev, bw->data, bw->len);
	if (type < BGP_STAT_TYPES)
		p->stats.msgs_out[type]++;
}

int
bgp_peer_send(const struct bgp_peer *p, const void *msgs, size_t len)
{
	if (p->fsm.state != BGP_STATE_ESTABLISHED || !p->conn || !p->conn->bev)
		return -ENOTCONN;
	return bufferevent_write(p->conn->bev, msgs, len) == 0 ? 0 : -ENOMEM;
}

/* ---- FSM ops ---- */

static uint64_t
peer_now(const struct bgp_peer *p)
{
	return p->sp->now_ms ? p->sp->now_ms : bgp_now_ms();
}

static uint64_t
op_now(void *ctx)
{
	return peer_now(ctx);
}

static void
op_timers_changed(void *ctx)
{
	struct bgp_peer *p = ctx;
	uint64_t d = bgp_fsm_next_deadline(&p->fsm), now = peer_now(p);
	struct timeval tv;

	if (!p->timer)
		return;
	if (!d) {
		evtimer_del(p->timer);
		p->timer_at = 0;
		return;
	}
	/* A deadline that only moved later (the hold timer, on every message received)
	 * keeps the armed event: it fires early, finds nothing due and re-arms. */
	if (p->timer_at && p->timer_at <= d && evtimer_pending(p->timer, NULL))
		return;
	p->timer_at = d;
	d = d > now ? d - now : 0;
	tv.tv_sec = (time_t)(d / 1000);
	tv.tv_usec = (suseconds_t)(d % 1000) * 1000;
	evtimer_add(p->timer, &tv);
}

static void
peer_defer_fail(struct bgp_peer *p)
{
	p->defer_fail = true;
	event_active(p->defer, EV_TIMEOUT, 0);
}

static void
op_connect(void *ctx)
{
	struct bgp_peer *p = ctx;
	const struct bgp_conf_peer *c = p->conf;
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, rc, one = 1;

	conn_close(p->sp, p->conn);
	p->conn = NULL;
	fd = socket(c->addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0) {
		peer_log(LOG_LVL_ERR, p, "socket: %s", strerror(errno));
		peer_defer_fail(p);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (c->md5_password[0]) {
		rc = sock_md5(fd, c->addr.family, &c->addr, c->md5_password);
		if (rc) {
			peer_log(LOG_LVL_ERR, p, "TCP MD5: %s", md5_error(rc));
			close(fd);
			peer_defer_fail(p);
			return;
		}
	}
	rc = sock_ttl(p, fd, c->addr.family);
	if (rc)
		peer_log(LOG_LVL_WARN, p, "TTL options: %s", strerror(-rc));
	if (c->has_local_addr) {
		sl = sa_from_addr(&ss, &c->local_addr, 0);
		if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
			peer_log(LOG_LVL_WARN, p, "bind to local-address: %s", strerror(errno));
			close(fd);
			peer_defer_fail(p);
			return;
		}
	}
	p->conn = conn_new(p, fd, true);
	if (!p->conn) {
		close(fd);
		peer_defer_fail(p);
		return;
	}
	sl = sa_from_addr(&ss, &c->addr, c->port);
	if (bufferevent_socket_connect(p->conn->bev, (struct sockaddr *)&ss, (int)sl) != 0) {
		peer_log(LOG_LVL_DEBUG, p, "connect: %s", strerror(errno));
		peer_defer_fail(p);
		return;
	}
	peer_log(LOG_LVL_DEBUG, p, "connecting to port %u", c->port);
}

static void
op_disconnect(void *ctx)
{
	struct bgp_peer *p = ctx;

	conn_close(p->sp, p->conn);
	p->conn = NULL;
	/* A colliding connection outlives ours until Idle (op_state_changed).
	 * has_remote_open stays: op_down() (called after this when Established is left on
	 * a TCP failure) needs the peer's GR capability to decide on RFC 4724 helper mode;
	 * the next OPEN received overwrites it. */
}

static void
local_open_build(struct bgp_peer *p)
{
	const struct bgp_conf *g = p->sp->conf;
	const struct bgp_conf_peer *c = p->conf;
	struct bgp_open *o = &p->local_open;

	bgp_open_init(o, g->local_as, c->hold_time, g->router_id);
	if (c->family_v4)
		bgp_caps_add_mp(&o->caps, BGP_AFI_IPV4, BGP_SAFI_UNICAST);
	if (c->family_v6)
		bgp_caps_add_mp(&o->caps, BGP_AFI_IPV6, BGP_SAFI_UNICAST);
	o->caps.route_refresh = true;
	if (c->gr_enabled) {
		o->caps.gr = true;
		o->caps.gr_time = c->gr_restart_time & BGP_GR_TIME_MASK;
		o->caps.gr_flags = p->sp->gr_restarting ? BGP_GR_FLAG_RESTART : 0;
		if (c->family_v4)
			bgp_caps_add_gr_af(&o->caps, BGP_AFI_IPV4, BGP_SAFI_UNICAST,
			    p->sp->gr_forwarding ? BGP_GR_AF_FORWARDING : 0);
		if (c->family_v6)
			bgp_caps_add_gr_af(&o->caps, BGP_AFI_IPV6, BGP_SAFI_UNICAST,
			    p->sp->gr_forwarding ? BGP_GR_AF_FORWARDING : 0);
	}
}

static void
conn_send_open(struct bgp_peer *p, struct bgp_conn *c)
{
	uint8_t buf[SESSION_OPEN_BUF];
	struct buf_writer bw;

	bw_init(&bw, buf, sizeof(buf));
	bgp_open_encode(&bw, &p->local_open);
	session_conn_send(p, c, &bw, BGP_MSG_OPEN);
	c->open_sent = true;
}

static void
op_send_open(void *ctx)
{
	struct bgp_peer *p = ctx;

	local_open_build(p);
	if (p->conn)
		conn_send_open(p, p->conn);
}

static void
op_send_keepalive(void *ctx)
{
	struct bgp_peer *p = ctx;
	uint8_t buf[BGP_KEEPALIVE_LEN];
	struct buf_writer bw;

	bw_init(&bw, buf, sizeof(buf));
	bgp_keepalive_encode(&bw);
	session_conn_send(p, p->conn, &bw, BGP_MSG_KEEPALIVE);
}

static void
conn_send_notification(struct bgp_peer *p, struct bgp_conn *c, uint8_t code, uint8_t sub,
    const uint8_t *data, size_t len)
{
	uint8_t buf[BGP_MAX_LEN];
	struct buf_writer bw;
	char text[BGP_SHUTDOWN_MSG_MAX + 1];

	bw_init(&bw, buf, sizeof(buf));
	if (code == BGP_ERR_CEASE && (sub == BGP_ERR_CEASE_ADMIN_SHUTDOWN ||
	    sub == BGP_ERR_CEASE_ADMIN_RESET)) {
		/* RFC 8203: the FSM hands us the text, the codec frames it. */
		if (len >= sizeof(text))
			len = sizeof(text) - 1;
		if (data)
			memcpy(text, data, len);
		text[data ? len : 0] = '\0';
		bgp_notification_encode_shutdown(&bw, sub, text[0] ? text : NULL);
	} else {
		bgp_notification_encode(&bw, code, sub, data, len);
	}
	session_conn_send(p, c, &bw, BGP_MSG_NOTIFICATION);
}

static void
op_send_notification(void *ctx, uint8_t code, uint8_t sub, const uint8_t *data, size_t len)
{
	struct bgp_peer *p = ctx;

	p->notif_seen = true;
	snprintf(p->last_error, sizeof(p->last_error), "sent %s/%s", bgp_err_code_name(code),
	    bgp_err_subcode_name(code, sub));
	peer_log(LOG_LVL_WARN, p, "sending NOTIFICATION %s", p->last_error + 5);
	if (p->conn)
		conn_send_notification(p, p->conn, code, sub, data, len);
}


static void
ifa_addr_get(const struct sockaddr *sa, struct addr *a)
{
	struct sockaddr_storage ss = { 0 };
	uint16_t port;

	memcpy(&ss, sa, sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in));
	addr_from_sa(&ss, a, &port);
}

/* An address of the other family on the interface that carries local (for IPv6
 * NLRI over an IPv4 session and the reverse). */
static bool
iface_other_addr(const struct addr *local, int want, struct addr *out)
{
	struct ifaddrs *ifa, *i, *j;
	bool found = false;

	if (getifaddrs(&ifa) != 0)
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		struct addr a;

		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET &&
		    i->ifa_addr->sa_family != AF_INET6))
			continue;
		ifa_addr_get(i->ifa_addr, &a);
		if (!addr_eq(&a, local))
			continue;
		for (j = ifa; j; j = j->ifa_next) {
			struct addr b;

			if (!j->ifa_addr || j->ifa_addr->sa_family != want ||
			    strcmp(j->ifa_name, i->ifa_name))
				continue;
			ifa_addr_get(j->ifa_addr, &b);
			/* skip link-local fe80::/10: not a usable global next hop */
			if (want == AF_INET6 && b.bytes[0] == 0xfe && (b.bytes[1] & 0xc0) == 0x80)
				continue;
			if (addr_is_v4_mapped(&b))
				continue;
			*out = b;
			found = true;
			break;
		}
	}
	freeifaddrs(ifa);
	return found;
}

static void
op_established(void *ctx)
{
	struct bgp_peer *p = ctx;
	struct addr other;
	bool has_other = false;
	char s[ADDR_STRLEN];

	bgp_caps_negotiate(&p->local_open, &p->remote_open, &p->wctx);
	p->wctx.ebgp = !p->ibgp;
	p->wctx.peer_as = p->conf->remote_as;
	p->wctx.check_first_as = !p->ibgp;
	memset(p->disabled_fam, 0, sizeof(p->disabled_fam));
	p->max_prefix_warned = false;
	p->notif_seen = false;
	p->last_error[0] = '\0';
	if (p->conn) {
		conn_addrs(p->conn);
		has_other = iface_other_addr(&p->conn->local,
		    p->conn->local.family == AF_INET ? AF_INET6 : AF_INET, &other);
	}
	for (int f = 0; f < 2; f++) {
		int fam = f ? AF_INET6 : AF_INET;

		p->has_nh[f] = bgp_nexthop_select(fam, p->conn ? &p->conn->local : NULL,
		    p->conf->has_next_hop_v6 ? &p->conf->next_hop_v6 : NULL,
		    has_other && other.family == AF_INET ? &other : NULL,
		    has_other && other.family == AF_INET6 ? &other : NULL, &p->nh[f]) == 0;
	}
	peer_log(LOG_LVL_INFO, p, "session established (hold %u s, keepalive %u s, "
	    "next hop v4 %s, v6 %s)", p->fsm.hold_time, p->fsm.keepalive,
	    p->has_nh[0] ? addr_format(&p->nh[0], s, sizeof(s)) : "none",
	    p->has_nh[1] ? addr_format(&p->nh[1], (char[ADDR_STRLEN]){0}, ADDR_STRLEN) : "none");
	if (p->sp->rib.peer_up)
		p->sp->rib.peer_up(p->sp->rib.arg, p);
	session_announce_all(p);
}

static void
op_down(void *ctx)
{
	struct bgp_peer *p = ctx;
	bool graceful = p->has_remote_open && p->remote_open.caps.gr && !p->notif_seen;

	p->stats.flaps++;
	bgp_adjin_flush(p->adjin, 0);
	if (p->sp->rib.peer_down)
		p->sp->rib.peer_down(p->sp->rib.arg, p->conf->name, graceful);
}

static void
op_state_changed(void *ctx, enum bgp_state from, enum bgp_state to, enum bgp_event why)
{
	struct bgp_peer *p = ctx;

	p->state_wall = time(NULL);
	if (to == BGP_STATE_IDLE && p->pend) {
		conn_close(p->sp, p->pend);
		p->pend = NULL;
	}
	peer_log(to == BGP_STATE_ESTABLISHED || from == BGP_STATE_ESTABLISHED ?
	    LOG_LVL_INFO : LOG_LVL_DEBUG, p, "%s -> %s (%s)", bgp_state_name(from),
	    bgp_state_name(to), bgp_event_name(why));
}

static const struct bgp_fsm_ops session_fsm_ops = {
	.now = op_now,
	.timers_changed = op_timers_changed,
	.connect = op_connect,
	.disconnect = op_disconnect,
	.send_open = op_send_open,
	.send_keepalive = op_send_keepalive,
	.send_notification = op_send_notification,
	.established = op_established,
	.down = op_down,
	.state_changed = op_state_changed,
};

/* ---- events ---- */

static void
peer_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_peer *p = arg;

	(void)fd;
	(void)what;
	bgp_fsm_tick(&p->fsm);
	op_timers_changed(p);
}

static void conn_process(struct bgp_conn *c);

static void
peer_defer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_peer *p = arg;

	(void)fd;
	(void)what;
	if (p->defer_fail) {
		p->defer_fail = false;
		conn_close(p->sp, p->conn);
		p->conn = NULL;
		bgp_fsm(&p->fsm, BGP_EV_TCP_FAILED, NULL);
		return;
	}
	if (p->conn)
		conn_process(p->conn);
}

static void
peer_conn_failed(struct bgp_peer *p, struct bgp_conn *c)
{
	if (c == p->pend) {
		conn_close(p->sp, c);
		p->pend = NULL;
		return;
	}
	if (c == p->conn) {
		if (p->dispatching == c)
			p->dispatching = NULL;
		/* The connection is gone: nothing can be flushed. */
		if (c->bev) {
			bufferevent_free(c->bev);
			c->bev = NULL;
		}
		c->connected = false;
		bgp_fsm(&p->fsm, BGP_EV_TCP_FAILED, NULL);
	}
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct bgp_conn *c = arg;
	struct bgp_peer *p = c->peer;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		c->connected = true;
		conn_addrs(c);
		bufferevent_enable(c->bev, EV_READ | EV_WRITE);
		bgp_fsm(&p->fsm, BGP_EV_TCP_CONNECTED, NULL);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		peer_log(LOG_LVL_DEBUG, p, "connection %s: %s", what & BEV_EVENT_EOF ?
		    "closed by peer" : "error", evutil_socket_error_to_string(
		    EVUTIL_SOCKET_ERROR()));
		peer_conn_failed(p, c);
	}
}

static void
fsm_err(struct bgp_peer *p, enum bgp_event ev, const struct bgp_err *err)
{
	struct bgp_fsm_msg m = {
		.code = err->code, .subcode = err->subcode,
		.data = err->data, .datalen = err->datalen,
	};

	peer_log(LOG_LVL_WARN, p, "%s: %s", bgp_event_name(ev), err->reason[0] ?
	    err->reason : bgp_err_subcode_name(err->code, err->subcode));
	bgp_fsm(&p->fsm, ev, &m);
}

/* ---- message handlers ---- */

static void peer_max_prefix(struct bgp_peer *p);

static void
peer_withdraw(struct bgp_peer *p, const struct prefix *pfx, size_t n)
{
	const struct bgp_rib_client *c = &p->sp->rib;
	size_t from = 0;

	for (size_t i = 0; i < n; i++) {
		/* what the Adj-RIB-In did not hold is not passed on; runs in between are */
		if (p->sp->keep_adjin && !bgp_adjin_withdraw(p->adjin, &pfx[i])) {
			if (c->route_withdraw && i > from)
				c->route_withdraw(c->arg, p->conf->name, &pfx[from], i - from);
			from = i + 1;
			continue;
		}
		p->stats.withdraws_in++;
	}
	if (c->route_withdraw && n > from)
		c->route_withdraw(c->arg, p->conf->name, &pfx[from], n - from);
}

static void
peer_announce_in(struct bgp_peer *p, const struct prefix *pfx, size_t n,
    const struct bgp_update *u, const struct addr *nh, const struct addr *ll)
{
	const struct bgp_attrs *attrs = &u->attrs;
	const struct bgp_rib_client *c = &p->sp->rib;
	struct bgp_route r = {
		.attrs = *attrs, .since = time(NULL), .packed = u->packed,
		.packed_len = u->packed_len,
	};
	size_t i;

	/* one UPDATE's NLRI (or MP_REACH) are of one family */
	if (!n || p->disabled_fam[fam_idx(pfx[0].addr.family)])
		return;
	r.attrs_id = ++p->sp->attrs_ids;
	r.nexthop = *nh;
	if (ll) {
		r.has_ll = true;
		r.nexthop_ll = *ll;
	}
	for (i = 0; i < n && p->sp->keep_adjin; i++) {
		if (bgp_adjin_update(p->adjin, &pfx[i], attrs, nh, ll, r.since) < 0) {
			peer_log(LOG_LVL_ERR, p, "out of memory storing a route");
			break;
		}
	}
	if (p->sp->keep_adjin)
		n = i;
	p->stats.updates_in_prefixes += n;
	if (c->route_update && n)
		c->route_update(c->arg, p->conf->name, pfx, n, &r);
}

/* The speaker's UPDATE arena; NULL (plain malloc) when it cannot be had. */
#define SESSION_ARENA	(64 * 1024)

static struct bgp_arena *
session_arena(struct bgp_speaker *sp)
{
	if (!sp->arena.base) {
		sp->arena.base = malloc(SESSION_ARENA);
		if (!sp->arena.base)
			return NULL;
		sp->arena.cap = SESSION_ARENA;
	}
	return &sp->arena;
}

static void
handle_update(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	struct bgp_update u;
	struct bgp_err err;
	int rc;

	if (p->fsm.state != BGP_STATE_ESTABLISHED) {
		bgp_fsm(&p->fsm, BGP_EV_UPDATE_RECV, NULL);	/* RFC 6608 FSM error */
		return;
	}
	bgp_err_clear(&err);
	rc = bgp_update_decode_arena(&p->wctx, msg + BGP_HDR_LEN, len - BGP_HDR_LEN, &u, &err,
	    session_arena(p->sp));
	if (rc == -ENOMEM) {
		peer_log(LOG_LVL_ERR, p, "out of memory decoding an UPDATE");
		goto out;
	}
	if (rc) {
		fsm_err(p, BGP_EV_UPDATE_ERR, &err);
		goto out;
	}
	bgp_fsm(&p->fsm, BGP_EV_UPDATE_RECV, NULL);	/* restarts the hold timer */
	if (u.eor) {
		int f = bgp_family_from_afisafi(u.eor_afi, u.eor_safi);

		peer_log(LOG_LVL_DEBUG, p, "End-of-RIB for AFI %u SAFI %u", u.eor_afi, u.eor_safi);
		if (f >= 0 && p->sp->rib.eor)
			p->sp->rib.eor(p->sp->rib.arg, p->conf->name,
			    f == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET);
	}
	peer_withdraw(p, u.withdrawn, u.nwithdrawn);
	if (u.has_mp_unreach)
		peer_withdraw(p, u.mp_unreach.withdrawn, u.mp_unreach.nwithdrawn);
	switch (err.action) {
	case BGP_ACT_TREAT_AS_WITHDRAW:
		/* RFC 7606 §2: the announced NLRI are withdrawn, the session stays. */
		p->stats.treat_as_withdraw++;
		peer_log(LOG_LVL_WARN, p, "UPDATE treated as withdraw: %s", err.reason);
		peer_withdraw(p, u.nlri, u.nnlri);
		if (u.has_mp_reach)
			peer_withdraw(p, u.mp_reach.nlri, u.mp_reach.nnlri);
		goto out;
	case BGP_ACT_AFISAFI_DISABLE: {
		int f = bgp_family_from_afisafi(err.afi, err.safi);

		peer_log(LOG_LVL_WARN, p, "disabling AFI %u SAFI %u: %s", err.afi, err.safi,
		    err.reason);
		if (f >= 0) {
			int fam = f == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET;

			p->disabled_fam[fam_idx(fam)] = true;
			bgp_adjin_flush(p->adjin, fam);
		}
		break;
	}
	case BGP_ACT_ATTR_DISCARD:
		p->stats.attr_discard++;
		peer_log(LOG_LVL_WARN, p, "attribute discarded: %s", err.reason);
		break;
	default:
		break;
	}
	if (u.nnlri)
		peer_announce_in(p, u.nlri, u.nnlri, &u, &u.attrs.next_hop, NULL);
	if (u.has_mp_reach && u.mp_reach.nnlri) {
		if (u.mp_reach.nh_v4_mapped)
			peer_log(LOG_LVL_DEBUG, p, "IPv4-mapped IPv6 next hop received");
		peer_announce_in(p, u.mp_reach.nlri, u.mp_reach.nnlri, &u,
		    &u.mp_reach.nexthop, u.mp_reach.has_ll ? &u.mp_reach.nexthop_ll : NULL);
	}
	peer_max_prefix(p);
out:
	bgp_update_free(&u);
}

static void
peer_max_prefix(struct bgp_peer *p)
{
	const struct bgp_conf_peer *c = p->conf;
	size_t n;
	uint8_t data[7];
	struct bgp_fsm_msg m = { .code = BGP_ERR_CEASE, .subcode = BGP_ERR_CEASE_MAX_PREFIX };

	if (!c->max_prefix)
		return;
	n = bgp_adjin_count(p->adjin, 0);
	if (n <= c->max_prefix) {
		p->max_prefix_warned = false;
		return;
	}
	if (c->max_prefix_action == BGP_MAXPFX_WARN) {
		if (!p->max_prefix_warned)
			peer_log(LOG_LVL_WARN, p, "max-prefix %u exceeded (%zu prefixes)",
			    c->max_prefix, n);
		if (!p->max_prefix_warned)
			p->stats.max_prefix_hits++;
		p->max_prefix_warned = true;
		return;
	}
	p->stats.max_prefix_hits++;
	peer_log(LOG_LVL_ERR, p, "max-prefix %u exceeded (%zu prefixes): stopping the peer "
	    "(re-enable with POST /v1/bgp/peers/%s/enable)", c->max_prefix, n, c->name);
	/* RFC 4486 §4: AFI, SAFI, upper bound. */
	data[0] = 0;
	data[1] = BGP_AFI_IPV4;
	data[2] = BGP_SAFI_UNICAST;
	data[3] = (uint8_t)(c->max_prefix >> 24);
	data[4] = (uint8_t)(c->max_prefix >> 16);
	data[5] = (uint8_t)(c->max_prefix >> 8);
	data[6] = (uint8_t)c->max_prefix;
	m.data = data;
	m.datalen = sizeof(data);
	bgp_fsm(&p->fsm, BGP_EV_MANUAL_STOP, &m);
}

static void
handle_notification(struct bgp_peer *p, struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_notification n;
	struct bgp_fsm_msg m = { 0 };
	char text[512];

	if (bgp_notification_decode(msg + BGP_HDR_LEN, len - BGP_HDR_LEN, &n) != 0) {
		snprintf(text, sizeof(text), "truncated NOTIFICATION");
		n.code = 0;
		n.subcode = 0;
	} else {
		bgp_notification_format(&n, text, sizeof(text));
	}
	if (c == p->pend) {
		peer_log(LOG_LVL_INFO, p, "colliding connection closed by peer: %s", text);
		conn_close(p->sp, c);
		p->pend = NULL;
		return;
	}
	p->notif_seen = true;
	snprintf(p->last_error, sizeof(p->last_error), "received %.230s", text);
	peer_log(LOG_LVL_WARN, p, "NOTIFICATION received: %s", text);
	m.code = n.code;
	m.subcode = n.subcode;
	/* RFC 4271 §8.2.2 event 24: an OPEN error for an unsupported version. */
	bgp_fsm(&p->fsm, n.code == BGP_ERR_OPEN && n.subcode == BGP_ERR_OPEN_VERSION ?
	    BGP_EV_NOTIF_VERSION_ERR : BGP_EV_NOTIF_RECV, &m);
}

/* Second connection's OPEN arrived: RFC 4271 §6.8. */
static void
collision_resolve(struct bgp_peer *p)
{
	struct bgp_conn *c = p->pend;
	bool keep_new;

	if (p->fsm.state == BGP_STATE_CONNECT || p->fsm.state == BGP_STATE_ACTIVE) {
		/* Our own attempt never got anywhere: the peer's connection is the session. */
		keep_new = true;
	} else {
		keep_new = bgp_fsm_collision_keep_new(&p->fsm, p->sp->conf->router_id,
		    c->open.bgp_id, p->conn ? p->conn->outgoing : true);
	}
	if (!keep_new) {
		peer_log(LOG_LVL_INFO, p, "connection collision: keeping the existing one");
		conn_send_notification(p, c, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION, NULL, 0);
		conn_close(p->sp, c);
		p->pend = NULL;
		return;
	}
	peer_log(LOG_LVL_INFO, p, "connection collision: switching to the peer's connection");
	if (p->conn && p->conn->connected && p->conn->open_sent)
		conn_send_notification(p, p->conn, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION, NULL, 0);
	conn_close(p->sp, p->conn);
	p->conn = c;
	p->pend = NULL;
	p->remote_open = c->open;
	p->has_remote_open = true;
	/* Continue the FSM on the surviving connection: its OPEN was sent already. */
	bgp_change_state(&p->fsm, BGP_STATE_OPENSENT, BGP_EV_OPEN_COLLISION_DUMP);
	{
		struct bgp_fsm_msg m = { .hold_time = c->open.hold_time, .remote_id = c->open.bgp_id };

		bgp_fsm(&p->fsm, BGP_EV_OPEN_RECV, &m);
	}
}

static void
handle_open(struct bgp_peer *p, struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	struct bgp_open o;
	struct bgp_err err;
	struct bgp_fsm_msg m = { 0 };

	bgp_err_clear(&err);
	if (bgp_open_decode(msg + BGP_HDR_LEN, len - BGP_HDR_LEN, &o, &err) != 0 ||
	    bgp_open_check(&o, p->conf->remote_as, p->sp->conf->router_id, p->ibgp,
	    &err) != 0) {
		if (c == p->pend) {
			conn_send_notification(p, c, err.code, err.subcode, err.data, err.datalen);
			conn_close(p->sp, c);
			p->pend = NULL;
			return;
		}
		fsm_err(p, BGP_EV_OPEN_ERR, &err);
		return;
	}
	if (c == p->pend) {
		c->open = o;
		c->open_received = true;
		collision_resolve(p);
		return;
	}
	p->remote_open = o;
	p->has_remote_open = true;
	m.hold_time = o.hold_time;
	m.remote_id = o.bgp_id;
	bgp_fsm(&p->fsm, BGP_EV_OPEN_RECV, &m);
}

static void
handle_route_refresh(struct bgp_peer *p, const uint8_t *msg, size_t len)
{
	struct bgp_route_refresh rr;
	struct bgp_err err;

	bgp_err_clear(&err);
	if (bgp_route_refresh_decode(msg + BGP_HDR_LEN, len - BGP_HDR_LEN, &rr, &err) != 0) {
		fsm_err(p, BGP_EV_UPDATE_ERR, &err);
		return;
	}
	bgp_fsm(&p->fsm, BGP_EV_ROUTE_REFRESH_RECV, NULL);
	if (p->fsm.state == BGP_STATE_ESTABLISHED && rr.subtype == BGP_RR_NORMAL) {
		int fam = bgp_family_from_afisafi(rr.afi, rr.safi);

		session_announce_all(p);
		if (fam >= 0 && p->sp->rib.route_refresh)
			p->sp->rib.route_refresh(p->sp->rib.arg, p->conf->name,
			    fam == BGP_FAM_IPV6_UNICAST ? AF_INET6 : AF_INET);
	}
}

int
bgp_peer_request_refresh(const struct bgp_peer *p)
{
	uint8_t buf[2 * BGP_ROUTE_REFRESH_LEN];
	struct buf_writer bw;

	if (p->fsm.state != BGP_STATE_ESTABLISHED || !p->conn || !p->conn->bev)
		return -ENOTCONN;
	if (!p->has_remote_open || !p->remote_open.caps.route_refresh)
		return -EOPNOTSUPP;	/* RFC 2918 §4: only to a peer that advertised it */
	bw_init(&bw, buf, sizeof(buf));
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		uint16_t afi;
		uint8_t safi;

		if (!(p->wctx.families & BGP_FAM_BIT(f)))
			continue;
		bgp_family_to_afisafi((enum bgp_family)f, &afi, &safi);
		bgp_route_refresh_encode(&bw, afi, safi, BGP_RR_NORMAL);
	}
	if (bw_error(&bw))
		return bw_error(&bw);
	return bw.len && bufferevent_write(p->conn->bev, bw.data, bw.len) != 0 ? -ENOMEM : 0;
}

/* One whole message of len octets (header checked). Returns false when the
 * connection went away and processing must stop. */
static bool
conn_dispatch(struct bgp_conn *c, const struct bgp_hdr *h, const uint8_t *msg)
{
	struct bgp_peer *p = c->peer;

	if (h->type < BGP_STAT_TYPES)
		p->stats.msgs_in[h->type]++;
	if (c == p->pend) {
		/* Only OPEN (or NOTIFICATION) matters before the collision is resolved;
		 * anything else this early is dropped with the connection. */
		if (h->type == BGP_MSG_OPEN)
			handle_open(p, c, msg, h->len);
		else if (h->type == BGP_MSG_NOTIFICATION)
			handle_notification(p, c, msg, h->len);
		else {
			conn_close(p->sp, c);
			p->pend = NULL;
		}
		return p->dispatching == c;
	}
	switch (h->type) {
	case BGP_MSG_OPEN:
		if (p->fsm.state != BGP_STATE_OPENSENT && !bgp_timer_running(&p->fsm,
		    BGP_TIMER_DELAY_OPEN)) {
			bgp_fsm(&p->fsm, BGP_EV_OPEN_RECV, NULL);	/* FSM error */
			break;
		}
		handle_open(p, c, msg, h->len);
		break;
	case BGP_MSG_UPDATE:
		handle_update(p, msg, h->len);
		break;
	case BGP_MSG_NOTIFICATION:
		handle_notification(p, c, msg, h->len);
		break;
	case BGP_MSG_KEEPALIVE:
		bgp_fsm(&p->fsm, BGP_EV_KEEPALIVE_RECV, NULL);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		handle_route_refresh(p, msg, h->len);
		break;
	default:
		break;
	}
	return p->dispatching == c;
}

/* Frame and dispatch what is buffered on c, at most SESSION_MSGS_PER_CB messages. */
#define CLOCK_EVERY	32	/* messages between two clock reads within a burst */

static void conn_process_msgs(struct bgp_conn *c);

static void
conn_process(struct bgp_conn *c)
{
	struct bgp_speaker *sp = c->peer->sp;

	conn_process_msgs(c);	/* c may be gone afterwards */
	sp->now_ms = 0;
}

static void
conn_process_msgs(struct bgp_conn *c)
{
	struct bgp_peer *p = c->peer;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	bool is_pend = c == p->pend;
	size_t avail = evbuffer_get_length(in), off = 0;
	uint8_t *base;
	int n;

	if (avail < BGP_HDR_LEN)
		return;
	/* All that is buffered, made contiguous once (a read is 4 KiB): the messages are
	 * handled where they lie and drained together. What a message's handling
	 * does to the connection is seen through conn_dispatch()'s result, as before. */
	base = evbuffer_pullup(in, -1);
	if (!base)
		return;
	for (n = 0; n < SESSION_MSGS_PER_CB; n++) {
		size_t maxlen = bgp_wire_max_len(&p->wctx);
		struct bgp_hdr h;
		struct bgp_err err;
		int rc;

		if (avail - off < BGP_HDR_LEN)
			break;
		if (n % CLOCK_EVERY == 0)
			p->sp->now_ms = bgp_now_ms();
		/* Before Established the negotiated size is unknown: OPEN and KEEPALIVE are
		 * capped at 4096 by the codec anyway (RFC 8654 §4). */
		if (p->fsm.state != BGP_STATE_ESTABLISHED || is_pend)
			maxlen = BGP_EXT_MAX_LEN;
		bgp_err_clear(&err);
		rc = bgp_hdr_decode(base + off, BGP_HDR_LEN, maxlen, &h, &err);
		if (rc == -EAGAIN)
			break;
		if (rc) {
			evbuffer_drain(in, off);	/* what was handled stays handled */
			if (is_pend) {
				conn_send_notification(p, c, err.code, err.subcode, err.data,
				    err.datalen);
				conn_close(p->sp, c);
				p->pend = NULL;
				return;
			}
			fsm_err(p, BGP_EV_HEADER_ERR, &err);
			return;
		}
		if (avail - off < h.len)
			break;
		p->dispatching = c;
		if (!conn_dispatch(c, &h, base + off))
			return;	/* c was closed and freed: do not touch it */
		p->dispatching = NULL;
		off += h.len;
		is_pend = c == p->pend;
	}
	evbuffer_drain(in, off);
	/* More may be buffered: continue from the loop, not from this callback. */
	if (n == SESSION_MSGS_PER_CB && evbuffer_get_length(in) >= BGP_HDR_LEN)
		event_active(p->defer, EV_TIMEOUT, 0);
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_process(arg);
}

/* ---- listener ---- */

static struct bgp_peer *
peer_by_addr(struct bgp_speaker *sp, const struct addr *a)
{
	for (size_t i = 0; i < sp->npeers; i++)
		if (addr_eq(&sp->peers[i].conf->addr, a))
			return &sp->peers[i];
	return NULL;
}

static void
listen_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct bgp_speaker *sp = arg;
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(ss);
	struct bgp_peer *p;
	struct bgp_conn *c;
	struct addr a;
	uint16_t port;
	char s[ADDR_STRLEN];
	int fd, verdict, one = 1;

	(void)what;
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	memset(&ss, 0, sizeof(ss));
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0) {
		close(fd);
		return;
	}
	addr_from_sa(&ss, &a, &port);
	p = peer_by_addr(sp, &a);
	if (!p) {
		log_info("bgp: refusing connection from unknown %s", addr_format(&a, s, sizeof(s)));
		close(fd);
		return;
	}
	verdict = bgp_fsm_incoming(&p->fsm);
	/* Connect with our own attempt in flight: keep both until an OPEN decides. */
	if (verdict == 1 && p->conn)
		verdict = 0;
	if (verdict < 0 || (verdict == 0 && p->pend)) {
		peer_log(LOG_LVL_DEBUG, p, "refusing incoming connection in %s",
		    bgp_state_name(p->fsm.state));
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	sock_ttl(p, fd, ss.ss_family);
	c = conn_new(p, fd, false);
	if (!c) {
		close(fd);
		return;
	}
	c->connected = true;
	conn_addrs(c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	if (verdict == 1) {
		/* Connect/Active without a connection of our own: take it. */
		p->conn = c;
		peer_log(LOG_LVL_DEBUG, p, "accepted connection");
		bgp_fsm(&p->fsm, BGP_EV_TCP_CONNECTED, NULL);
		return;
	}
	/* OpenSent/OpenConfirm: keep it aside until its OPEN tells who wins. */
	peer_log(LOG_LVL_DEBUG, p, "colliding connection accepted, waiting for its OPEN");
	p->pend = c;
	conn_send_open(p, c);
}

static int
listen_one(struct bgp_speaker *sp, int i, const struct addr *a, struct diag *d)
{
	const struct bgp_conf *g = sp->conf;
	struct sockaddr_storage ss;
	socklen_t sl = sa_from_addr(&ss, a, g->listen_port);
	char s[ADDR_STRLEN];
	int fd, one = 1, rc;

	fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return diag_failv(d, -errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	for (size_t k = 0; k < sp->npeers; k++) {
		const struct bgp_conf_peer *c = sp->peers[k].conf;

		if (!c->md5_password[0] || c->addr.family != a->family)
			continue;
		rc = sock_md5(fd, a->family, &c->addr, c->md5_password);
		if (rc) {
			close(fd);
			return diag_failv(d, rc, "peer %s: TCP MD5 on the listener: %s", c->name,
			    md5_error(rc));
		}
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 32) != 0) {
		rc = -errno;
		close(fd);
		return diag_failv(d, rc, "cannot listen on %s port %u: %s",
		    addr_format(a, s, sizeof(s)), g->listen_port, strerror(-rc));
	}
	sp->lfd[i] = fd;
	sp->lev[i] = event_new(sp->base, fd, EV_READ | EV_PERSIST, listen_cb, sp);
	if (!sp->lev[i] || event_add(sp->lev[i], NULL) != 0)
		return diag_failv(d, -ENOMEM, "event_new failed");
	return 0;
}

/* ---- speaker ---- */

struct bgp_speaker *
bgp_speaker_new(struct event_base *base, const struct bgp_conf *conf, struct diag *d)
{
	struct bgp_speaker *sp = calloc(1, sizeof(*sp));
	time_t now = time(NULL);

	if (!sp)
		goto nomem;
	sp->base = base;
	sp->conf = conf;
	sp->lfd[0] = sp->lfd[1] = -1;
	sp->keep_adjin = true;
	sp->origins = bgp_origin_table_new();
	sp->peers = calloc(conf->npeers + 1, sizeof(*sp->peers));
	if (!sp->origins || !sp->peers)
		goto nomem;
	for (size_t i = 0; i < conf->norig; i++) {
		const struct bgp_conf_originate *o = &conf->originate[i];

		if (bgp_origin_add(sp->origins, &o->prefix, o->communities, o->ncommunities,
		    BGP_ORIGIN_CONFIG, now) < 0)
			goto nomem;
	}
	for (size_t i = 0; i < conf->npeers; i++) {
		struct bgp_peer *p = &sp->peers[i];
		const struct bgp_conf_peer *c = &conf->peers[i];
		struct bgp_fsm_conf fc = {
			.hold_time = c->hold_time, .keepalive = c->keepalive,
			.connect_retry = c->connect_retry,
			.idle_hold = c->connect_retry < 5 ? c->connect_retry : 5,
			.passive = c->passive,
		};

		p->sp = sp;
		p->conf = c;
		p->ibgp = c->remote_as == conf->local_as;
		p->adjin = bgp_adjin_new();
		p->timer = evtimer_new(base, peer_timer_cb, p);
		p->defer = event_new(base, -1, 0, peer_defer_cb, p);
		if (!p->adjin || !p->timer || !p->defer)
			goto nomem;
		sp->npeers++;
		bgp_fsm_init(&p->fsm, &fc, &session_fsm_ops, p);
		local_open_build(p);
		p->state_wall = now;
	}
	return sp;
nomem:
	diag_failv(d, -ENOMEM, "out of memory");
	bgp_speaker_free(sp);
	errno = ENOMEM;
	return NULL;
}

int
bgp_speaker_start(struct bgp_speaker *sp, struct diag *d)
{
	const struct bgp_conf *g = sp->conf;
	static const uint8_t zero[16];
	int rc;

	if (g->listen_port) {
		if (g->listen_addr.family == AF_INET6 &&
		    !memcmp(g->listen_addr.bytes, zero, sizeof(zero))) {
			struct addr any4;

			addr_from_v4(&any4, 0);
			rc = listen_one(sp, 0, &any4, d);
			if (!rc)
				rc = listen_one(sp, 1, &g->listen_addr, d);
		} else {
			rc = listen_one(sp, 0, &g->listen_addr, d);
		}
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < sp->npeers; i++)
		bgp_fsm(&sp->peers[i].fsm, BGP_EV_MANUAL_START, NULL);
	return 0;
}

static void
listeners_close(struct bgp_speaker *sp)
{
	for (int i = 0; i < 2; i++) {
		if (sp->lev[i])
			event_free(sp->lev[i]);
		sp->lev[i] = NULL;
		if (sp->lfd[i] >= 0)
			close(sp->lfd[i]);
		sp->lfd[i] = -1;
	}
}

void
bgp_peer_disable(struct bgp_peer *p, const char *msg)
{
	struct bgp_fsm_msg m = { .code = BGP_ERR_CEASE, .subcode = BGP_ERR_CEASE_ADMIN_SHUTDOWN };

	snprintf(p->shutdown_msg, sizeof(p->shutdown_msg), "%s", msg ? msg : "");
	m.data = (const uint8_t *)p->shutdown_msg;
	m.datalen = strlen(p->shutdown_msg);
	bgp_fsm(&p->fsm, BGP_EV_MANUAL_STOP, &m);
}

void
bgp_peer_enable(struct bgp_peer *p)
{
	if (p->fsm.state == BGP_STATE_IDLE)
		bgp_fsm(&p->fsm, BGP_EV_MANUAL_START, NULL);
}

void
bgp_peer_reset(struct bgp_peer *p, const char *msg)
{
	struct bgp_fsm_msg m = { .code = BGP_ERR_CEASE, .subcode = BGP_ERR_CEASE_ADMIN_RESET };

	snprintf(p->shutdown_msg, sizeof(p->shutdown_msg), "%s", msg ? msg : "");
	m.data = (const uint8_t *)p->shutdown_msg;
	m.datalen = strlen(p->shutdown_msg);
	bgp_fsm(&p->fsm, BGP_EV_MANUAL_STOP, &m);
	bgp_fsm(&p->fsm, BGP_EV_MANUAL_START, NULL);
}

int
bgp_speaker_stop(struct bgp_speaker *sp, const char *msg)
{
	listeners_close(sp);
	for (size_t i = 0; i < sp->npeers; i++)
		bgp_peer_disable(&sp->peers[i], msg);
	return sp->draining;
}

void
bgp_speaker_stop_graceful(struct bgp_speaker *sp)
{
	listeners_close(sp);
	for (size_t i = 0; i < sp->npeers; i++) {
		struct bgp_peer *p = &sp->peers[i];

		/* No NOTIFICATION: drop the connections as they are. */
		for (struct bgp_conn **c = &p->conn; c; c = c == &p->conn ? &p->pend : NULL) {
			if (*c && (*c)->bev)
				bufferevent_free((*c)->bev);
			free(*c);
			*c = NULL;
		}
		/* With no connection left, ManualStop has nothing to send. */
		bgp_fsm(&p->fsm, BGP_EV_MANUAL_STOP, NULL);
	}
}

void
bgp_speaker_set_gr(struct bgp_speaker *sp, bool restarting, bool forwarding)
{
	sp->gr_restarting = restarting;
	sp->gr_forwarding = forwarding;
}

int
bgp_speaker_draining(const struct bgp_speaker *sp)
{
	return sp->draining;
}

void
bgp_speaker_free(struct bgp_speaker *sp)
{
	if (!sp)
		return;
	listeners_close(sp);
	for (size_t i = 0; i < sp->npeers; i++) {
		struct bgp_peer *p = &sp->peers[i];

		if (p->conn && p->conn->bev)
			bufferevent_free(p->conn->bev);
		free(p->conn);
		if (p->pend && p->pend->bev)
			bufferevent_free(p->pend->bev);
		free(p->pend);
		if (p->timer)
			event_free(p->timer);
		if (p->defer)
			event_free(p->defer);
		bgp_adjin_free(p->adjin);
	}
	free(sp->peers);
	bgp_origin_table_free(sp->origins);
	free(sp->arena.base);
	free(sp);
}

static int
origin_to_rib(const struct bgp_origin *o, void *arg)
{
	struct bgp_speaker *sp = arg;

	sp->rib.originate(sp->rib.arg, &o->prefix, o);
	return 0;
}

void
bgp_speaker_set_rib_client(struct bgp_speaker *sp, const struct bgp_rib_client *c)
{
	if (c)
		sp->rib = *c;
	else
		memset(&sp->rib, 0, sizeof(sp->rib));
	sp->keep_adjin = !c || c->keep_adjin;
	if (sp->rib.originate)
		(void)bgp_origin_walk(sp->origins, 0, origin_to_rib, sp);
}

size_t
bgp_speaker_npeers(const struct bgp_speaker *sp)
{
	return sp->npeers;
}

struct bgp_peer *
bgp_speaker_peer(struct bgp_speaker *sp, size_t i)
{
	return i < sp->npeers ? &sp->peers[i] : NULL;
}

struct bgp_peer *
bgp_speaker_peer_find(struct bgp_speaker *sp, const char *name)
{
	for (size_t i = 0; i < sp->npeers; i++)
		if (!strcmp(sp->peers[i].conf->name, name))
			return &sp->peers[i];
	return NULL;
}

const struct bgp_conf *
bgp_speaker_conf(const struct bgp_speaker *sp)
{
	return sp->conf;
}

const struct bgp_origin_table *
bgp_speaker_origins(const struct bgp_speaker *sp)
{
	return sp->origins;
}
