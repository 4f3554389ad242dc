// SPDX-License-Identifier: MIT
/*
 * cutoverd: argument parsing and wiring only. Each subsystem has one init function
 * (control API, metrics, BGP; ipam and datapath add theirs next to them) and one
 * stop path; everything runs on one libevent loop until SIGTERM/SIGINT.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "bgp/bfd_bgp.h"
#include "bgp/control.h"
#include "bgp/ribd.h"
#include "bgp/session.h"
#include "cmd/cutoverd/daemon.h"
#include "cmd/cutoverd/daemon_ipam.h"
#include "datapath/agent.h"
#include "lib/ctl.h"
#include "lib/log.h"
#include "lib/metrics.h"

#ifndef CUTOVER_VERSION
#define CUTOVER_VERSION "0.1.0-dev"
#endif

struct daemon {
	struct cutoverd_conf	 conf;
	struct event_base	*base;
	struct ctl_server	*ctl;
	struct metrics		*metrics;
	struct bgp_speaker	*bgp;
	struct bfd_bgp		*bfd;		/* NULL when no peer has bfd: */
	struct ribd		*rib;		/* RIB, kernel routes, graceful restart */
	bool			 gr;		/* some peer has graceful-restart enabled */
	struct daemon_ipam	*ipam;
	struct dp_agent		*dp;
	struct event		*sig[3];
	bool			 stopping;
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "NAME\n"
	    "    cutoverd - per-node BGP speaker and control daemon of cutover\n\n"
	    "SYNOPSIS\n"
	    "    cutoverd [--config FILE] [--log-level LEVEL] [--foreground]\n"
	    "    cutoverd --check-config FILE\n"
	    "    cutoverd --help | --version\n\n"
	    "DESCRIPTION\n"
	    "    Speaks BGP to the upstream routers (sessions, received routes, originated\n"
	    "    prefixes), serves the control API on a Unix socket (HTTP/JSON, used by the\n"
	    "    `cutover` CLI) and Prometheus metrics on TCP. Runs in the foreground and logs\n"
	    "    to stderr (systemd/journald). Configuration keys: docs/config.md.\n\n"
	    "OPTIONS\n"
	    "    -c, --config FILE        configuration (default " CUTOVERD_CONF_DEFAULT ")\n"
	    "    -t, --check-config FILE  validate FILE, print the first error as\n"
	    "                             FILE:LINE:COL: KEY.PATH: REASON, and exit\n"
	    "    -l, --log-level LEVEL    error, warn, info or debug (overrides the file)\n"
	    "    -f, --foreground         accepted for compatibility (always foreground)\n"
	    "    -h, --help               this text\n"
	    "    -V, --version            print the version\n\n"
	    "SIGNALS\n"
	    "    SIGTERM, SIGINT  stop: every BGP peer gets a Cease/Administrative Shutdown\n"
	    "                     NOTIFICATION with a shutdown communication (RFC 8203)\n"
	    "    SIGHUP           logged; restart the daemon to apply a changed config\n\n"
	    "FILES\n"
	    "    " CUTOVERD_CONF_DEFAULT "   configuration\n"
	    "    " CTL_SOCKET_DEFAULT "  control socket (mode 0660)\n\n"
	    "EXIT STATUS\n"
	    "    0 clean stop or valid config, 1 startup failure or invalid config,\n"
	    "    2 usage error\n");
}

