// SPDX-License-Identifier: MIT
/*
 * `cutover ipam`: pools, leases, allocation, release, reservations and GC. IPAM is a
 * pure computation over the shared store, so this CLI opens the store itself
 * (--store URL, $CUTOVER_STORE, default sqlite:///var/lib/cutover/state.db) instead
 * of asking the daemon. Argument parsing and printing only; the work is ipam/.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cutover/cli.h"
#include "cmd/cutover/cli_ipam.h"
#include "ipam/ipam.h"
#include "lib/diag.h"
#include "lib/file.h"
#include "lib/store.h"

struct ctx {
	const char	*sub;
	const char	*store_url;
	bool		 json;
	struct store	*s;
	struct ipam	*im;
};

static const char help_main[] =
	"NAME\n"
	"    cutover ipam - address management that keeps VM addresses for pods\n\n"
	"SYNOPSIS\n"
	"    cutover ipam pools   [list|add|live|delete] ...\n"
	"    cutover ipam show    [--pool NAME] [--node NAME] [--advertise --node NAME]\n"
	"    cutover ipam alloc   --node NAME --cid ID [--pool NAME] [--ip ADDR|--vm NAME]\n"
	"    cutover ipam release --cid ID [--ifname IF] | --ip ADDR\n"
	"    cutover ipam reserve --vm NAME --ip ADDR | --delete --vm NAME | --list\n"
	"    cutover ipam gc      --node NAME --live FILE|- [--dry-run]\n\n"
	"DESCRIPTION\n"
	"    Pools are legacy segments (a VMware/NSX segment: CIDR, gateway, excluded\n"
	"    ranges, the addresses still live on VMware) or cluster pools (split into\n"
	"    per-node blocks). A reservation pins a VM's address for the pod that\n"
	"    replaces it; the CNI plugin hands it to that pod on whichever node. Each\n"
	"    node advertises the minimal prefixes covering its addresses (show\n"
	"    --advertise). Every change is a compare-and-swap on the store, so the CLI,\n"
	"    the CNI plugin and cutoverd on every node can act at the same time.\n\n"
	"COMMON OPTIONS\n"
	"    --store URL   sqlite:///PATH or etcd://HOST:PORT (default $CUTOVER_STORE,\n"
	"                  else " STORE_DEFAULT_URL ")\n"
	"    --json        machine-readable output\n"
	"    --help        this text, or a subcommand's\n\n"
	"EXIT STATUS\n"
	"    0 success, 1 the operation failed, 2 usage or input error\n";

static const char help_pools[] =
	"NAME\n"
	"    cutover ipam pools - list, define, feed and delete pools\n\n"
	"SYNOPSIS\n"
	"    cutover ipam pools [list] [--json]\n"
	"    cutover ipam pools add --name NAME --cidr CIDR [--kind legacy|cluster]\n"
	"        [--gateway ADDR] [--exclude A-B|A|P/LEN]... [--block LEN]\n"
	"        [--aggregate-free yes|no] [--route PREFIX]... [--live FILE]\n"
	"    cutover ipam pools add --file POOL.json [--live FILE]\n"
	"    cutover ipam pools live NAME --live FILE\n"
	"    cutover ipam pools delete NAME [--force]\n\n"
	"DESCRIPTION\n"
	"    add defines (or redefines, same CIDR and block) a pool. Legacy pools hand\n"
	"    out single addresses and advertise only owned addresses; cluster pools\n"
	"    default to /26 blocks per node (/122 for IPv6) and may aggregate free\n"
	"    addresses. --live FILE replaces the addresses still live on VMware: one\n"
	"    address per line, optionally followed by the VM name, '#' comments.\n"
	"    delete refuses a pool with allocations unless --force.\n";

static const char help_show[] =
	"NAME\n"
	"    cutover ipam show - leases, reservations and advertise sets\n\n"
	"SYNOPSIS\n"
	"    cutover ipam show [--pool NAME] [--node NAME] [--json]\n"
	"    cutover ipam show --advertise --node NAME [--json]\n\n"
	"DESCRIPTION\n"
	"    Without --advertise: every lease (address, pool, node, container,\n"
	"    interface, VM) filtered by pool and node, then per-pool statistics.\n"
	"    With --advertise: the prefixes NODE originates in BGP: the minimal list\n"
	"    covering its addresses and nothing owned by another node or live on VMware.\n";

static const char help_alloc[] =
	"NAME\n"
	"    cutover ipam alloc - allocate an address (what the CNI plugin does)\n\n"
	"SYNOPSIS\n"
	"    cutover ipam alloc --node NAME --cid ID [--ifname IF] [--pool NAME]\n"
	"        [--ip ADDR | --vm NAME] [--json]\n\n"
	"DESCRIPTION\n"
	"    Idempotent per (container id, interface): repeating it returns the same\n"
	"    address. --ip or --vm ask for one address exactly (a reservation's) or fail.\n"
	"    Without --pool the first cluster pool with room is used.\n";

static const char help_release[] =
	"NAME\n"
	"    cutover ipam release - release addresses\n\n"
	"SYNOPSIS\n"
	"    cutover ipam release --cid ID [--ifname IF] [--json]\n"
	"    cutover ipam release --ip ADDR [--json]\n\n"
	"DESCRIPTION\n"
	"    Releases what a container holds (all interfaces unless --ifname), or one\n"
	"    address. Releasing a container that holds nothing succeeds.\n";

static const char help_reserve[] =
	"NAME\n"
	"    cutover ipam reserve - pin a VM's address for the pod that replaces it\n\n"
	"SYNOPSIS\n"
	"    cutover ipam reserve --vm NAME --ip ADDR [--json]\n"
	"    cutover ipam reserve --delete --vm NAME\n"
	"    cutover ipam reserve --list [--json]\n\n"
	"DESCRIPTION\n"
	"    The address must lie in a pool (usually the VM's legacy segment) and not be\n"
	"    allocated. While reserved it is never handed out automatically. A pod that\n"
	"    asks for it (CNI_ARGS IP=ADDR or cutover.io/preserve-ip=ADDR|VM) gets it on\n"
	"    any node; the claim ends the address's live-on-VMware entry, so stop the VM\n"
	"    first. The reservation outlives the pod (a rescheduled pod gets it again)\n"
	"    until --delete.\n";

static const char help_gc[] =
	"NAME\n"
	"    cutover ipam gc - release allocations of containers that no longer exist\n\n"
	"SYNOPSIS\n"
	"    cutover ipam gc --node NAME --live FILE|- [--dry-run] [--json]\n\n"
	"DESCRIPTION\n"
	"    FILE lists the container ids still running on NODE, one per line ('-'\n"
	"    reads stdin; e.g. from crictl ps -q). Every allocation of NODE whose\n"
	"    container is not listed is released (--dry-run only counts).\n";

static int
usage_err(const char *sub, const char *msg)
{
	fprintf(stderr, "cutover ipam%s%s: %s (see --help)\n", sub ? " " : "", sub ? sub : "",
	    msg);
	return CLI_USAGE;
}

static int
op_fail(const struct ctx *c, const struct diag *d, int rc)
{
	char buf[1024];

	if (d && d->set && (d->source[0] || d->line || d->path[0]))
		diag_format(d, buf, sizeof(buf));
	else if (d && d->set)
		snprintf(buf, sizeof(buf), "%s", d->msg);
	else
		snprintf(buf, sizeof(buf), "%s", strerror(-rc));
	fprintf(stderr, "cutover ipam %s: %s\n", c->sub, buf);
	return rc == -EINVAL ? CLI_USAGE : CLI_FAIL;
}

static int
ctx_open(struct ctx *c, const char *node)
{
	struct diag d;
	int rc;

	diag_init(&d, NULL);
	if ((rc = store_open(c->store_url, &c->s, &d)))
		return op_fail(c, &d, rc);
	diag_init(&d, NULL);
	if ((rc = ipam_open(c->s, node, &c->im, &d))) {
		store_close(c->s);
		c->s = NULL;
		return op_fail(c, &d, rc);
	}
	return CLI_OK;
}

static void
ctx_close(struct ctx *c)
{
	ipam_close(c->im);
	store_close(c->s);
}

static void
print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static struct json_object *
lease_json(const struct ipam_lease *le)
{
	struct json_object *o = json_object_new_object();
	char a[ADDR_STRLEN];

	json_object_object_add(o, "ip", json_object_new_string(addr_format(&le->ip, a,
	    sizeof(a))));
	json_object_object_add(o, "pool", json_object_new_string(le->pool));
	json_object_object_add(o, "node", json_object_new_string(le->node));
	json_object_object_add(o, "cid", json_object_new_string(le->cid));
	json_object_object_add(o, "ifname", json_object_new_string(le->ifname));
	if (le->vm[0])
		json_object_object_add(o, "vm", json_object_new_string(le->vm));
	return o;
}

/* Read a whole file ("-" = stdin), capped at 64 MiB; NULL with errno set on failure. */
static char *
slurp(const char *path, size_t *len)
{
	char *buf;
	int rc = file_read_all(path, (size_t)64 << 20, &buf, len, NULL);

	if (rc) {
		errno = -rc;
		return NULL;
	}
	return buf;
}

