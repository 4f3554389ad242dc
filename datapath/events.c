// SPDX-License-Identifier: MIT
/*
 * Flow events: drain the dp_events ring buffer into the pinned flow log (a ring of
 * the last DP_FLOWLOG_SIZE records that any reader may list without consuming),
 * filter flows the way `hubble observe` does, and format them as text lines or JSON
 * objects. The drainer is the daemon, or the CLI when no daemon runs; the transport
 * to a remote reader (control API) is not this file's business.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/datapath.h"
#include "datapath/dp_internal.h"
#include "lib/clock.h"

struct dp_events {
	struct dp		*dp;
	struct ring_buffer	*rb;
	dp_flow_fn		 fn;
	void			*ctx;
	uint32_t		 seq;
	int64_t			 mono_to_wall;	/* add to bpf_ktime_get_ns() */
	int			 err;
};

static int
on_sample(void *ctx, void *data, size_t size)
{
	struct dp_events *ev = ctx;
	struct dp_flow_record r;
	uint32_t slot, idx = DP_META_FLOWLOG_SEQ;

	if (size < sizeof(r.ev))
		return 0;
	memset(&r, 0, sizeof(r));
	memcpy(&r.ev, data, sizeof(r.ev));
	r.seq = ++ev->seq;
	if (ev->seq == 0)
		r.seq = ev->seq = 1;	/* 32-bit wrap: skip the "empty" value */
	r.wall_ns = (uint64_t)((int64_t)r.ev.ts_ns + ev->mono_to_wall);
	slot = ev->seq % DP_FLOWLOG_SIZE;
	if (bpf_map_update_elem(ev->dp->map_fd[DP_MAP_FLOWLOG], &slot, &r, BPF_ANY) ||
	    bpf_map_update_elem(ev->dp->map_fd[DP_MAP_META], &idx, &ev->seq, BPF_ANY))
		ev->err = -errno;
	if (ev->fn)
		ev->fn(ev->ctx, &r);
	return 0;
}

struct dp_events *
dp_events_open(struct dp *dp, dp_flow_fn fn, void *ctx)
{
	struct dp_events *ev = calloc(1, sizeof(*ev));
	uint32_t idx = DP_META_FLOWLOG_SEQ;

	if (!ev)
		return NULL;
	ev->dp = dp;
	ev->fn = fn;
	ev->ctx = ctx;
	if (bpf_map_lookup_elem(dp->map_fd[DP_MAP_META], &idx, &ev->seq))
		ev->seq = 0;
	ev->rb = ring_buffer__new(dp->map_fd[DP_MAP_EVENTS], on_sample, ev, NULL);
	if (!ev->rb) {
		int e = errno;

		free(ev);
		errno = e;
		return NULL;
	}
	return ev;
}

void
dp_events_close(struct dp_events *ev)
{
	if (!ev)
		return;
	ring_buffer__free(ev->rb);
	free(ev);
}

int
dp_events_fd(const struct dp_events *ev)
{
	return ring_buffer__epoll_fd(ev->rb);
}

int
dp_events_poll(struct dp_events *ev, int timeout_ms)
{
	int n;

	ev->mono_to_wall = (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC));
	ev->err = 0;
	n = timeout_ms ? ring_buffer__poll(ev->rb, timeout_ms) : ring_buffer__consume(ev->rb);
	if (n < 0)
		return n == -EINTR ? 0 : n;
	return ev->err ? ev->err : n;
}

/* ---- filters ---- */

void
dp_flow_filter_init(struct dp_flow_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->proto = -1;
	f->port = -1;
}

static bool
name_matches(const char *have, const char *want)
{
	const char *slash;

	if (!strcmp(have, want))
		return true;
	/* "pod" matches "namespace/pod" */
	slash = strrchr(have, '/');
	return !strchr(want, '/') && slash && !strcmp(slash + 1, want);
}

int
dp_flow_filter_pod(struct dp *dp, struct dp_flow_filter *f, bool from, const char *name)
{
	int fd = dp->map_fd[DP_MAP_NAMES];
	struct dp_name_key k, next;
	struct dp_name v;
	bool first = true;

	while (bpf_map_get_next_key(fd, first ? NULL : &k, &next) == 0) {
		struct addr *addrs = from ? f->from_addrs : f->to_addrs;
		size_t n = 0;

		first = false;
		k = next;
		if (k.kind != DP_NAME_ENDPOINT || bpf_map_lookup_elem(fd, &k, &v))
			continue;
		v.name[sizeof(v.name) - 1] = '\0';
		if (!name_matches(v.name, name))
			continue;
		if (v.has4)
			addr_from_bytes(&addrs[n++], AF_INET, v.addr4, 4);
		if (v.has6)
			addr_from_bytes(&addrs[n++], AF_INET6, v.addr6, 16);
		if (from) {
			f->has_from_pod = true;
			f->from_ep = k.id;
			f->nfrom_addrs = n;
		} else {
			f->has_to_pod = true;
			f->to_ep = k.id;
			f->nto_addrs = n;
		}
		return 0;
	}
	return -ENOENT;
}