static int
check_config(const char *file)
{
	struct cutoverd_conf c;
	struct diag d;
	char msg[1024];
	int rc;

	diag_init(&d, file);
	rc = cutoverd_conf_load(file, &c, &d);
	if (rc) {
		diag_format(&d, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		cutoverd_conf_free(&c);
		return 1;
	}
	printf("%s: ok (%zu peers, %zu originated prefixes)\n", file, c.bgp.npeers, c.bgp.norig);
	cutoverd_conf_free(&c);
	return 0;
}

/* ---- subsystems ---- */

static int
ctl_init(struct daemon *dm, struct diag *d)
{
	dm->ctl = ctl_server_new(dm->base, dm->conf.control_socket, d);
	return dm->ctl ? 0 : -errno;
}

static int
metrics_init(struct daemon *dm, struct diag *d)
{
	if (!dm->conf.metrics_enabled)
		dm->metrics = metrics_new(dm->base, NULL, 0, d);
	else
		dm->metrics = metrics_new(dm->base, &dm->conf.metrics_addr,
		    dm->conf.metrics_port, d);
	return dm->metrics ? 0 : -errno;
}

/* BFD for the peers that ask for it (bgp/bfd_bgp.h); the endpoint answers either way. */
static int
bfd_init(struct daemon *dm, struct diag *d)
{
	int rc;

	dm->bfd = bfd_bgp_new(dm->base, dm->bgp, d, &rc);
	if (rc)
		return rc;
	rc = bfd_control_register(dm->bfd, dm->ctl);
	if (!rc)
		rc = bfd_metrics_register(dm->bfd, dm->metrics);
	return rc;
}

static int
bgp_init(struct daemon *dm, struct diag *d)
{
	int rc;

	if (!dm->conf.bgp.present) {
		log_info("no bgp section: BGP disabled");
		return 0;
	}
	dm->bgp = bgp_speaker_new(dm->base, &dm->conf.bgp, d);
	if (!dm->bgp)
		return -errno;
	/* The RIB first: it adopts the kernel routes a previous run left, which tells
	 * whether this start is a graceful restart (RFC 4724 R and F bits). */
	dm->rib = ribd_new(&dm->conf.bgp, bgp_now_ms(), d);
	if (!dm->rib)
		return -errno;
	bgp_speaker_set_rib_client(dm->bgp, ribd_client(dm->rib));
	for (size_t i = 0; i < dm->conf.bgp.npeers; i++)
		dm->gr |= dm->conf.bgp.peers[i].gr_enabled;
	if (dm->gr)
		bgp_speaker_set_gr(dm->bgp, ribd_adopted(dm->rib) > 0, ribd_adopted(dm->rib) > 0);
	rc = ribd_control_register(dm->rib, dm->ctl);
	if (!rc)
		rc = bgp_control_register(dm->bgp, dm->ctl);
	if (!rc)
		rc = bgp_metrics_register(dm->bgp, dm->metrics);
	if (!rc)
		rc = bgp_speaker_start(dm->bgp, d);
	if (!rc)
		rc = bfd_init(dm, d);
	return rc;
}

static int
datapath_init(struct daemon *dm, struct diag *d)
{
	int rc;

	if (!dm->conf.datapath.present) {
		log_info("no datapath section: eBPF datapath disabled");
		return 0;
	}
	dm->dp = dp_agent_new(dm->base, &dm->conf.datapath, d);
	if (!dm->dp)
		return -errno;
	rc = dp_agent_control_register(dm->dp, dm->ctl);
	if (!rc)
		rc = dp_agent_metrics_register(dm->dp, dm->metrics);
	return rc;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *dm = arg;
	struct timeval tv = { 2, 0 };

	(void)what;
	if (sig == SIGHUP) {
		log_info("SIGHUP: configuration reload is not supported yet; restart to apply");
		return;
	}
	if (dm->stopping) {
		event_base_loopbreak(dm->base);
		return;
	}
	dm->stopping = true;
	log_info("signal %d: stopping", (int)sig);
	/* BFD AdminDown first, also before a graceful restart (RFC 5882 §3.4, docs/bgp.md
	 * "BFD"); sent on for <= 3 s while the loop drains. */
	bfd_bgp_stop(dm->bfd);
	if (bfd_bgp_lingering(dm->bfd) > 0)
		tv.tv_sec = 4;
	if (dm->bgp && dm->gr) {
		/* Planned restart (RFC 4724): no Cease, so the peers keep our routes as
		 * stale, and our kernel routes stay for the next run to adopt. */
		log_info("graceful restart: closing sessions without NOTIFICATION, keeping "
		    "kernel routes");
		/* the kernel client goes first: closing the sessions flushes the RIB */
		ribd_stop(dm->rib, true);
		bgp_speaker_stop_graceful(dm->bgp);
		if (bfd_bgp_lingering(dm->bfd) > 0)
			event_base_loopexit(dm->base, &tv);
		else
			event_base_loopbreak(dm->base);
		return;
	}
	if (dm->rib)
		ribd_stop(dm->rib, false);
	if ((dm->bgp && bgp_speaker_stop(dm->bgp, "cutoverd shutting down") > 0) ||
	    bfd_bgp_lingering(dm->bfd) > 0) {
		/* Let the NOTIFICATIONs go out; the loop ends when nothing is left or
		 * after the timeout. */
		event_base_loopexit(dm->base, &tv);
		return;
	}
	event_base_loopbreak(dm->base);
}

static void
drain_check(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	(void)fd;
	(void)what;
	if (dm->rib && !dm->stopping) {
		bool was = ribd_restart_done(dm->rib);

		ribd_tick(dm->rib, bgp_now_ms());
		if (!was && ribd_restart_done(dm->rib) && dm->gr)
			bgp_speaker_set_gr(dm->bgp, false, true);
	}
	if (dm->stopping && (!dm->bgp || bgp_speaker_draining(dm->bgp) == 0) &&
	    bfd_bgp_lingering(dm->bfd) == 0)
		event_base_loopbreak(dm->base);
}

static int
run(struct daemon *dm)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct timeval tick = { 0, 100000 };
	struct event *poll_ev;
	struct diag d;
	char msg[1024];
	int rc;

	signal(SIGPIPE, SIG_IGN);
	dm->base = event_base_new();
	if (!dm->base)
		fatal("event_base_new failed");
	diag_init(&d, NULL);
	rc = ctl_init(dm, &d);
	if (!rc)
		rc = metrics_init(dm, &d);
	if (!rc)
		rc = bgp_init(dm, &d);
	if (!rc)
		rc = daemon_ipam_start(dm->base, &dm->conf.ipam, dm->bgp, dm->ctl, &dm->ipam,
		    &d);
	if (!rc)
		rc = datapath_init(dm, &d);
	if (rc) {
		diag_format(&d, msg, sizeof(msg));
		log_err("startup failed:%s", msg);
		goto out;
	}
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		dm->sig[i] = evsignal_new(dm->base, sigs[i], on_signal, dm);
		evsignal_add(dm->sig[i], NULL);
	}
	poll_ev = event_new(dm->base, -1, EV_PERSIST, drain_check, dm);
	event_add(poll_ev, &tick);
	log_info("cutoverd %s running (control %s)", CUTOVER_VERSION, dm->conf.control_socket);
	event_base_dispatch(dm->base);
	event_free(poll_ev);
	log_info("stopped");