/* ---- pools ------------------------------------------------------------------- */

struct live_vec {
	struct addr	*a;
	char		**vm;
	size_t		 n, cap;
};

static int
live_cb(const struct addr *a, const char *vm, void *arg)
{
	struct live_vec *v = arg;

	if (v->n == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 64;
		struct addr *na = realloc(v->a, ncap * sizeof(*na));
		char **nv;

		if (!na)
			return -ENOMEM;
		v->a = na;
		nv = realloc(v->vm, ncap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		v->vm = nv;
		v->cap = ncap;
	}
	v->a[v->n] = *a;
	v->vm[v->n] = strdup(vm);
	if (!v->vm[v->n])
		return -ENOMEM;
	v->n++;
	return 0;
}

static void
live_free(struct live_vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->vm[i]);
	free(v->a);
	free(v->vm);
}

static int
load_live(struct ctx *c, const char *pool, const char *file)
{
	struct live_vec v = { 0 };
	struct diag d;
	size_t len;
	char *text = slurp(file, &len);
	int rc;

	if (!text) {
		fprintf(stderr, "cutover ipam %s: %s: %s\n", c->sub, file, strerror(errno));
		return CLI_USAGE;
	}
	rc = ipam_live_file_parse(file, text, len, live_cb, &v, &d);
	free(text);
	if (rc) {
		live_free(&v);
		return op_fail(c, &d, -EINVAL);
	}
	diag_init(&d, NULL);
	rc = ipam_live_set(c->im, pool, v.a, v.vm, v.n, &d);
	live_free(&v);
	if (rc)
		return op_fail(c, &d, rc);
	if (!c->json)
		printf("pool %s: %zu addresses live on VMware\n", pool, v.n);
	return CLI_OK;
}

