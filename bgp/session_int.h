/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by bgp/session.c (connections, framing, FSM glue) and
 * bgp/session_out.c (route output). Not for other modules: use bgp/session.h.
 */
#ifndef CUTOVER_BGP_SESSION_INT_H
#define CUTOVER_BGP_SESSION_INT_H

#include "bgp/session.h"
#include "lib/buf.h"

struct bgp_speaker {
	struct event_base	*base;
	const struct bgp_conf	*conf;
	size_t			 npeers;
	struct bgp_peer		*peers;
	int			 lfd[2];
	struct event		*lev[2];
	struct bgp_origin_table	*origins;
	struct bgp_rib_client	 rib;
	bool			 keep_adjin;
	bool			 gr_restarting, gr_forwarding;
	int			 draining;
	uint64_t		 attrs_ids;	/* last bgp_route.attrs_id handed out */
	/* While a read callback works through a burst of messages: the monotonic clock
	 * (ms) read at most CLOCK_EVERY messages ago, so that restarting the hold timer
	 * on every UPDATE does not read the clock twice per message; 0 otherwise. */
	uint64_t		 now_ms;
	/* The lists of the UPDATE being handled (bgp_update_decode_arena()). */
	struct bgp_arena	 arena;
};

#define peer_log(lvl, p, ...) log_msg(lvl, (p)->conf->name, __VA_ARGS__)

static inline int
fam_idx(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

/* Queue one encoded message on c (counts it per type; logs encoder errors). */
void	session_conn_send(struct bgp_peer *p, struct bgp_conn *c, struct buf_writer *bw,
	    uint8_t type);
/* The full originated table to p, then End-of-RIB per negotiated family. */
void	session_announce_all(struct bgp_peer *p);

#endif
