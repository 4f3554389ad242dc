/* SPDX-License-Identifier: MIT */
/*
 * A minimal MRT (RFC 6396) reader for tests, tools and benches: load a file
 * (gzip or plain), walk its records, split BGP4MP records (RFC 6396 §4.4,
 * RFC 8050 add-path subtypes) into peer data and the raw BGP message, and walk
 * TABLE_DUMP_V2 peer index tables and IPv4/IPv6 unicast RIB entries (§4.3)
 * so an injector can replay a table. Bytes are read through lib/buf cursors; it
 * does not decode BGP messages (bgp/msg.h does) and never exits.
 */
#ifndef CUTOVER_TESTS_HELPERS_MRT_H
#define CUTOVER_TESTS_HELPERS_MRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/buf.h"

#define MRT_HDR_LEN		12
#define MRT_ET_USEC_LEN		4	/* _ET types: microseconds follow the header */

/* Types (RFC 6396 §4). */
#define MRT_TABLE_DUMP		12
#define MRT_TABLE_DUMP_V2	13
#define MRT_BGP4MP		16
#define MRT_BGP4MP_ET		17

/* BGP4MP subtypes (RFC 6396 §4.4, RFC 8050 §3). */
#define MRT_BGP4MP_STATE_CHANGE		0
#define MRT_BGP4MP_MESSAGE		1
#define MRT_BGP4MP_MESSAGE_AS4		4
#define MRT_BGP4MP_STATE_CHANGE_AS4	5
#define MRT_BGP4MP_MESSAGE_LOCAL	6
#define MRT_BGP4MP_MESSAGE_AS4_LOCAL	7
#define MRT_BGP4MP_MESSAGE_ADDPATH	8
#define MRT_BGP4MP_MESSAGE_AS4_ADDPATH	9
#define MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH 10
#define MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH 11

/* TABLE_DUMP_V2 subtypes (RFC 6396 §4.3). */
#define MRT_TDV2_PEER_INDEX_TABLE	1
#define MRT_TDV2_RIB_IPV4_UNICAST	2
#define MRT_TDV2_RIB_IPV6_UNICAST	4

struct mrt_record {
	uint32_t	 timestamp;
	uint32_t	 usec;		/* _ET types only */
	uint16_t	 type;
	uint16_t	 subtype;
	const uint8_t	*body;		/* borrowed from the reader's buffer */
	size_t		 len;
	size_t		 offset;	/* of the record header in the file */
};

struct mrt_reader {
	struct buf_reader br;
};

/*
 * Read a whole file into a malloc'ed buffer, gunzipping when it is gzip.
 * Returns 0 or -errno; *data is freed by the caller.
 */
int	mrt_file_load(const char *path, uint8_t **data, size_t *len);
void	mrt_reader_init(struct mrt_reader *r, const uint8_t *data, size_t len);
/* Next record: 1 when one was read, 0 at the end, -EBADMSG for a truncated record. */
int	mrt_next(struct mrt_reader *r, struct mrt_record *rec);

struct mrt_bgp4mp {
	bool		 as4;		/* the session used 4-octet AS numbers */
	bool		 add_path;	/* RFC 8050 subtypes: NLRI carry path ids */
	bool		 local;		/* sent by the collector, not received */
	bool		 state_change;
	uint32_t	 peer_as;
	uint32_t	 local_as;
	uint16_t	 ifindex;
	uint16_t	 afi;
	struct addr	 peer_ip;
	struct addr	 local_ip;
	uint16_t	 old_state;	/* state changes */
	uint16_t	 new_state;
	const uint8_t	*msg;		/* whole BGP message, header included */
	size_t		 msglen;
};

/* Split a BGP4MP/BGP4MP_ET record. -ENOTSUP for other types/subtypes, -EBADMSG. */
int	mrt_bgp4mp_decode(const struct mrt_record *rec, struct mrt_bgp4mp *m);

#define MRT_PEERS_MAX	1024

struct mrt_peer {
	uint32_t	 bgp_id;
	struct addr	 ip;
	uint32_t	 as;
};

struct mrt_peer_index {
	uint32_t	 collector_id;
	size_t		 npeers;
	struct mrt_peer	 peers[MRT_PEERS_MAX];
};

/* TABLE_DUMP_V2 PEER_INDEX_TABLE. -EBADMSG, -E2BIG beyond MRT_PEERS_MAX. */
int	mrt_peer_index_decode(const struct mrt_record *rec, struct mrt_peer_index *pi);

/* One RIB entry of a TABLE_DUMP_V2 RIB_IPV4/IPV6_UNICAST record. */
struct mrt_rib_entry {
	uint16_t	 peer_index;
	uint32_t	 originated;
	const uint8_t	*attrs;		/* BGP path attributes, 4-octet AS; MP_REACH
					 * abbreviated per RFC 6396 §4.3.4 */
	size_t		 attrs_len;
};

struct mrt_rib {
	uint32_t	 seq;
	struct prefix	 prefix;
	uint16_t	 nentries;
	struct buf_reader entries;	/* walk with mrt_rib_next() */
};

/* RIB_IPV4_UNICAST / RIB_IPV6_UNICAST header. -ENOTSUP for other subtypes. */
int	mrt_rib_decode(const struct mrt_record *rec, struct mrt_rib *rib);
/* 1 entry read, 0 done, -EBADMSG. */
int	mrt_rib_next(struct mrt_rib *rib, struct mrt_rib_entry *e);

#endif