static int
pools_list(struct ctx *c)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	if (!c->json)
		printf("%-16s %-8s %-20s %-16s %6s %9s %9s %6s %9s\n", "POOL", "KIND", "CIDR",
		    "GATEWAY", "BLOCK", "ALLOCATED", "FREE", "LIVE", "RESERVED");
	for (i = 0; i < ipam_pool_count(c->im); i++) {
		const struct ipam_pool *p = ipam_pool_at(c->im, i);
		struct ipam_pool_stats st;
		char cidr[PREFIX_STRLEN], gw[ADDR_STRLEN] = "-", *js;

		ipam_pool_stats(c->im, p->name, &st);
		prefix_format(&p->cidr, cidr, sizeof(cidr));
		if (p->has_gateway)
			addr_format(&p->gateway, gw, sizeof(gw));
		if (!c->json) {
			printf("%-16s %-8s %-20s %-16s %5s%-2u %9llu %9llu %6llu %9llu\n", p->name,
			    p->kind == IPAM_POOL_LEGACY ? "legacy" : "cluster", cidr, gw, "/",
			    p->block_len, (unsigned long long)st.allocated,
			    (unsigned long long)st.free, (unsigned long long)st.live,
			    (unsigned long long)st.reserved);
			continue;
		}
		js = ipam_pool_to_json(p);
		if (js) {
			struct json_object *o = json_tokener_parse(js), *s = json_object_new_object();

			json_object_object_add(s, "size", json_object_new_int64((int64_t)st.size));
			json_object_object_add(s, "allocated", json_object_new_int64((int64_t)st.allocated));
			json_object_object_add(s, "free", json_object_new_int64((int64_t)st.free));
			json_object_object_add(s, "live", json_object_new_int64((int64_t)st.live));
			json_object_object_add(s, "reserved", json_object_new_int64((int64_t)st.reserved));
			json_object_object_add(s, "unavailable",
			    json_object_new_int64((int64_t)st.unavailable));
			json_object_object_add(s, "blocks", json_object_new_int64((int64_t)st.blocks));
			json_object_object_add(s, "blocks_claimed",
			    json_object_new_int64((int64_t)st.blocks_claimed));
			json_object_object_add(o, "stats", s);
			json_object_array_add(arr, o);
			free(js);
		}
	}
	if (c->json)
		print_json(arr);
	else
		json_object_put(arr);
	return CLI_OK;
}

