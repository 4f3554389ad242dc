/* SPDX-License-Identifier: MIT */
/*
 * The datapath module's API (user side): load or adopt the pinned BPF programs and
 * maps, attach them to pod veths, edit single map entries, sync a policy bundle by
 * diff, read counters, names and flow events. The daemon and the CLI are thin
 * callers of this header; nothing here knows HTTP, libevent or the CLI.
 *
 * Pinned layout under the pin root (default /sys/fs/bpf/cutover):
 *   dp_ipcache dp_endpoints dp_policy dp_ct dp_frag dp_metrics dp_stats dp_events
 *   dp_names dp_meta dp_flowlog   maps (names as in datapath/bpf/dp_maps.bpf.h)
 *   policy_%05d             one LPM policy map per endpoint id (also in dp_policy)
 *   prog_from_pod prog_to_pod   the two tc programs
 *   tcx_<ifindex>_from_pod tcx_<ifindex>_to_pod   tcx links of one veth (tcx mode)
 * The programs sit on each veth as tcx links (kernel 6.6+, pinned so they outlive
 * the process) or as tc filters on a clsact qdisc (older kernels, or when forced;
 * those live in the kernel without pins); a restarted process adopts everything
 * with dp_open().
 */
#ifndef CUTOVER_DATAPATH_DATAPATH_H
#define CUTOVER_DATAPATH_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/bundle.h"
#include "datapath/dp_abi.h"
#include "lib/addr.h"
#include "lib/diag.h"

#define DP_PIN_ROOT_DEFAULT	"/sys/fs/bpf/cutover"
#define DP_PIN_ROOT_ENV		"CUTOVER_BPF_ROOT"	/* overrides the default */
#define DP_TC_PRIORITY		1	/* our tc filter priority and handle */
#define DP_TC_HANDLE		0xc07
#define DP_ATTACH_ENV		"CUTOVER_DP_ATTACH"	/* auto|tcx|clsact when opts say auto */

/* How the programs go on a veth. */
enum dp_attach_mode {
	DP_ATTACH_AUTO = 0,	/* tcx when the kernel has it, else clsact; keep what is there */
	DP_ATTACH_TCX,		/* tcx links only (fails on kernels without tcx) */
	DP_ATTACH_CLSACT,	/* tc filters on a clsact qdisc only */
};

struct dp_opts {
	const char	*pin_root;	/* NULL: $CUTOVER_BPF_ROOT or the default */
	uint32_t	 policy_max;	/* per-endpoint policy map size; 0: default */
	uint32_t	 ipcache_max;	/* 0: default */
	uint32_t	 ct_max;	/* 0: default */
	bool		 events_established;	/* an event per forwarded packet */
	bool		 no_load;	/* adopt only; -ENOENT when nothing is pinned */
	int		 attach;	/* enum dp_attach_mode; AUTO: $CUTOVER_DP_ATTACH or auto */
};

struct dp;

/* The pin root that dp_open would use for o (o may be NULL). */
const char *dp_pin_root(const struct dp_opts *o);

/*
 * Adopt the pinned datapath under the pin root, or load the BPF object and pin it
 * there when nothing is pinned yet. Adoption never reloads programs or touches
 * maps, so traffic is not disturbed. Returns 0 and *out, or -errno with diag.
 */
int	dp_open(const struct dp_opts *o, struct dp **out, struct diag *d);
/* Close file descriptors; everything pinned stays. Accepts NULL. */
void	dp_close(struct dp *dp);
/* Detach nothing, unpin everything under the pin root and remove the directory
 * (tests, uninstall). Attached tc filters keep their programs until detached. */
int	dp_unpin(const char *pin_root, struct diag *d);
bool	dp_adopted(const struct dp *dp);	/* true when dp_open adopted pins */

/* File descriptors (owned by dp). */
int	dp_prog_fd(const struct dp *dp, int dir);	/* enum dp_dir */
int	dp_map_fd(const struct dp *dp, const char *name);	/* "dp_ct", ...; -1 */

