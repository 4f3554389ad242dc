// SPDX-License-Identifier: MIT
/*
 * Single-entry map edits (each exactly one bpf() map operation), name lookups,
 * counters (per-CPU sums, Prometheus text) and the text of verdicts, reasons and
 * match types. Loading and pinning are in loader.c; bundle diffs in sync.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/datapath.h"
#include "datapath/dp_internal.h"

static int
errno_rc(int rc)
{
	return rc ? -errno : 0;
}

int
dp_endpoint_put(struct dp *dp, uint32_t ifindex, const struct dp_endpoint *ep)
{
	return errno_rc(bpf_map_update_elem(dp->map_fd[DP_MAP_ENDPOINTS], &ifindex, ep,
	    BPF_ANY));
}

int
dp_endpoint_del(struct dp *dp, uint32_t ifindex)
{
	return errno_rc(bpf_map_delete_elem(dp->map_fd[DP_MAP_ENDPOINTS], &ifindex));
}

void
dp_ipcache_key_make(struct dp_ipcache_key *k, const struct prefix *p)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = DP_IPCACHE_STATIC_PREFIX + p->len;
	k->family = p->addr.family == AF_INET ? DP_FAMILY_V4 : DP_FAMILY_V6;
	memcpy(k->addr, p->addr.bytes, p->addr.family == AF_INET ? 4 : 16);
}

static bool
ipcache_is_host(const struct dp_ipcache_key *k)
{
	return k->prefixlen == DP_IPCACHE_STATIC_PREFIX +
	    (k->family == DP_FAMILY_V4 ? 32u : 128u);
}

/* The LPM entry, plus its mirror in the host index for /32 and /128. */
int
dp_ipcache_key_put(struct dp *dp, const struct dp_ipcache_key *k, uint32_t identity)
{
	struct dp_ipcache_info v = { .sec_identity = identity };

	if (bpf_map_update_elem(dp->map_fd[DP_MAP_IPCACHE], k, &v, BPF_ANY))
		return -errno;
	if (ipcache_is_host(k) &&
	    bpf_map_update_elem(dp->map_fd[DP_MAP_IPCACHE_HOST], k, &v, BPF_ANY))
		return -errno;
	return 0;
}

int
dp_ipcache_key_del(struct dp *dp, const struct dp_ipcache_key *k)
{
	int rc = errno_rc(bpf_map_delete_elem(dp->map_fd[DP_MAP_IPCACHE], k));

	if (ipcache_is_host(k) && bpf_map_delete_elem(dp->map_fd[DP_MAP_IPCACHE_HOST], k) &&
	    errno != ENOENT && !rc)
		rc = -errno;
	return rc;
}

int
dp_ipcache_put(struct dp *dp, const struct prefix *p, uint32_t identity)
{
	struct dp_ipcache_key k;

	dp_ipcache_key_make(&k, p);
	return dp_ipcache_key_put(dp, &k, identity);
}

int
dp_ipcache_del(struct dp *dp, const struct prefix *p)
{
	struct dp_ipcache_key k;

	dp_ipcache_key_make(&k, p);
	return dp_ipcache_key_del(dp, &k);
}

void
dp_policy_exact_key_make(struct dp_policy_exact_key *x, uint32_t ep_id,
    const struct dp_policy_key *k)
{
	memset(x, 0, sizeof(*x));
	x->ep_id = ep_id;
	x->sec_label = k->sec_label;
	x->egress = k->egress;
	x->protocol = k->protocol;
	x->dport = k->dport;
}

int
dp_policy_put(struct dp *dp, uint32_t ep_id, const struct dp_policy_key *k,
    const struct dp_policy_entry *e)
{
	int fd = dp_policy_map(dp, ep_id, true);
	struct dp_policy_exact_key x;

	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, k, e, BPF_ANY))
		return -errno;
	if (k->prefixlen != DP_POLICY_FULL_PREFIX)
		return 0;
	dp_policy_exact_key_make(&x, ep_id, k);
	return errno_rc(bpf_map_update_elem(dp->map_fd[DP_MAP_POLICY_EXACT], &x, e, BPF_ANY));
}