static int
cmd_pools(struct ctx *c, int argc, char **argv)
{
	enum { O_NAME = 1, O_CIDR, O_KIND, O_GW, O_EXCL, O_BLOCK, O_AGG, O_ROUTE, O_LIVE, O_FILE,
		O_FORCE };
	static const struct option opts[] = {
		{ "name", required_argument, NULL, O_NAME }, { "cidr", required_argument, NULL, O_CIDR },
		{ "kind", required_argument, NULL, O_KIND }, { "gateway", required_argument, NULL, O_GW },
		{ "exclude", required_argument, NULL, O_EXCL },
		{ "block", required_argument, NULL, O_BLOCK },
		{ "aggregate-free", required_argument, NULL, O_AGG },
		{ "route", required_argument, NULL, O_ROUTE }, { "live", required_argument, NULL, O_LIVE },
		{ "file", required_argument, NULL, O_FILE }, { "force", no_argument, NULL, O_FORCE },
		{ NULL, 0, NULL, 0 },
	};
	const char *verb = argc > 1 && argv[1][0] != '-' ? argv[1] : "list";
	const char *name = NULL, *cidr = NULL, *kind = "cluster", *gw = NULL, *live = NULL;
	const char *file = NULL, *block = NULL, *agg = NULL;
	const char *excl[IPAM_EXCLUDE_MAX], *routes[4];
	size_t nexcl = 0, nroutes = 0, i;
	bool force = false;
	struct ipam_pool p;
	struct diag d;
	int o, rc;

	c->sub = "pools";
	optind = argc > 1 && argv[1][0] != '-' ? 2 : 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case O_NAME: name = optarg; break;
		case O_CIDR: cidr = optarg; break;
		case O_KIND: kind = optarg; break;
		case O_GW: gw = optarg; break;
		case O_EXCL:
			if (nexcl == IPAM_EXCLUDE_MAX)
				return usage_err("pools", "too many --exclude");
			excl[nexcl++] = optarg;
			break;
		case O_BLOCK: block = optarg; break;
		case O_AGG: agg = optarg; break;
		case O_ROUTE:
			if (nroutes == 4)
				return usage_err("pools", "at most 4 --route");
			routes[nroutes++] = optarg;
			break;
		case O_LIVE: live = optarg; break;
		case O_FILE: file = optarg; break;
		case O_FORCE: force = true; break;
		default: return usage_err("pools", "bad option");
		}
	}
	if (!strcmp(verb, "delete") || !strcmp(verb, "live"))
		name = optind < argc ? argv[optind++] : NULL;
	if (optind < argc)
		return usage_err("pools", "unexpected argument");
	if (strcmp(verb, "list") && strcmp(verb, "add") && strcmp(verb, "live") &&
	    strcmp(verb, "delete"))
		return usage_err("pools", "verb must be list, add, live or delete");
	if (!strcmp(verb, "add")) {
		diag_init(&d, file ? file : "command line");
		if (file) {
			size_t len;
			char *text = slurp(file, &len);

			if (!text) {
				fprintf(stderr, "cutover ipam pools: %s: %s\n", file, strerror(errno));
				return CLI_USAGE;
			}
			rc = ipam_pool_parse_json(text, len, &p, &d);
			free(text);
			if (rc)
				return op_fail(c, &d, rc);
		} else {
			/* build the JSON form and go through the one strict parser */
			struct json_object *j = json_object_new_object(), *a;
			const char *t;

			if (!name || !cidr) {
				json_object_put(j);
				return usage_err("pools", "add needs --name and --cidr (or --file)");
			}
			json_object_object_add(j, "name", json_object_new_string(name));
			json_object_object_add(j, "kind", json_object_new_string(kind));
			json_object_object_add(j, "cidr", json_object_new_string(cidr));
			if (gw)
				json_object_object_add(j, "gateway", json_object_new_string(gw));
			if (block) {
				char *end;
				long b = strtol(block, &end, 10);

				if (*end || b < 0 || b > 128) {
					json_object_put(j);
					return usage_err("pools", "--block wants a prefix length");
				}
				json_object_object_add(j, "block", json_object_new_int((int)b));
			}
			if (agg) {
				if (strcmp(agg, "yes") && strcmp(agg, "no")) {
					json_object_put(j);
					return usage_err("pools", "--aggregate-free wants yes or no");
				}
				json_object_object_add(j, "aggregate_free",
				    json_object_new_boolean(!strcmp(agg, "yes")));
			}
			a = json_object_new_array();
			for (i = 0; i < nexcl; i++)
				json_object_array_add(a, json_object_new_string(excl[i]));
			json_object_object_add(j, "exclude", a);
			a = json_object_new_array();
			for (i = 0; i < nroutes; i++)
				json_object_array_add(a, json_object_new_string(routes[i]));
			json_object_object_add(j, "routes", a);
			t = json_object_to_json_string(j);
			rc = ipam_pool_parse_json(t, strlen(t), &p, &d);
			json_object_put(j);
			if (rc)
				return op_fail(c, &d, rc);
		}
		if ((rc = ctx_open(c, NULL)))
			return rc;
		diag_init(&d, NULL);
		if ((rc = ipam_pool_put(c->im, &p, &d))) {
			rc = op_fail(c, &d, rc);
			goto out;
		}
		if (!c->json)
			printf("pool %s defined\n", p.name);
		rc = live ? load_live(c, p.name, live) : CLI_OK;
		if (rc == CLI_OK && c->json) {
			char *js = ipam_pool_to_json(&p);

			printf("%s\n", js ? js : "null");
			free(js);
		}
		goto out;
	}
	if ((rc = ctx_open(c, NULL)))
		return rc;
	if (!strcmp(verb, "list")) {
		rc = pools_list(c);
	} else if (!name) {
		rc = usage_err("pools", "which pool?");
	} else if (!strcmp(verb, "live")) {
		rc = live ? load_live(c, name, live) : usage_err("pools", "live needs --live FILE");
	} else {
		diag_init(&d, NULL);
		rc = ipam_pool_delete(c->im, name, force, &d);
		if (rc)
			rc = op_fail(c, &d, rc);
		else if (!c->json)
			printf("pool %s deleted\n", name);
	}