/*
 * Attach (from-pod on the veth's ingress, to-pod on its egress) and detach.
 * Mode per dp_opts.attach: AUTO keeps an interface's current mode (clsact from an
 * earlier version stays clsact) and otherwise uses tcx when the kernel has it
 * (falling back to clsact when creating the link fails with EINVAL/EOPNOTSUPP);
 * TCX or CLSACT switch an interface to that mode, the new one attached before the
 * old one is removed, so both are never left attached. Attaching again replaces
 * our programs atomically. dp_detach removes both modes.
 */
int	dp_attach(struct dp *dp, int ifindex, struct diag *d);
int	dp_detach(struct dp *dp, int ifindex, struct diag *d);
/* 0 when both programs are on ifindex in a mode dp_opts.attach accepts (AUTO: any
 * one mode, not both), -ENOENT otherwise. */
int	dp_attached(struct dp *dp, int ifindex);
/* DP_ATTACH_TCX or DP_ATTACH_CLSACT when both programs are on ifindex in that mode,
 * -ENOENT when not (fully) attached, -EEXIST when both modes are there. */
int	dp_attach_mode(struct dp *dp, int ifindex);
/* "tcx", "clsact" ("auto" for DP_ATTACH_AUTO), "" for an unknown value. */
const char *dp_attach_mode_str(int mode);
/* Parse "auto", "tcx" or "clsact": 0 or -EINVAL. */
int	dp_attach_mode_parse(const char *s, int *mode);
/* The mode a new interface gets (probes the kernel once): DP_ATTACH_TCX or
 * DP_ATTACH_CLSACT. */
int	dp_attach_default(struct dp *dp);

/* ---- single entries (each one map operation) ---- */
int	dp_endpoint_put(struct dp *dp, uint32_t ifindex, const struct dp_endpoint *ep);
int	dp_endpoint_del(struct dp *dp, uint32_t ifindex);
int	dp_ipcache_put(struct dp *dp, const struct prefix *p, uint32_t identity);
int	dp_ipcache_del(struct dp *dp, const struct prefix *p);
void	dp_ipcache_key_make(struct dp_ipcache_key *k, const struct prefix *p);
/* The endpoint's policy map fd (created and pinned when create is true), or -errno. */
int	dp_policy_map(struct dp *dp, uint32_t ep_id, bool create);
int	dp_policy_map_drop(struct dp *dp, uint32_t ep_id);
int	dp_policy_put(struct dp *dp, uint32_t ep_id, const struct dp_policy_key *k,
	    const struct dp_policy_entry *e);
int	dp_policy_del(struct dp *dp, uint32_t ep_id, const struct dp_policy_key *k);

/* ---- compile: bundle -> map entries (datapath/compile.c) ---- */
struct dp_pentry {
	uint32_t		 ep_id;
	struct dp_policy_key	 key;
	uint8_t			 flags;		/* DP_POLICY_F_DENY | lpm << 3 */
	char			 ref[DP_NAME_LEN];	/* rule reference, "" none */
};

/* Port range [lo, hi] as 16-bit prefixes: writes at most max (value, len) pairs,
 * returns how many are needed (<= 30). */
int	dp_port_range_prefixes(uint16_t lo, uint16_t hi, uint16_t *val, uint8_t *len,
	    size_t max);
/* Policy entries of one endpoint, sorted by key, with deny-over-allow applied.
 * *out is malloc'ed (free()); returns the count or -errno. */
long	dp_compile_endpoint(const struct dp_bundle_endpoint *ep, struct dp_pentry **out);
/* Reference of the allow-all entry of a direction without default deny. */
#define DP_REF_DEFAULT_ALLOW	"default-allow"

/* ---- sync (datapath/sync.c) ---- */
struct dp_sync_stats {
	size_t	 ipcache_put, ipcache_del;
	size_t	 endpoint_put, endpoint_del;
	size_t	 policy_put, policy_del;
	size_t	 maps_created, maps_dropped;
	size_t	 names_put, names_del;
	size_t	 attached;
};
/*
 * Make the maps equal to the bundle, touching only entries that differ (changing
 * one rule costs O(1) map writes). Endpoints with an "interface" that exists in this
 * network namespace get their endpoint entry and the programs attached; endpoints
 * without one keep their policy maps until something attaches them. Endpoints no
 * longer in the bundle lose their entries and maps (filters on their interfaces
 * pass traffic once the endpoint entry is gone).
 */