int
dp_flow_filter_set(struct dp *dp, struct dp_flow_filter *f, const char *key,
    const char *value, char *err, size_t errlen)
{
	char *end;
	long n;
	uint8_t u8;

	err[0] = '\0';
	if (!strcmp(key, "from-pod") || !strcmp(key, "to-pod")) {
		if (dp_flow_filter_pod(dp, f, key[0] == 'f', value)) {
			snprintf(err, errlen, "no endpoint named '%s'", value);
			return -ENOENT;
		}
		return 0;
	}
	if (!strcmp(key, "from-ip") || !strcmp(key, "to-ip")) {
		struct prefix *p = key[0] == 'f' ? &f->from_ip : &f->to_ip;

		if (prefix_parse(value, p, PREFIX_PARSE_NORMALIZE | PREFIX_PARSE_HOST_OK)) {
			snprintf(err, errlen, "'%s' is not an address or prefix", value);
			return -EINVAL;
		}
		if (key[0] == 'f')
			f->has_from_ip = true;
		else
			f->has_to_ip = true;
		return 0;
	}
	if (!strcmp(key, "verdict")) {
		if (dp_verdict_parse(value, &f->verdict)) {
			snprintf(err, errlen, "verdict: FORWARDED, DROPPED or AUDIT");
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "protocol")) {
		if (dp_proto_parse(value, &u8) || u8 == 0) {
			snprintf(err, errlen, "protocol: tcp, udp, icmp, icmpv6, sctp or 1..255");
			return -EINVAL;
		}
		f->proto = u8;
		return 0;
	}
	if (!strcmp(key, "port") || !strcmp(key, "after")) {
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno || *end || !*value || n < 0 || (key[0] == 'p' && n > 65535)) {
			snprintf(err, errlen, "%s: %s", key, key[0] == 'p' ? "0..65535" :
			    "a sequence number");
			return -EINVAL;
		}
		if (key[0] == 'p')
			f->port = (int)n;
		else
			f->after_seq = (uint64_t)n;
		return 0;
	}
	snprintf(err, errlen, "unknown filter '%s'", key);
	return -ENOTSUP;
}

static void
ev_addr(const struct dp_flow_event *e, bool src, struct addr *a)
{
	addr_from_bytes(a, e->family == DP_FAMILY_V4 ? AF_INET : AF_INET6,
	    src ? e->saddr : e->daddr, e->family == DP_FAMILY_V4 ? 4 : 16);
}

static bool
pod_match(const struct dp_flow_event *e, bool src, uint32_t ep, const struct addr *addrs,
    size_t n)
{
	struct addr a;

	/* the endpoint's own program saw it leave (src) or arrive (dst) */
	if (e->ep_id == ep && e->dir == (src ? DP_DIR_EGRESS : DP_DIR_INGRESS))
		return true;
	ev_addr(e, src, &a);
	for (size_t i = 0; i < n; i++)
		if (addr_eq(&a, &addrs[i]))
			return true;
	return false;
}

bool
dp_flow_match(const struct dp_flow_filter *f, const struct dp_flow_event *e)
{
	struct addr a;

	if (f->verdict && e->verdict != f->verdict)
		return false;
	if (f->proto >= 0 && e->proto != f->proto)
		return false;
	if (f->port >= 0 && ntohs(e->sport) != f->port && ntohs(e->dport) != f->port)
		return false;
	if (f->has_from_ip) {
		ev_addr(e, true, &a);
		if (!prefix_contains_addr(&f->from_ip, &a))
			return false;
	}
	if (f->has_to_ip) {
		ev_addr(e, false, &a);
		if (!prefix_contains_addr(&f->to_ip, &a))
			return false;
	}
	if (f->has_from_pod && !pod_match(e, true, f->from_ep, f->from_addrs, f->nfrom_addrs))
		return false;
	if (f->has_to_pod && !pod_match(e, false, f->to_ep, f->to_addrs, f->nto_addrs))
		return false;
	return true;
}