out:
	ctx_close(c);
	return rc;
}

/* ---- show -------------------------------------------------------------------- */

static int
adv_print(const struct prefix *p, void *arg)
{
	char s[PREFIX_STRLEN];

	prefix_format(p, s, sizeof(s));
	if (arg)
		json_object_array_add(arg, json_object_new_string(s));
	else
		printf("%s\n", s);
	return 0;
}

static int
cmd_show(struct ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pool", required_argument, NULL, 'p' }, { "node", required_argument, NULL, 'n' },
		{ "advertise", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 },
	};
	const char *pool = NULL, *node = NULL;
	bool adv = false;
	struct ipam_lease *v;
	size_t n, i;
	int o, rc;

	c->sub = "show";
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'p': pool = optarg; break;
		case 'n': node = optarg; break;
		case 'a': adv = true; break;
		default: return usage_err("show", "bad option");
		}
	}
	if (optind < argc)
		return usage_err("show", "unexpected argument");
	if (adv && !node)
		return usage_err("show", "--advertise needs --node");
	if ((rc = ctx_open(c, NULL)))
		return rc;
	if (adv) {
		struct ipam_adv *a;
		struct json_object *arr = c->json ? json_object_new_array() : NULL;

		if ((rc = ipam_advertise_for(c->im, node, &a))) {
			json_object_put(arr);
			rc = op_fail(c, NULL, rc);
			goto out;
		}
		ipam_adv_walk(a, adv_print, arr);
		ipam_adv_free(a);
		if (arr) {
			struct json_object *o2 = json_object_new_object();

			json_object_object_add(o2, "node", json_object_new_string(node));
			json_object_object_add(o2, "advertise", arr);
			print_json(o2);
		}
		goto out;
	}
	if (pool && !ipam_pool_find(c->im, pool)) {
		fprintf(stderr, "cutover ipam show: no pool named '%s'\n", pool);
		rc = CLI_FAIL;
		goto out;
	}
	if ((rc = ipam_leases(c->im, pool, node, &v, &n))) {
		rc = op_fail(c, NULL, rc);
		goto out;
	}
	if (c->json) {
		struct json_object *o2 = json_object_new_object(), *arr = json_object_new_array();
		struct ipam_reservation *r;
		size_t nr;

		for (i = 0; i < n; i++)
			json_object_array_add(arr, lease_json(&v[i]));
		json_object_object_add(o2, "leases", arr);
		arr = json_object_new_array();
		if (!ipam_reservations(c->im, &r, &nr)) {
			for (i = 0; i < nr; i++) {
				struct json_object *e = json_object_new_object();
				char a[ADDR_STRLEN];

				json_object_object_add(e, "vm", json_object_new_string(r[i].vm));
				json_object_object_add(e, "pool", json_object_new_string(r[i].pool));
				json_object_object_add(e, "ip", json_object_new_string(
				    addr_format(&r[i].ip, a, sizeof(a))));
				json_object_array_add(arr, e);
			}
			free(r);
		}
		json_object_object_add(o2, "reservations", arr);
		print_json(o2);
	} else {
		printf("%-40s %-16s %-16s %-8s %-16s %s\n", "ADDRESS", "POOL", "NODE", "IFNAME",
		    "VM", "CONTAINER");
		for (i = 0; i < n; i++) {
			char a[ADDR_STRLEN];

			printf("%-40s %-16s %-16s %-8s %-16s %s\n", addr_format(&v[i].ip, a, sizeof(a)),
			    v[i].pool, v[i].node, v[i].ifname, v[i].vm[0] ? v[i].vm : "-", v[i].cid);
		}
		printf("%zu leases\n", n);
	}
	free(v);
