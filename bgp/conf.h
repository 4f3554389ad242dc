/* SPDX-License-Identifier: MIT */
/*
 * The `bgp:` section of cutoverd.yaml: router id, local AS, listener, peers with their
 * session options, and the prefixes to originate. Parsed through lib/yamlconf so that
 * every error names its key path and line:column. Plain data, no sockets: the session
 * layer (bgp/session.c) reads it. The key reference lives in docs/bgp.md.
 */
#ifndef CUTOVER_BGP_CONF_H
#define CUTOVER_BGP_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/bfd_conf.h"
#include "bgp/filter.h"
#include "lib/addr.h"
#include "lib/yamlconf.h"

#define BGP_CONF_NAME_MAX	64
#define BGP_CONF_MD5_MAX	80	/* TCP_MD5SIG_MAXKEYLEN */
#define BGP_CONF_COMM_MAX	32
#define BGP_CONF_PEERS_MAX	256
#define BGP_CONF_ORIG_MAX	4096
#define BGP_CONF_PORT_DEFAULT	179

/* Defaults (seconds). */
#define BGP_CONF_HOLD_DEFAULT		90
#define BGP_CONF_CONNECT_RETRY_DEFAULT	30
#define BGP_CONF_GR_RESTART_DEFAULT	120

enum bgp_maxpfx_action {
	BGP_MAXPFX_WARN = 0,
	BGP_MAXPFX_STOP,
};

struct bgp_conf_peer {
	char		 name[BGP_CONF_NAME_MAX];
	struct addr	 addr;
	uint16_t	 port;
	uint32_t	 remote_as;
	struct addr	 local_addr;
	bool		 has_local_addr;
	bool		 passive;
	uint16_t	 hold_time;
	uint16_t	 keepalive;	/* 0: hold/3 */
	uint16_t	 connect_retry;
	char		 md5_password[BGP_CONF_MD5_MAX + 1];	/* "" = none */
	bool		 ttl_security;	/* RFC 5082 GTSM */
	uint8_t		 multihop;	/* TTL for multihop eBGP, 0: directly connected */
	bool		 family_v4;
	bool		 family_v6;
	uint32_t	 max_prefix;	/* 0: no limit */
	enum bgp_maxpfx_action max_prefix_action;
	bool		 gr_enabled;
	uint16_t	 gr_restart_time;
	struct addr	 next_hop_v6;	/* IPv6 next hop for IPv6 NLRI */
	bool		 has_next_hop_v6;
	struct bfd_peer_conf bfd;	/* `bfd:` (bgp/bfd_conf.h) */
	char		 import_filter[FILTER_NAME_MAX];	/* "" = none (RFC 8212 default) */
	char		 export_filter[FILTER_NAME_MAX];
};

/* RIB, kernel and policy keys (bgp/filter_conf.c). */
struct bgp_conf_rib {
	bool		 kernel;		/* install best routes (default true) */
	uint32_t	 kernel_table;		/* default 254 (main) */
	uint8_t		 kernel_protocol;	/* rtm_protocol, default 200 */
	uint32_t	 ecmp_max_paths;	/* default 1 */
	bool		 always_compare_med;
	bool		 keep_adj_rib_in;	/* pre-policy copy in the session (default true) */
	struct filter_set filters;		/* prefix-lists and filters */
};

struct bgp_conf_originate {
	struct prefix	 prefix;
	uint32_t	 communities[BGP_CONF_COMM_MAX];
	size_t		 ncommunities;
};

struct bgp_conf {
	uint32_t		 router_id;	/* host order */
	uint32_t		 local_as;
	struct addr		 listen_addr;	/* default :: (dual stack) */
	uint16_t		 listen_port;	/* 0: do not listen */
	struct bgp_conf_peer	*peers;
	size_t			 npeers;
	struct bgp_conf_originate *originate;
	size_t			 norig;
	bool			 present;	/* the section was in the file */
	struct bgp_conf_rib	 rib;
};

void	bgp_conf_init(struct bgp_conf *c);
void	bgp_conf_free(struct bgp_conf *c);
/* Parse the `bgp:` mapping into c (initialised by bgp_conf_init). 0 or -EINVAL with
 * the error in the document's diag. Usable as a struct ycfg_section parse hook with
 * arg = struct bgp_conf *. */
int	bgp_conf_parse(const struct ynode *node, void *arg);
/* Community "65000:100" or a well-known name (no-export, no-advertise,
 * no-export-subconfed, no-peer) -> value. 0 or -EINVAL. */
int	bgp_community_parse(const char *s, uint32_t *v);
/* bgp/filter_conf.c: `rib:`, `prefix-lists:`, `filters:` of the bgp mapping. */
void	bgp_conf_rib_init(struct bgp_conf_rib *r);
void	bgp_conf_rib_free(struct bgp_conf_rib *r);
int	bgp_conf_rib_parse(const struct ynode *bgp, struct bgp_conf_rib *r);
const struct bgp_conf_peer *bgp_conf_peer_find(const struct bgp_conf *c, const char *name);

#endif