int
dp_policy_del(struct dp *dp, uint32_t ep_id, const struct dp_policy_key *k)
{
	int fd = dp_policy_map(dp, ep_id, false), rc;
	struct dp_policy_exact_key x;

	if (fd < 0)
		return fd;
	rc = errno_rc(bpf_map_delete_elem(fd, k));
	if (k->prefixlen == DP_POLICY_FULL_PREFIX) {
		dp_policy_exact_key_make(&x, ep_id, k);
		if (bpf_map_delete_elem(dp->map_fd[DP_MAP_POLICY_EXACT], &x) && errno != ENOENT &&
		    !rc)
			rc = -errno;
	}
	return rc;
}

int
dp_name_get(struct dp *dp, uint8_t kind, uint32_t id, struct dp_name *out)
{
	struct dp_name_key k = { .kind = kind, .id = id };

	if (bpf_map_lookup_elem(dp->map_fd[DP_MAP_NAMES], &k, out))
		return -errno;
	out->name[sizeof(out->name) - 1] = '\0';
	return 0;
}

int
dp_stat_get(struct dp *dp, uint32_t idx, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v;

	if (ncpu <= 0)
		return -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(dp->map_fd[DP_MAP_STATS], &idx, v)) {
		int rc = -errno;

		free(v);
		return rc;
	}
	*out = 0;
	for (int i = 0; i < ncpu; i++)
		*out += v[i];
	free(v);
	return 0;
}

int
dp_metrics_walk(struct dp *dp, dp_metrics_fn fn, void *ctx)
{
	int ncpu = libbpf_num_possible_cpus(), fd = dp->map_fd[DP_MAP_METRICS], rc = 0;
	struct dp_metrics_key k, next;
	struct dp_metrics_val *v, sum;
	bool first = true;

	if (ncpu <= 0)
		return -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (bpf_map_get_next_key(fd, first ? NULL : &k, &next) == 0) {
		first = false;
		k = next;
		if (bpf_map_lookup_elem(fd, &k, v))
			continue;	/* deleted meanwhile */
		memset(&sum, 0, sizeof(sum));
		for (int i = 0; i < ncpu; i++) {
			sum.packets += v[i].packets;
			sum.bytes += v[i].bytes;
		}
		rc = fn(ctx, &k, &sum);
		if (rc)
			break;
	}
	free(v);
	return rc;
}

struct prom_ctx {
	FILE	*f;
	struct dp *dp;
};

static int
prom_line(void *ctx, const struct dp_metrics_key *k, const struct dp_metrics_val *v)
{
	struct prom_ctx *c = ctx;
	struct dp_name n;
	const char *dir = k->dir == DP_DIR_EGRESS ? "egress" : "ingress";
	char ep[DP_NAME_LEN] = "";

	if (dp_name_get(c->dp, DP_NAME_ENDPOINT, k->ep_id, &n) == 0)
		snprintf(ep, sizeof(ep), "%s", n.name);
	/* label values: names are printable bundle strings; escape " and \ anyway */
	for (char *s = ep; *s; s++)
		if (*s == '"' || *s == '\\' || *s == '\n')
			*s = '_';
	if (k->verdict == DP_VERDICT_FORWARDED) {
		fprintf(c->f, "cutover_datapath_forwarded_packets_total{endpoint=\"%u\","
		    "pod=\"%s\",direction=\"%s\"} %" PRIu64 "\n", k->ep_id, ep, dir, (uint64_t)v->packets);
		fprintf(c->f, "cutover_datapath_forwarded_bytes_total{endpoint=\"%u\","
		    "pod=\"%s\",direction=\"%s\"} %" PRIu64 "\n", k->ep_id, ep, dir, (uint64_t)v->bytes);
	} else {
		const char *name = k->verdict == DP_VERDICT_AUDIT ?
		    "cutover_datapath_audit_packets_total" : "cutover_datapath_dropped_packets_total";

		fprintf(c->f, "%s{endpoint=\"%u\",pod=\"%s\",direction=\"%s\",reason=\"%s\","
		    "reason_code=\"%u\"} %" PRIu64 "\n", name, k->ep_id, ep, dir,
		    dp_reason_str(k->reason), k->reason, (uint64_t)v->packets);
	}
	return 0;
}