out:
	ctx_close(c);
	return rc;
}

/* ---- alloc / release ----------------------------------------------------------- */

static int
cmd_alloc(struct ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "node", required_argument, NULL, 'n' }, { "cid", required_argument, NULL, 'c' },
		{ "ifname", required_argument, NULL, 'i' }, { "pool", required_argument, NULL, 'p' },
		{ "ip", required_argument, NULL, 'a' }, { "vm", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct ipam_request rq = { 0 };
	struct ipam_lease le;
	struct diag d;
	int o, rc;

	c->sub = "alloc";
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n': rq.node = optarg; break;
		case 'c': rq.cid = optarg; break;
		case 'i': rq.ifname = optarg; break;
		case 'p': rq.pool = optarg; break;
		case 'a':
			if (addr_parse(optarg, &rq.ip))
				return usage_err("alloc", "--ip wants an IP address");
			rq.has_ip = true;
			break;
		case 'v': rq.vm = optarg; break;
		default: return usage_err("alloc", "bad option");
		}
	}
	if (optind < argc || !rq.node || !rq.cid)
		return usage_err("alloc", "--node and --cid are required");
	if ((rc = ctx_open(c, rq.node)))
		return rc;
	diag_init(&d, NULL);
	if ((rc = ipam_alloc(c->im, &rq, &le, &d))) {
		rc = op_fail(c, &d, rc);
	} else if (c->json) {
		struct json_object *j = lease_json(&le);

		json_object_object_add(j, "existing", json_object_new_boolean(le.existing));
		print_json(j);
	} else {
		char a[ADDR_STRLEN];

		printf("%s%s (pool %s, node %s)\n", addr_format(&le.ip, a, sizeof(a)),
		    le.existing ? " (already held)" : "", le.pool, le.node);
	}
	ctx_close(c);
	return rc;
}