int64_t
dp_flows_last(struct dp *dp, const struct dp_flow_filter *f, size_t n, dp_flow_fn fn,
    void *ctx)
{
	uint32_t idx = DP_META_FLOWLOG_SEQ, newest = 0;
	struct dp_flow_record *found;
	size_t nfound = 0;

	if (bpf_map_lookup_elem(dp->map_fd[DP_MAP_META], &idx, &newest))
		return -errno;
	if (n > DP_FLOWLOG_SIZE)
		n = DP_FLOWLOG_SIZE;
	found = calloc(n ? n : 1, sizeof(*found));
	if (!found)
		return -ENOMEM;
	for (uint32_t i = 0; i < DP_FLOWLOG_SIZE && nfound < n && newest > i; i++) {
		uint32_t seq = newest - i, slot = seq % DP_FLOWLOG_SIZE;
		struct dp_flow_record r;

		if (f && seq <= f->after_seq)
			break;
		if (bpf_map_lookup_elem(dp->map_fd[DP_MAP_FLOWLOG], &slot, &r) || r.seq != seq)
			continue;	/* overwritten by a newer lap */
		if (f && !dp_flow_match(f, &r.ev))
			continue;
		found[nfound++] = r;
	}
	while (nfound)
		fn(ctx, &found[--nfound]);
	free(found);
	return newest;
}

/* ---- formatting ---- */

static const char *
ident_name(struct dp *dp, uint32_t id, char *buf, size_t len)
{
	struct dp_name n;

	switch (id) {
	case DP_ID_HOST:	return "reserved:host";
	case DP_ID_WORLD:	return "reserved:world";
	case DP_ID_WORLD_IPV4:	return "reserved:world-ipv4";
	case DP_ID_WORLD_IPV6:	return "reserved:world-ipv6";
	default:
		break;
	}
	if (dp_name_get(dp, DP_NAME_IDENTITY, id, &n) == 0) {
		snprintf(buf, len, "%s", n.name);
		return buf;
	}
	return "";
}

static void
tcp_flags_str(uint8_t fl, char *out, size_t len)
{
	static const struct { uint8_t bit; const char *name; } names[] = {
		{ 0x02, "SYN" }, { 0x10, "ACK" }, { 0x01, "FIN" }, { 0x04, "RST" },
		{ 0x08, "PSH" }, { 0x20, "URG" },
	};
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (fl & names[i].bit) {
			int w = snprintf(out + n, len - n, "%s%s", n ? ", " : "", names[i].name);

			if (w > 0 && (size_t)w < len - n)
				n += (size_t)w;
		}
	}
}

/* JSON string body: names are bundle strings (printable), escape anyway. */
static void
json_str(char *out, size_t len, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, len - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
}