int	dp_sync(struct dp *dp, const struct dp_bundle *b, struct dp_sync_stats *st,
	    struct diag *d);

/* ---- reading ---- */
int	dp_name_get(struct dp *dp, uint8_t kind, uint32_t id, struct dp_name *out);
/* Walk the per-CPU counters summed over CPUs. */
typedef int (*dp_metrics_fn)(void *ctx, const struct dp_metrics_key *k,
	    const struct dp_metrics_val *v);
int	dp_metrics_walk(struct dp *dp, dp_metrics_fn fn, void *ctx);
/* Internal counters (DP_STAT_*) summed over CPUs. */
int	dp_stat_get(struct dp *dp, uint32_t idx, uint64_t *out);
/* Prometheus text exposition of the counters into a malloc'ed string. */
char	*dp_metrics_prometheus(struct dp *dp);

/* ---- flows (datapath/events.c) ---- */
struct dp_events;
/* Called for each drained record (after it is in the flow log). */
typedef void (*dp_flow_fn)(void *ctx, const struct dp_flow_record *r);
/* Become the consumer of dp_events. Only one process should drain at a time. */
struct dp_events *dp_events_open(struct dp *dp, dp_flow_fn fn, void *ctx);
void	dp_events_close(struct dp_events *ev);
/* epoll fd that becomes readable when events wait (for libevent / poll). */
int	dp_events_fd(const struct dp_events *ev);
/* Drain what is waiting (timeout_ms 0) or wait up to timeout_ms; appends every
 * event to the flow log and calls fn. Returns the number drained or -errno. */
int	dp_events_poll(struct dp_events *ev, int timeout_ms);

struct dp_flow_filter {
	uint8_t		 verdict;	/* 0: any */
	int		 proto;		/* -1: any */
	int		 port;		/* -1: any; matches source or destination port */
	bool		 has_from_ip, has_to_ip;
	struct prefix	 from_ip, to_ip;
	/* pods: endpoint id and addresses (resolved with dp_flow_filter_pod) */
	bool		 has_from_pod, has_to_pod;
	uint32_t	 from_ep, to_ep;
	struct addr	 from_addrs[2], to_addrs[2];
	size_t		 nfrom_addrs, nto_addrs;
	uint64_t	 after_seq;	/* only records newer than this (follow) */
};
void	dp_flow_filter_init(struct dp_flow_filter *f);
/* One filter option by its CLI/API name ("from-pod", "to-pod", "from-ip", "to-ip",
 * "verdict", "protocol", "port", "after"): 0, -EINVAL (bad value, reason in err),
 * -ENOENT (unknown pod) or -ENOTSUP (unknown key). */
int	dp_flow_filter_set(struct dp *dp, struct dp_flow_filter *f, const char *key,
	    const char *value, char *err, size_t errlen);
/* Resolve a pod (endpoint) name, "ns/pod" or just "pod", into the filter's from
 * (from = true) or to side. -ENOENT when no endpoint has that name. */
int	dp_flow_filter_pod(struct dp *dp, struct dp_flow_filter *f, bool from,
	    const char *name);
bool	dp_flow_match(const struct dp_flow_filter *f, const struct dp_flow_event *e);
/* The last n records of the flow log that match f, oldest first, through fn.
 * Returns the newest sequence number seen (for --follow), or -errno. */
int64_t	dp_flows_last(struct dp *dp, const struct dp_flow_filter *f, size_t n,
	    dp_flow_fn fn, void *ctx);
/* One line (hubble-observe-like) or one JSON object (no newline) into out. */
int	dp_flow_format(struct dp *dp, const struct dp_flow_record *r, bool json,
	    char *out, size_t len);

const char *dp_reason_str(uint8_t reason);
const char *dp_verdict_str(uint8_t verdict);
const char *dp_match_str(uint8_t match);
const char *dp_ct_state_str(uint8_t ct);
int	dp_verdict_parse(const char *s, uint8_t *verdict);

#endif
