/* SPDX-License-Identifier: MIT */
/*
 * BGP sessions on libevent: the speaker (listeners, peers, originated prefixes) and
 * per peer the TCP connection(s), framing, message dispatch into the pure FSM
 * (bgp/fsm.h), the Adj-RIB-In and the UPDATEs we send. Socket options live here:
 * per-peer bind address, TCP MD5 (RFC 2385), GTSM (RFC 5082), eBGP TTL / multihop.
 * Decoding and encoding are the codec's (bgp/msg.h); RFC 7606 verdicts are turned
 * into NOTIFICATIONs, FSM events or treat-as-withdraw here, and only here.
 * libevent types appear only as opaque pointers.
 */
#ifndef CUTOVER_BGP_SESSION_H
#define CUTOVER_BGP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "bgp/adjin.h"
#include "bgp/conf.h"
#include "bgp/fsm.h"
#include "bgp/msg.h"
#include "lib/diag.h"

struct event_base;
struct event;
struct bufferevent;
struct bgp_speaker;
struct bgp_peer;

/* One TCP connection of a peer (the session's, or a colliding one). */
struct bgp_conn {
	struct bgp_peer		*peer;
	struct bufferevent	*bev;
	int			 fd;
	bool			 outgoing;
	bool			 connected;
	bool			 open_sent;
	bool			 open_received;	/* collision candidate: its OPEN arrived */
	struct bgp_open		 open;		/* collision candidate: the OPEN received */
	struct addr		 local;
	struct addr		 remote;
	uint16_t		 lport, rport;
};

/* Counters per message type (index BGP_MSG_*; 0 unused). */
#define BGP_STAT_TYPES	6

struct bgp_peer_stats {
	uint64_t	 msgs_in[BGP_STAT_TYPES];
	uint64_t	 msgs_out[BGP_STAT_TYPES];
	uint64_t	 updates_in_prefixes;	/* announced prefixes received */
	uint64_t	 withdraws_in;
	uint64_t	 treat_as_withdraw;	/* UPDATEs handled as RFC 7606 withdraw */
	uint64_t	 attr_discard;
	uint64_t	 prefixes_out;		/* announcements sent */
	uint64_t	 withdraws_out;
	uint64_t	 flaps;			/* times Established was left */
	uint64_t	 max_prefix_hits;
};

struct bgp_peer {
	struct bgp_speaker	*sp;
	const struct bgp_conf_peer *conf;
	struct bgp_fsm		 fsm;
	struct bgp_conn		*conn;		/* the session's connection */
	struct bgp_conn		*pend;		/* incoming connection awaiting §6.8 */
	struct event		*timer;		/* FSM deadlines */
	uint64_t		 timer_at;	/* when timer is armed for (ms, bgp_now_ms()) */
	struct event		*defer;		/* deferred work: connect failure, resume reads */
	bool			 defer_fail;
	bool			 ibgp;
	struct bgp_open		 local_open;
	struct bgp_open		 remote_open;
	bool			 has_remote_open;
	struct bgp_wire_ctx	 wctx;
	struct addr		 nh[2];		/* chosen next hop per family: [0] v4, [1] v6 */
	bool			 has_nh[2];
	bool			 disabled_fam[2];	/* RFC 7606 AFI/SAFI disable */
	struct bgp_adjin	*adjin;
	struct bgp_peer_stats	 stats;
	bool			 max_prefix_warned;
	time_t			 state_wall;	/* wall clock of the last state change */
	char			 last_error[256];	/* last NOTIFICATION / error, for show */
	char			 shutdown_msg[BGP_SHUTDOWN_MSG_MAX + 1];
	bool			 notif_seen;	/* a NOTIFICATION ended (or ends) this session */
	struct bgp_conn		*dispatching;	/* connection whose message is being handled */
};

/*
 * Create the speaker for conf (borrowed: must outlive it). Nothing runs until
 * bgp_speaker_start(). NULL + errno with d set on failure.
 */
struct bgp_speaker *bgp_speaker_new(struct event_base *base, const struct bgp_conf *conf,
	    struct diag *d);
/* Open the listeners (unless listen-port is 0) and start every peer. */
int	bgp_speaker_start(struct bgp_speaker *sp, struct diag *d);
/*
 * Stop every peer with a Cease / Administrative Shutdown carrying the RFC 8203
 * communication msg (may be NULL), close the listeners. Returns the number of
 * connections still flushing; run the loop until bgp_speaker_draining() is 0.
 */
int	bgp_speaker_stop(struct bgp_speaker *sp, const char *msg);
int	bgp_speaker_draining(const struct bgp_speaker *sp);
/* Planned stop without a NOTIFICATION (graceful restart: the peers keep our routes
 * for the restart time). Closes every connection and the listeners. */
void	bgp_speaker_stop_graceful(struct bgp_speaker *sp);
/* Graceful restart bits of our OPEN (RFC 4724 §3) for peers with graceful-restart
 * enabled: restarting sets the R bit, forwarding the per-family F bit. Call before
 * bgp_speaker_start(); bgp_speaker_gr_done() clears R once the restart is over. */
void	bgp_speaker_set_gr(struct bgp_speaker *sp, bool restarting, bool forwarding);
void	bgp_speaker_free(struct bgp_speaker *sp);
void	bgp_speaker_set_rib_client(struct bgp_speaker *sp, const struct bgp_rib_client *c);

size_t	bgp_speaker_npeers(const struct bgp_speaker *sp);
struct bgp_peer *bgp_speaker_peer(struct bgp_speaker *sp, size_t i);
struct bgp_peer *bgp_speaker_peer_find(struct bgp_speaker *sp, const char *name);
const struct bgp_conf *bgp_speaker_conf(const struct bgp_speaker *sp);
const struct bgp_origin_table *bgp_speaker_origins(const struct bgp_speaker *sp);

/*
 * Originate p (with communities) from a dynamic source such as IPAM's advertise set,
 * or stop doing so. Established peers get the UPDATE at once. 0 or -errno.
 */
int	bgp_originate_add(struct bgp_speaker *sp, const struct prefix *p,
	    const uint32_t *comms, size_t ncomms);
int	bgp_originate_del(struct bgp_speaker *sp, const struct prefix *p);

/* Operator actions on one peer: enable (ManualStart), disable (ManualStop with an
 * RFC 8203 message), reset (disable + enable). */
void	bgp_peer_enable(struct bgp_peer *p);
void	bgp_peer_disable(struct bgp_peer *p, const char *msg);
void	bgp_peer_reset(struct bgp_peer *p, const char *msg);

/*
 * Queue whole, already encoded BGP messages (UPDATEs of the Adj-RIB-Out, bgp/adjout.c)
 * on p's Established session. 0, or -ENOTCONN when p has no Established session.
 */
int	bgp_peer_send(const struct bgp_peer *p, const void *msgs, size_t len);

/* Ask p to send its routes again (RFC 2918 ROUTE-REFRESH for every negotiated family).
 * 0, -ENOTCONN, or -EOPNOTSUPP when the peer did not advertise route refresh. */
int	bgp_peer_request_refresh(const struct bgp_peer *p);

/* Milliseconds on the monotonic clock (the FSM's clock). */
uint64_t bgp_now_ms(void);

#endif
