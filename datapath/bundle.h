/* SPDX-License-Identifier: MIT */
/*
 * Policy bundles: the JSON document (docs/datapath.md, "Policy bundle") that tells a
 * node's datapath which identities exist, which CIDRs map to which identity and
 * which rules each local endpoint has. This file parses and validates a bundle into
 * plain structs; it does not know BPF maps (datapath/compile.c turns a bundle into
 * map entries, datapath/maps.c syncs them).
 */
#ifndef CUTOVER_DATAPATH_BUNDLE_H
#define CUTOVER_DATAPATH_BUNDLE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/diag.h"

#define DP_BUNDLE_VERSION	1
#define DP_BUNDLE_MAX_BYTES	(512u << 20)
#define DP_BUNDLE_NAME_LEN	64	/* incl. NUL; = DP_NAME_LEN */
#define DP_BUNDLE_MAX_ENDPOINTS	4096
#define DP_BUNDLE_MAX_IPS	16

enum dp_action {
	DP_ACTION_ALLOW = 0,
	DP_ACTION_DENY = 1,
};

struct dp_bundle_identity {
	uint32_t	 id;
	char		 name[DP_BUNDLE_NAME_LEN];
};

struct dp_bundle_cidr {
	struct prefix	 prefix;
	uint32_t	 identity;
};

struct dp_bundle_rule {
	uint8_t		 dir;		/* enum dp_dir */
	uint8_t		 action;	/* enum dp_action */
	uint8_t		 proto;		/* IPPROTO_*, 0 = any protocol */
	uint32_t	 peer;		/* remote identity, 0 = any */
	uint16_t	 port_lo;	/* 0..65535; ICMP: type */
	uint16_t	 port_hi;	/* inclusive; port_lo = 0 and port_hi = 65535: any */
	char		 ref[DP_BUNDLE_NAME_LEN];	/* "" when absent */
};

struct dp_bundle_endpoint {
	uint32_t	 id;		/* 1..65535 */
	uint32_t	 identity;
	char		 name[DP_BUNDLE_NAME_LEN];
	char		 ifname[IF_NAMESIZE];	/* "" when absent */
	uint8_t		 mode;		/* enum dp_mode */
	bool		 default_deny[2];	/* [dir]: no rule matches -> drop */
	struct addr	 ips[DP_BUNDLE_MAX_IPS];
	size_t		 nips;
	struct dp_bundle_rule *rules;
	size_t		 nrules;
};

struct dp_bundle {
	uint32_t		 version;
	struct dp_bundle_identity *identities;
	size_t			 nidentities;
	struct dp_bundle_cidr	*cidrs;
	size_t			 ncidrs;
	struct dp_bundle_endpoint *endpoints;
	size_t			 nendpoints;
};

/*
 * Parse and validate a bundle from text of len bytes. On success *out is a new
 * bundle (free with dp_bundle_free) and 0 is returned; on error -EINVAL (or -ENOMEM,
 * -EFBIG) with diag naming the JSON path and the reason (source is the caller's).
 */
int	dp_bundle_parse(const char *text, size_t len, struct dp_bundle **out,
	    struct diag *d);
/* Read a file (or "-" for stdin) and parse it; diag source = path. */
int	dp_bundle_load(const char *path, struct dp_bundle **out, struct diag *d);
void	dp_bundle_free(struct dp_bundle *b);

const struct dp_bundle_endpoint *dp_bundle_endpoint_find(const struct dp_bundle *b,
	    uint32_t ep_id);

/* Protocol names used in bundles and on the command line: "tcp", "udp", "icmp",
 * "icmpv6", "any" or a number 0..255. Returns 0 or -EINVAL. */
int	dp_proto_parse(const char *s, uint8_t *proto);
/* "tcp", ..., "any", or the decimal number (static or out buffer of 8). */
const char *dp_proto_name(uint8_t proto, char *buf, size_t len);

#endif
