/* SPDX-License-Identifier: MIT */
/*
 * Adj-RIB-Out of one peer: which Loc-RIB best paths go to it and in which UPDATEs.
 * Changes are queued per prefix (coalesced: only the last state is sent) and packed by
 * exported attribute set through the codec's bgp_update_pack(). What was advertised is
 * not stored: when a prefix is queued we remember whether its previous best path was
 * exported, so a withdrawal is sent only then (memory stays per pending prefix, not per
 * route). Export rules: never back to the peer it came from, not between iBGP peers
 * (no route reflection), NO_ADVERTISE / NO_EXPORT (RFC 1997), the export filter with the
 * RFC 8212 default, and for eBGP our AS prepended, next hop self, no LOCAL_PREF, MED,
 * ORIGINATOR_ID or CLUSTER_LIST. Locally originated prefixes are the session's
 * (bgp/session.c), not sent from here. No sockets: bytes go to a send callback.
 */
#ifndef CUTOVER_BGP_ADJOUT_H
#define CUTOVER_BGP_ADJOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/filter.h"
#include "bgp/msg.h"
#include "bgp/rib.h"

struct adjout_conf {
	uint16_t		 peer;		/* this peer's RIB index */
	bool			 ebgp;
	uint32_t		 local_as;
	const struct filter	*export;	/* NULL: RFC 8212 default */
	struct bgp_wire_ctx	 ctx;		/* negotiated session parameters */
	struct bgp_nexthop	 nh[2];		/* our next hop for IPv4 [0] / IPv6 [1] */
	bool			 has_nh[2];	/* false: that family is not announced */
};

/* Send one or more whole BGP messages; 0 or -errno. */
typedef int (*adjout_send_fn)(void *arg, const uint8_t *msgs, size_t len);

struct adjout;

/* r and conf->export are borrowed. NULL + errno. */
struct adjout *adjout_new(struct rib *r, const struct adjout_conf *conf, adjout_send_fn send,
	    void *arg);
void	adjout_free(struct adjout *ao);
/* Queue a Loc-RIB change (call from a rib client's change callback). */
void	adjout_change(struct adjout *ao, const struct rib_change *c);
/* Queue every prefix of the Loc-RIB (session up, or the peer's ROUTE-REFRESH). */
void	adjout_refresh(struct adjout *ao);
/* Pack and send what is queued. Returns the number of prefixes handled or -errno. */
int	adjout_flush(struct adjout *ao);
size_t	adjout_pending(const struct adjout *ao);
/* Would the path (of peer src with attributes as) go to this peer for prefix p? */
bool	adjout_exports(struct adjout *ao, uint16_t src, const struct rib_aset *as,
	    const struct prefix *p);

#endif