static int
cmd_release(struct ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cid", required_argument, NULL, 'c' }, { "ifname", required_argument, NULL, 'i' },
		{ "ip", required_argument, NULL, 'a' }, { NULL, 0, NULL, 0 },
	};
	const char *cid = NULL, *ifname = NULL;
	bool has_ip = false;
	struct addr ip;
	struct diag d;
	size_t n = 0;
	int o, rc;

	c->sub = "release";
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cid = optarg; break;
		case 'i': ifname = optarg; break;
		case 'a':
			if (addr_parse(optarg, &ip))
				return usage_err("release", "--ip wants an IP address");
			has_ip = true;
			break;
		default: return usage_err("release", "bad option");
		}
	}
	if (optind < argc || (!cid == !has_ip))
		return usage_err("release", "give --cid or --ip");
	if ((rc = ctx_open(c, NULL)))
		return rc;
	diag_init(&d, NULL);
	if (has_ip) {
		rc = ipam_release_ip(c->im, &ip, &d);
		n = rc == 0;
	} else {
		rc = ipam_release(c->im, cid, ifname, &n, &d);
	}
	if (rc)
		rc = op_fail(c, &d, rc);
	else if (c->json)
		printf("{ \"released\": %zu }\n", n);
	else
		printf("released %zu address%s\n", n, n == 1 ? "" : "es");
	ctx_close(c);
	return rc;
}

/* ---- reserve ------------------------------------------------------------------- */

static int
cmd_reserve(struct ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vm", required_argument, NULL, 'v' }, { "ip", required_argument, NULL, 'a' },
		{ "delete", no_argument, NULL, 'd' }, { "list", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *vm = NULL;
	bool has_ip = false, del = false, list = false;
	struct addr ip;
	struct diag d;
	int o, rc;

	c->sub = "reserve";
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'v': vm = optarg; break;
		case 'a':
			if (addr_parse(optarg, &ip))
				return usage_err("reserve", "--ip wants an IP address");
			has_ip = true;
			break;
		case 'd': del = true; break;
		case 'l': list = true; break;
		default: return usage_err("reserve", "bad option");
		}
	}
	if (optind < argc)
		return usage_err("reserve", "unexpected argument");
	if (!list && (!vm || (del == has_ip)))
		return usage_err("reserve", "give --vm with --ip, or --delete --vm, or --list");
	if ((rc = ctx_open(c, NULL)))
		return rc;
	diag_init(&d, NULL);
	if (list) {
		struct ipam_reservation *r;
		struct json_object *arr = json_object_new_array();
		size_t n, i;

		if ((rc = ipam_reservations(c->im, &r, &n))) {
			json_object_put(arr);
			rc = op_fail(c, NULL, rc);
			goto out;
		}
		if (!c->json)
			printf("%-24s %-40s %s\n", "VM", "ADDRESS", "POOL");
		for (i = 0; i < n; i++) {
			char a[ADDR_STRLEN];
			struct json_object *e = json_object_new_object();

			addr_format(&r[i].ip, a, sizeof(a));
			if (!c->json)
				printf("%-24s %-40s %s\n", r[i].vm, a, r[i].pool);
			json_object_object_add(e, "vm", json_object_new_string(r[i].vm));
			json_object_object_add(e, "ip", json_object_new_string(a));
			json_object_object_add(e, "pool", json_object_new_string(r[i].pool));
			json_object_array_add(arr, e);
		}
		free(r);
		if (c->json)
			print_json(arr);
		else
			json_object_put(arr);
		goto out;
	}
	rc = del ? ipam_unreserve(c->im, vm, &d) : ipam_reserve(c->im, vm, &ip, &d);
	if (rc) {
		rc = op_fail(c, &d, rc);
	} else if (c->json) {
		char a[ADDR_STRLEN];

		printf("{ \"vm\": \"%s\", \"reserved\": %s%s%s%s }\n", vm, del ? "false" : "true",
		    del ? "" : ", \"ip\": \"", del ? "" : addr_format(&ip, a, sizeof(a)),
		    del ? "" : "\"");
	} else {
		char a[ADDR_STRLEN];

		if (del)
			printf("reservation of %s deleted\n", vm);
		else
			printf("%s reserved for VM %s\n", addr_format(&ip, a, sizeof(a)), vm);
	}