out:
	for (size_t i = 0; i < sizeof(dm->sig) / sizeof(dm->sig[0]); i++)
		if (dm->sig[i])
			event_free(dm->sig[i]);
	bfd_bgp_free(dm->bfd);
	daemon_ipam_stop(dm->ipam);
	bgp_speaker_free(dm->bgp);
	ribd_free(dm->rib);
	dp_agent_free(dm->dp);
	metrics_free(dm->metrics);
	ctl_server_free(dm->ctl);
	event_base_free(dm->base);
	return rc ? 1 : 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", required_argument, NULL, 't' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon dm;
	const char *file = CUTOVERD_CONF_DEFAULT, *level = NULL;
	enum log_level lvl;
	struct diag d;
	char msg[1024];
	int ch, rc;

	memset(&dm, 0, sizeof(dm));
	while ((ch = getopt_long(argc, argv, "c:t:l:fhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 't':
			return check_config(optarg);
		case 'l':
			level = optarg;
			break;
		case 'f':
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("cutoverd %s\n", CUTOVER_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (level && log_level_parse(level, &lvl)) {
		fprintf(stderr, "cutoverd: bad --log-level '%s' (error, warn, info, debug)\n", level);
		return 2;
	}
	diag_init(&d, file);
	rc = cutoverd_conf_load(file, &dm.conf, &d);
	if (rc) {
		diag_format(&d, msg, sizeof(msg));
		fprintf(stderr, "cutoverd: %s\n", msg);
		cutoverd_conf_free(&dm.conf);
		return 1;
	}
	if (level)
		log_set_level(lvl);
	else if (dm.conf.has_log_level)
		log_set_level(dm.conf.log_level);
	rc = run(&dm);
	cutoverd_conf_free(&dm.conf);
	return rc;
}