int
dp_flow_format(struct dp *dp, const struct dp_flow_record *r, bool json, char *out,
    size_t len)
{
	const struct dp_flow_event *e = &r->ev;
	char sa[ADDR_STRLEN], da[ADDR_STRLEN], sname[DP_NAME_LEN], dname[DP_NAME_LEN];
	char ts[64], flags[48], pbuf[8], rule[DP_NAME_LEN] = "", epname[DP_NAME_LEN] = "";
	char js[4][2 * DP_NAME_LEN + 8];
	struct addr a;
	struct dp_name nm;
	struct tm tm;
	time_t secs = (time_t)(r->wall_ns / 1000000000ULL);
	unsigned ms = (unsigned)(r->wall_ns / 1000000ULL % 1000);
	bool icmp = e->proto == IPPROTO_ICMP || e->proto == IPPROTO_ICMPV6;
	bool ports = e->proto == IPPROTO_TCP || e->proto == IPPROTO_UDP ||
	    e->proto == IPPROTO_SCTP;
	const char *sn, *dn;
	int n;

	ev_addr(e, true, &a);
	addr_format(&a, sa, sizeof(sa));
	ev_addr(e, false, &a);
	addr_format(&a, da, sizeof(da));
	sn = ident_name(dp, e->src_identity, sname, sizeof(sname));
	dn = ident_name(dp, e->dst_identity, dname, sizeof(dname));
	if (e->rule_id && dp_name_get(dp, DP_NAME_RULE, e->rule_id, &nm) == 0)
		snprintf(rule, sizeof(rule), "%s", nm.name);
	if (dp_name_get(dp, DP_NAME_ENDPOINT, e->ep_id, &nm) == 0)
		snprintf(epname, sizeof(epname), "%s", nm.name);
	tcp_flags_str(e->tcp_flags, flags, sizeof(flags));
	localtime_r(&secs, &tm);
	if (json) {
		gmtime_r(&secs, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		json_str(js[0], sizeof(js[0]), sn);
		json_str(js[1], sizeof(js[1]), dn);
		json_str(js[2], sizeof(js[2]), rule);
		json_str(js[3], sizeof(js[3]), epname);
		{
			char l4[128];

			if (e->proto == IPPROTO_TCP || e->proto == IPPROTO_UDP ||
			    e->proto == IPPROTO_SCTP)
				snprintf(l4, sizeof(l4), "{\"%s\":{\"source_port\":%u,"
				    "\"destination_port\":%u%s%s%s}}",
				    e->proto == IPPROTO_TCP ? "TCP" : e->proto == IPPROTO_UDP ?
				    "UDP" : "SCTP", ntohs(e->sport), ntohs(e->dport),
				    e->proto == IPPROTO_TCP ? ",\"flags\":\"" : "",
				    e->proto == IPPROTO_TCP ? flags : "",
				    e->proto == IPPROTO_TCP ? "\"" : "");
			else if (icmp)
				snprintf(l4, sizeof(l4), "{\"%s\":{\"type\":%u,\"code\":%u}}",
				    e->proto == IPPROTO_ICMP ? "ICMPv4" : "ICMPv6",
				    ntohs(e->dport), ntohs(e->sport));
			else
				snprintf(l4, sizeof(l4), "{\"protocol\":%u}", e->proto);
			n = snprintf(out, len,
			    "{\"time\":\"%s.%09" PRIu64 "Z\",\"seq\":%" PRIu64 ","
			    "\"verdict\":\"%s\",\"drop_reason\":%u,\"drop_reason_desc\":\"%s\","
			    "\"traffic_direction\":\"%s\","
			    "\"endpoint\":{\"id\":%u,\"name\":\"%s\",\"ifindex\":%u},"
			    "\"ip\":{\"source\":\"%s\",\"destination\":\"%s\","
			    "\"ipVersion\":\"%s\"},\"l4\":%s,"
			    "\"source\":{\"identity\":%u,\"name\":\"%s\"},"
			    "\"destination\":{\"identity\":%u,\"name\":\"%s\"},"
			    "\"policy_match_type\":\"%s\",\"ct_state\":\"%s\","
			    "\"rule\":\"%s\",\"length\":%u}",
			    ts, (uint64_t)(r->wall_ns % 1000000000ULL), (uint64_t)r->seq,
			    dp_verdict_str(e->verdict), e->reason,
			    e->reason ? dp_reason_str(e->reason) : "",
			    e->dir == DP_DIR_EGRESS ? "EGRESS" : "INGRESS", e->ep_id, js[3],
			    e->ifindex, sa, da, e->family == DP_FAMILY_V4 ? "IPv4" : "IPv6", l4,
			    e->src_identity, js[0], e->dst_identity, js[1],
			    dp_match_str(e->match), dp_ct_state_str(e->ct_state), js[2], e->len);
		}
	} else {
		char l4[64] = "", sp[16] = "", dpo[16] = "";

		strftime(ts, sizeof(ts), "%b %e %H:%M:%S", &tm);
		if (ports) {
			snprintf(sp, sizeof(sp), ":%u", ntohs(e->sport));
			snprintf(dpo, sizeof(dpo), ":%u", ntohs(e->dport));
		}
		if (e->proto == IPPROTO_TCP)
			snprintf(l4, sizeof(l4), "TCP Flags: %s", flags);
		else if (icmp)
			snprintf(l4, sizeof(l4), "%s type %u code %u",
			    e->proto == IPPROTO_ICMP ? "ICMPv4" : "ICMPv6", ntohs(e->dport),
			    ntohs(e->sport));
		else
			snprintf(l4, sizeof(l4), "%s", dp_proto_name(e->proto, pbuf,
			    sizeof(pbuf)));
		n = snprintf(out, len, "%s.%03u: %s%s (%u %s) -> %s%s (%u %s) %s %s %s%s%s "
		    "(%s)%s%s",
		    ts, ms, sa, sp, e->src_identity, sn, da, dpo, e->dst_identity, dn,
		    e->dir == DP_DIR_EGRESS ? "from-pod" : "to-pod", dp_match_str(e->match),
		    dp_verdict_str(e->verdict), e->reason ? " " : "",
		    e->reason ? dp_reason_str(e->reason) : "", l4,
		    rule[0] ? " rule=" : "", rule);
	}
	return n < 0 ? -EINVAL : (size_t)n >= len ? -ENOSPC : 0;
}
