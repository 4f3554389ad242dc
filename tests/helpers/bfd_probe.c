// SPDX-License-Identifier: MIT
/*
 * bfd-probe: one BFD single-hop session from cutover's BFD code (bgp/bfd_*.c) on its own
 * libevent loop, for the integration tests and the detection-time bench against BIRD.
 * It prints one JSON line per state change (wall-clock and monotonic microseconds, states,
 * diagnostics, the detection time in force) and a status line on SIGUSR1; SIGTERM/SIGINT
 * send AdminDown for the linger time and exit. It owns nothing but argument parsing and
 * printing; all protocol behaviour is the library's.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "bgp/bfd.h"
#include "lib/clock.h"
#include "lib/log.h"

static const char usage[] =
"NAME\n"
"    bfd-probe - run one cutover BFD session and print its state changes\n"
"\n"
"SYNOPSIS\n"
"    bfd-probe --peer ADDR [--local ADDR] [--ifname IF] [--port N] [--tx MS] [--rx MS]\n"
"              [--mult N] [--no-linger] [--debug]\n"
"\n"
"DESCRIPTION\n"
"    Opens the BFD listeners (UDP port N, default 3784) and one asynchronous-mode\n"
"    single-hop session (RFC 5880, RFC 5881) from ADDR to the peer, then prints one JSON\n"
"    object per line on stdout:\n"
"      {\"event\":\"state\",\"t_us\":WALL,\"mono_us\":MONO,\"from\":S,\"to\":S,\"diag\":N,\n"
"       \"diag_name\":S,\"failure\":BOOL,\"detect_us\":N,\"tx_us\":N}\n"
"    on every state change, and a status object on SIGUSR1 (counters, drops).\n"
"    SIGTERM or SIGINT takes the session AdminDown (diag 7), keeps sending that for\n"
"    the peer's detection time (unless --no-linger) and exits 0.\n"
"\n"
"OPTIONS\n"
"    --local ADDR   local IPv4/IPv6 address (default: the kernel's source toward PEER)\n"
"    --peer ADDR    the neighbour's address (same family)\n"
"    --ifname IF    bind the session to interface IF (needed for link-local peers)\n"
"    --port N       destination and listening port (default 3784)\n"
"    --tx MS        desired min TX interval in ms (default 300)\n"
"    --rx MS        required min RX interval in ms (default 300)\n"
"    --mult N       detect multiplier (default 3)\n"
"    --no-linger    exit at once on SIGTERM\n"
"    --debug        log dropped packets\n"
"    -h, --help     this text\n"
"\n"
"EXIT STATUS\n"
"    0 after a signal, 2 on bad arguments, 1 when the sockets cannot be opened.\n";

struct probe {
	struct event_base	*base;
	struct bfd_ctx		*ctx;
	struct bfd_session	*sess;
	bool			 linger;
	bool			 stopping;
	struct event		*wait_ev;
};

static void
probe_notify(void *arg, struct bfd_session *s, enum bfd_state from, enum bfd_state to,
    enum bfd_diag diag, bool failure)
{
	const struct bfd_fsm *f = bfd_session_fsm(s);

	(void)arg;
	printf("{\"event\":\"state\",\"t_us\":%llu,\"mono_us\":%llu,\"from\":\"%s\","
	    "\"to\":\"%s\",\"diag\":%u,\"diag_name\":\"%s\",\"failure\":%s,"
	    "\"detect_us\":%llu,\"tx_us\":%u}\n",
	    (unsigned long long)clock_us(CLOCK_REALTIME),
	    (unsigned long long)clock_us(CLOCK_MONOTONIC), bfd_state_name(from),
	    bfd_state_name(to), (unsigned)diag, bfd_diag_name(diag), failure ? "true" : "false",
	    (unsigned long long)bfd_fsm_detect_time(f), bfd_fsm_tx_interval(f));
	fflush(stdout);
}

static void
probe_status(struct probe *p)
{
	const uint64_t *cd = bfd_ctx_drops(p->ctx);

	printf("{\"event\":\"status\"");
	if (p->sess != NULL) {
		const struct bfd_fsm *f = bfd_session_fsm(p->sess);

		printf(",\"state\":\"%s\",\"remote_state\":\"%s\",\"local_discr\":%u,"
		    "\"remote_discr\":%u,\"rx\":%llu,\"tx\":%llu,\"tx_errors\":%llu,"
		    "\"up\":%llu,\"down\":%llu,\"polls\":%llu,\"detect_us\":%llu,"
		    "\"tx_us\":%u,\"remote_min_rx_us\":%u,\"remote_detect_mult\":%u",
		    bfd_state_name(f->state), bfd_state_name(f->remote_state), f->local_discr,
		    f->remote_discr, (unsigned long long)f->cnt.rx,
		    (unsigned long long)f->cnt.tx, (unsigned long long)f->cnt.tx_errors,
		    (unsigned long long)f->cnt.up, (unsigned long long)f->cnt.down,
		    (unsigned long long)f->cnt.polls,
		    (unsigned long long)bfd_fsm_detect_time(f), bfd_fsm_tx_interval(f),
		    f->remote_min_rx, f->remote_detect_mult);
		printf(",\"session_drops\":{");
		for (int d = 1, first = 1; d < BFD_DROP_MAX; d++) {
			if (f->cnt.drops[d] == 0)
				continue;
			printf("%s\"%s\":%llu", first ? "" : ",", bfd_drop_name((enum bfd_drop)d),
			    (unsigned long long)f->cnt.drops[d]);
			first = 0;
		}
		printf("}");
	}
	printf(",\"drops\":{");
	for (int d = 1, first = 1; d < BFD_DROP_MAX; d++) {
		if (cd[d] == 0)
			continue;
		printf("%s\"%s\":%llu", first ? "" : ",", bfd_drop_name((enum bfd_drop)d),
		    (unsigned long long)cd[d]);
		first = 0;
	}
	printf("}}\n");
	fflush(stdout);
}

static void
probe_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;
	struct timeval tv = { 0, 20000 };

	(void)fd;
	(void)what;
	if (bfd_ctx_lingering(p->ctx) == 0)
		event_base_loopexit(p->base, NULL);
	else
		evtimer_add(p->wait_ev, &tv);
}

static void
probe_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct probe *p = arg;
	struct timeval tv = { 0, 0 };

	(void)what;
	if (sig == SIGUSR1) {
		probe_status(p);
		return;
	}
	if (p->stopping)
		return;
	p->stopping = true;
	probe_status(p);
	bfd_session_del(p->sess, BFD_DIAG_ADMIN_DOWN, p->linger);
	p->sess = NULL;
	evtimer_add(p->wait_ev, &tv);
}

static int
parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "local", required_argument, NULL, 'l' },
		{ "peer", required_argument, NULL, 'p' },
		{ "ifname", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'P' },
		{ "tx", required_argument, NULL, 't' },
		{ "rx", required_argument, NULL, 'r' },
		{ "mult", required_argument, NULL, 'm' },
		{ "no-linger", no_argument, NULL, 'n' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct probe p = { .linger = true };
	struct addr local = { 0 }, peer = { 0 };
	struct event *sigs[4];
	static const int signums[] = { SIGTERM, SIGINT, SIGUSR1, SIGHUP };
	const char *ifname = NULL, *why = NULL;
	struct bfd_cfg cfg;
	uint32_t port = BFD_PORT_CONTROL, v;
	bool have_local = false, have_peer = false;
	int c;

	bfd_cfg_default(&cfg);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (addr_parse(optarg, &local) != 0)
				goto bad_addr;
			have_local = true;
			break;
		case 'p':
			if (addr_parse(optarg, &peer) != 0)
				goto bad_addr;
			have_peer = true;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 'P':
			if (parse_u32(optarg, 1, 65535, &port) != 0)
				goto bad_num;
			break;
		case 't':
			if (parse_u32(optarg, 1, 60000, &v) != 0)
				goto bad_num;
			cfg.desired_min_tx_us = v * 1000;
			break;
		case 'r':
			if (parse_u32(optarg, 1, 60000, &v) != 0)
				goto bad_num;
			cfg.required_min_rx_us = v * 1000;
			break;
		case 'm':
			if (parse_u32(optarg, 1, 255, &v) != 0)
				goto bad_num;
			cfg.detect_mult = (uint8_t)v;
			break;
		case 'n':
			p.linger = false;
			break;
		case 'd':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!have_peer || optind != argc) {
		fprintf(stderr, "bfd-probe: --peer is required (see --help)\n");
		return 2;
	}
	if (have_local && local.family != peer.family) {
		fprintf(stderr, "bfd-probe: --local and --peer must be the same family\n");
		return 2;
	}
	if (bfd_cfg_check(&cfg, &why) != 0) {
		fprintf(stderr, "bfd-probe: %s\n", why);
		return 2;
	}
	log_set_timestamps(true);
	p.base = event_base_new();
	if (p.base == NULL)
		fatal("bfd-probe: event_base_new failed");
	p.ctx = bfd_ctx_new(p.base, (uint16_t)port, NULL, NULL);
	if (p.ctx == NULL) {
		fprintf(stderr, "bfd-probe: cannot open BFD port %u: %s\n", port, strerror(errno));
		return 1;
	}
	p.sess = bfd_session_add(p.ctx, NULL, have_local ? &local : NULL, &peer, ifname, (uint16_t)port, &cfg,
	    probe_notify, &p);
	if (p.sess == NULL) {
		fprintf(stderr, "bfd-probe: cannot create the session: %s\n", strerror(errno));
		bfd_ctx_free(p.ctx);
		return 1;
	}
	p.wait_ev = evtimer_new(p.base, probe_wait_cb, &p);
	for (size_t i = 0; i < sizeof(signums) / sizeof(signums[0]); i++) {
		sigs[i] = evsignal_new(p.base, signums[i], probe_signal_cb, &p);
		if (sigs[i] == NULL || evsignal_add(sigs[i], NULL) != 0)
			fatal("bfd-probe: cannot install signal handlers");
	}
	event_base_dispatch(p.base);
	for (size_t i = 0; i < sizeof(signums) / sizeof(signums[0]); i++)
		event_free(sigs[i]);
	event_free(p.wait_ev);
	bfd_ctx_free(p.ctx);
	event_base_free(p.base);
	return 0;

bad_addr:
	fprintf(stderr, "bfd-probe: %s: not an IPv4 or IPv6 address\n", optarg);
	return 2;
bad_num:
	fprintf(stderr, "bfd-probe: %s: number out of range (see --help)\n", optarg);
	return 2;
}
