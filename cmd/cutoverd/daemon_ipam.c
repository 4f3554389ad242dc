// SPDX-License-Identifier: MIT
/*
 * cutoverd <-> IPAM wiring (see daemon_ipam.h). The advertise set's change callback
 * becomes bgp_originate_add/del; a libevent timer polls the store (cheap: one
 * revision read) and re-reads IPAM state only when it changed, which fires the
 * callback for exactly the prefixes that entered or left the set.
 */
#include "cmd/cutoverd/daemon_ipam.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgp/session.h"
#include "ipam/ipam.h"
#include "lib/ctl.h"
#include "lib/diag.h"
#include "lib/log.h"
#include "lib/store.h"

struct daemon_ipam {
	struct store		*store;
	struct ipam		*im;
	struct bgp_speaker	*bgp;
	struct event		*timer;
	char			 node[IPAM_NAME_MAX];
	char			 url[256];
	bool			 poll_failed;
};

static void
on_adv_change(const struct prefix *p, bool added, void *arg)
{
	struct daemon_ipam *di = arg;
	char s[PREFIX_STRLEN];
	int rc = 0;

	prefix_format(p, s, sizeof(s));
	log_msg(LOG_LVL_INFO, "ipam", "%s %s (node %s advertise set)",
	    added ? "originate" : "withdraw", s, di->node);
	if (!di->bgp)
		return;
	rc = added ? bgp_originate_add(di->bgp, p, NULL, 0) : bgp_originate_del(di->bgp, p);
	if (rc)
		log_msg(LOG_LVL_ERR, "ipam", "BGP %s %s failed: %s", added ? "originate" :
		    "withdraw", s, strerror(-rc));
}

static int
originate_initial(const struct prefix *p, void *arg)
{
	on_adv_change(p, true, arg);
	return 0;
}

static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct daemon_ipam *di = arg;
	struct diag d;
	int rc;

	(void)fd;
	(void)what;
	diag_init(&d, NULL);
	rc = ipam_refresh(di->im, NULL, &d);
	/* log a store outage once, and its end; the set stays as it was meanwhile */
	if (rc && !di->poll_failed)
		log_msg(LOG_LVL_WARN, "ipam", "store poll failed (keeping the current "
		    "advertise set): %s", d.msg);
	else if (!rc && di->poll_failed)
		log_msg(LOG_LVL_INFO, "ipam", "store reachable again");
	di->poll_failed = rc != 0;
}

static int
adv_json(const struct prefix *p, void *arg)
{
	char s[PREFIX_STRLEN];

	json_object_array_add(arg, json_object_new_string(prefix_format(p, s, sizeof(s))));
	return 0;
}

/* GET /v1/ipam/advertise */
static int
h_advertise(struct ctl_req *req, void *arg)
{
	struct daemon_ipam *di = arg;
	json_object *o = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(o, "node", json_object_new_string(di->node));
	json_object_object_add(o, "store", json_object_new_string(di->url));
	json_object_object_add(o, "pools", json_object_new_int64((int64_t)ipam_pool_count(di->im)));
	json_object_object_add(o, "store_reachable", json_object_new_boolean(!di->poll_failed));
	ipam_adv_walk(ipam_advertise(di->im), adv_json, a);
	json_object_object_add(o, "advertise", a);
	return ctl_reply_json(req, 200, o);
}

int
daemon_ipam_start(struct event_base *base, const struct ipam_conf *conf,
    struct bgp_speaker *bgp, struct ctl_server *ctl, struct daemon_ipam **out,
    struct diag *d)
{
	struct daemon_ipam *di;
	struct timeval tv;
	int rc;

	*out = NULL;
	if (!conf->present)
		return 0;
	di = calloc(1, sizeof(*di));
	if (!di)
		return -ENOMEM;
	di->bgp = bgp;
	snprintf(di->url, sizeof(di->url), "%s", conf->store);
	if (conf->node[0])
		snprintf(di->node, sizeof(di->node), "%s", conf->node);
	else if (gethostname(di->node, sizeof(di->node) - 1))
		snprintf(di->node, sizeof(di->node), "localhost");
	if ((rc = store_open(conf->store, &di->store, d)) ||
	    (rc = ipam_open(di->store, di->node, &di->im, d)))
		goto fail;
	ipam_advertise_set_cb(di->im, on_adv_change, di);
	ipam_adv_walk(ipam_advertise(di->im), originate_initial, di);
	di->timer = event_new(base, -1, EV_PERSIST, on_poll, di);
	if (!di->timer) {
		rc = -ENOMEM;
		goto fail;
	}
	tv.tv_sec = conf->poll_ms / 1000;
	tv.tv_usec = (long)(conf->poll_ms % 1000) * 1000;
	event_add(di->timer, &tv);
	if (ctl && (rc = ctl_register(ctl, "GET", "/v1/ipam/advertise", h_advertise, di)))
		goto fail;
	log_msg(LOG_LVL_INFO, "ipam", "node %s, store %s (%s), %zu pools, %zu prefixes to "
	    "advertise", di->node, conf->store, store_backend(di->store),
	    ipam_pool_count(di->im), ipam_adv_count(ipam_advertise(di->im)));
	*out = di;
	return 0;
fail:
	daemon_ipam_stop(di);
	return rc;
}

void
daemon_ipam_stop(struct daemon_ipam *di)
{
	if (!di)
		return;
	if (di->timer)
		event_free(di->timer);
	ipam_close(di->im);
	store_close(di->store);
	free(di);
}