char *
dp_metrics_prometheus(struct dp *dp)
{
	struct prom_ctx c = { .dp = dp };
	char *buf = NULL;
	size_t len = 0;
	uint64_t lost = 0, noep = 0;

	c.f = open_memstream(&buf, &len);
	if (!c.f)
		return NULL;
	fputs("# HELP cutover_datapath_forwarded_packets_total Packets the datapath "
	    "forwarded, per endpoint and direction.\n"
	    "# TYPE cutover_datapath_forwarded_packets_total counter\n"
	    "# HELP cutover_datapath_forwarded_bytes_total Bytes the datapath forwarded.\n"
	    "# TYPE cutover_datapath_forwarded_bytes_total counter\n"
	    "# HELP cutover_datapath_dropped_packets_total Packets dropped, per endpoint, "
	    "direction and reason (Cilium drop reason codes).\n"
	    "# TYPE cutover_datapath_dropped_packets_total counter\n"
	    "# HELP cutover_datapath_audit_packets_total Packets policy would drop, "
	    "passed because the endpoint is in audit mode.\n"
	    "# TYPE cutover_datapath_audit_packets_total counter\n", c.f);
	dp_metrics_walk(dp, prom_line, &c);
	dp_stat_get(dp, 0, &lost);
	dp_stat_get(dp, 1, &noep);
	fprintf(c.f, "# HELP cutover_datapath_events_lost_total Flow events lost because "
	    "the ring buffer was full.\n# TYPE cutover_datapath_events_lost_total counter\n"
	    "cutover_datapath_events_lost_total %" PRIu64 "\n", lost);
	fprintf(c.f, "# HELP cutover_datapath_unmanaged_packets_total Packets seen on an "
	    "interface without endpoint entry (passed).\n"
	    "# TYPE cutover_datapath_unmanaged_packets_total counter\n"
	    "cutover_datapath_unmanaged_packets_total %" PRIu64 "\n", noep);
	if (fclose(c.f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

const char *
dp_reason_str(uint8_t reason)
{
	switch (reason) {
	case DP_REASON_NONE:		return "none";
	case DP_REASON_POLICY:		return "POLICY_DENIED";
	case DP_REASON_POLICY_DENY:	return "POLICY_DENY";
	case DP_REASON_INVALID:		return "INVALID_PACKET_DROPPED";
	case DP_REASON_CT_INVALID_HDR:	return "CT_TRUNCATED_OR_INVALID_HEADER";
	case DP_REASON_UNKNOWN_L3:	return "UNKNOWN_L3_TARGET_ADDRESS";
	case DP_REASON_FRAG_NOSUPPORT:	return "FRAGMENTATION_NEEDED";
	case DP_REASON_CT_CREATE_FAILED: return "CT_MAP_INSERTION_FAILED";
	default:			return "UNKNOWN";
	}
}

const char *
dp_verdict_str(uint8_t verdict)
{
	switch (verdict) {
	case DP_VERDICT_FORWARDED:	return "FORWARDED";
	case DP_VERDICT_DROPPED:	return "DROPPED";
	case DP_VERDICT_AUDIT:		return "AUDIT";
	default:			return "UNKNOWN";
	}
}

int
dp_verdict_parse(const char *s, uint8_t *verdict)
{
	for (uint8_t v = DP_VERDICT_FORWARDED; v <= DP_VERDICT_AUDIT; v++) {
		if (!strcasecmp(s, dp_verdict_str(v))) {
			*verdict = v;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
dp_match_str(uint8_t match)
{
	switch (match) {
	case DP_MATCH_NONE:	return "none";
	case DP_MATCH_L3_ONLY:	return "L3-Only";
	case DP_MATCH_L3_L4:	return "L3-L4";
	case DP_MATCH_L4_ONLY:	return "L4-Only";
	case DP_MATCH_ALL:	return "all";
	case DP_MATCH_CT:	return "conntrack";
	case DP_MATCH_BYPASS:	return "bypass";
	default:		return "unknown";
	}
}

const char *
dp_ct_state_str(uint8_t ct)
{
	switch (ct) {
	case DP_CT_NEW:		return "new";
	case DP_CT_ESTABLISHED:	return "established";
	case DP_CT_REPLY:	return "reply";
	case DP_CT_RELATED:	return "related";
	default:		return "-";
	}
}