out:
	ctx_close(c);
	return rc;
}

/* ---- gc ------------------------------------------------------------------------ */

static int
cmd_gc(struct ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "node", required_argument, NULL, 'n' }, { "live", required_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'd' }, { NULL, 0, NULL, 0 },
	};
	const char *node = NULL, *live = NULL;
	bool dry = false;
	char **cids = NULL, *text, *save = NULL, *tok;
	size_t len, n = 0, cap = 0, released;
	struct diag d;
	int o, rc;

	c->sub = "gc";
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'n': node = optarg; break;
		case 'l': live = optarg; break;
		case 'd': dry = true; break;
		default: return usage_err("gc", "bad option");
		}
	}
	if (optind < argc || !node || !live)
		return usage_err("gc", "--node and --live are required");
	if (!(text = slurp(live, &len))) {
		fprintf(stderr, "cutover ipam gc: %s: %s\n", live, strerror(errno));
		return CLI_USAGE;
	}
	for (tok = strtok_r(text, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == cap) {
			char **nc = realloc(cids, (cap = cap ? cap * 2 : 64) * sizeof(*nc));

			if (!nc) {
				free(cids);
				free(text);
				return CLI_FAIL;
			}
			cids = nc;
		}
		cids[n++] = tok;
	}
	if ((rc = ctx_open(c, NULL)) == CLI_OK) {
		diag_init(&d, NULL);
		rc = ipam_gc(c->im, node, cids, n, dry, &released, &d);
		if (rc)
			rc = op_fail(c, &d, rc);
		else if (c->json)
			printf("{ \"node\": \"%s\", \"released\": %zu, \"dry_run\": %s }\n", node,
			    released, dry ? "true" : "false");
		else
			printf("%s %zu leaked allocation%s of node %s\n", dry ? "would release" :
			    "released", released, released == 1 ? "" : "s", node);
		ctx_close(c);
	}
	free(cids);
	free(text);
	return rc;
}

/* ---- dispatch ------------------------------------------------------------------- */

static const struct {
	const char	*name;
	int		(*run)(struct ctx *c, int argc, char **argv);
	const char	*help;
} subs[] = {
	{ "pools", cmd_pools, help_pools },
	{ "show", cmd_show, help_show },
	{ "alloc", cmd_alloc, help_alloc },
	{ "release", cmd_release, help_release },
	{ "reserve", cmd_reserve, help_reserve },
	{ "gc", cmd_gc, help_gc },
};

int
cli_ipam(int argc, char **argv)
{
	struct ctx c = { .sub = "", .store_url = getenv("CUTOVER_STORE") };
	char *args[64];
	int n = 0, i;
	size_t k;

	/* take the common options out wherever they are; keep the rest in order */
	for (i = 1; i < argc && n < 63; i++) {
		if (!strcmp(argv[i], "--json")) {
			c.json = true;
		} else if (!strcmp(argv[i], "--store") && i + 1 < argc) {
			c.store_url = argv[++i];
		} else if (!strncmp(argv[i], "--store=", 8)) {
			c.store_url = argv[i] + 8;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			for (k = 0; n > 0 && k < sizeof(subs) / sizeof(subs[0]); k++)
				if (!strcmp(args[0], subs[k].name)) {
					fputs(subs[k].help, stdout);
					return CLI_OK;
				}
			fputs(help_main, stdout);
			return CLI_OK;
		} else {
			args[n++] = argv[i];
		}
	}
	if (i < argc)
		return usage_err(NULL, "too many arguments");
	args[n] = NULL;
	if (n == 0) {
		fputs(help_main, stderr);
		return CLI_USAGE;
	}
	for (k = 0; k < sizeof(subs) / sizeof(subs[0]); k++)
		if (!strcmp(args[0], subs[k].name))
			return subs[k].run(&c, n, args);
	fprintf(stderr, "cutover ipam: unknown subcommand '%s' (see cutover ipam --help)\n",
	    args[0]);
	return CLI_USAGE;
}
