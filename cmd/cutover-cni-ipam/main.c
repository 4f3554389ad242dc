// SPDX-License-Identifier: MIT
/*
 * cutover-cni-ipam: a CNI spec 1.0 IPAM plugin. The runtime (or a main plugin such
 * as bridge or ptp) runs it with CNI_COMMAND and friends in the environment and the
 * network configuration on stdin; it answers on stdout with a result or an error
 * object and exits 0 or 1. Wiring only: parsing is ipam/cni.c, allocation ipam/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipam/cni.h"
#include "ipam/ipam.h"
#include "lib/diag.h"
#include "lib/store.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "NAME\n"
	    "    cutover-cni-ipam - CNI IPAM plugin handing out cutover IPAM addresses\n\n"
	    "SYNOPSIS\n"
	    "    CNI_COMMAND=ADD|DEL|CHECK|VERSION CNI_CONTAINERID=ID CNI_NETNS=PATH \\\n"
	    "    CNI_IFNAME=IF [CNI_ARGS=K=V;...] cutover-cni-ipam < NETWORK-CONFIG.json\n\n"
	    "DESCRIPTION\n"
	    "    Run by a CNI runtime or a main plugin (bridge, ptp, Cilium delegated IPAM),\n"
	    "    not by hand. ADD allocates one address for (container, interface) from the\n"
	    "    configured pool (idempotent: a repeated ADD returns the same address), DEL\n"
	    "    releases it, CHECK verifies it is still held, VERSION lists versions.\n"
	    "    A pod keeps a preserved VM address when it asks for it by CNI_ARGS IP=ADDR,\n"
	    "    CNI_ARGS cutover.io/preserve-ip=ADDR|VM, args.cni.ips or runtimeConfig.ips.\n\n"
	    "CONFIGURATION (the \"ipam\" object of the network configuration)\n"
	    "    \"type\":  \"cutover-cni-ipam\"\n"
	    "    \"store\": store URL (default: $CUTOVER_STORE, else %s)\n"
	    "    \"pool\":  pool name (default: the first cluster pool with room)\n"
	    "    \"node\":  node name (default: $CUTOVER_NODE, else the host name)\n\n"
	    "OUTPUT\n"
	    "    A CNI result ({\"cniVersion\",\"ips\",\"routes\",\"dns\"}) or error\n"
	    "    ({\"cniVersion\",\"code\",\"msg\",\"details\"}): codes 1-11 as in the CNI\n"
	    "    spec, 100 pool exhausted, 101 address not available, 102 no reservation.\n\n"
	    "EXIT STATUS\n"
	    "    0 success, 1 failure (the error object is on stdout)\n",
	    STORE_DEFAULT_URL);
}

static int
fail(const char *ver, int code, const char *msg, const char *details)
{
	struct ipam_cni_error e = { .code = code };
	char *j;

	snprintf(e.msg, sizeof(e.msg), "%s", msg);
	snprintf(e.details, sizeof(e.details), "%s", details ? details : "");
	j = ipam_cni_error_json(ver, &e);
	if (j)
		printf("%s\n", j);
	free(j);
	return 1;
}

static char *
read_stdin(size_t *len)
{
	size_t cap = 4096, n = 0, r;
	char *buf = malloc(cap), *nb;

	if (!buf)
		return NULL;
	for (;;) {
		if (n == cap) {
			/* one byte past the limit is enough for the parser to refuse it */
			if (cap > IPAM_CNI_MAX_INPUT)
				break;
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		r = fread(buf + n, 1, cap - n, stdin);
		if (r == 0)
			break;
		n += r;
	}
	*len = n;
	return buf;
}

static int
run(const struct ipam_cni_req *rq)
{
	const char *ver = rq->cni_version;
	const char *url = rq->store[0] ? rq->store : getenv("CUTOVER_STORE");
	const char *env_node = getenv("CUTOVER_NODE");
	char node[IPAM_NAME_MAX], details[800];
	struct ipam_lease le;
	struct store *s = NULL;
	struct ipam *im = NULL;
	struct diag d;
	int rc, status = 0;

	if (rq->node[0])
		snprintf(node, sizeof(node), "%s", rq->node);
	else if (env_node && *env_node)
		snprintf(node, sizeof(node), "%s", env_node);
	else if (gethostname(node, sizeof(node)))
		return fail(ver, CNI_ERR_INVALID_CONFIG, "no node name", "set $.ipam.node");
	node[sizeof(node) - 1] = '\0';
	diag_init(&d, "store");
	if ((rc = store_open(url, &s, &d)))
		return fail(ver, rc == -EIO ? CNI_ERR_TRY_AGAIN : CNI_ERR_IO,
		    "cannot open the IPAM store", d.msg);
	diag_init(&d, "ipam");
	if (ipam_open(s, node, &im, &d)) {
		store_close(s);
		return fail(ver, CNI_ERR_IO, "cannot load IPAM state", d.msg);
	}
	diag_init(&d, "ipam");
	switch (rq->cmd) {
	case IPAM_CNI_ADD: {
		struct ipam_request r = {
			.pool = rq->pool[0] ? rq->pool : NULL, .node = node, .cid = rq->cid,
			.ifname = rq->ifname, .has_ip = rq->has_ip, .ip = rq->ip,
			.vm = rq->vm[0] ? rq->vm : NULL,
		};
		char *j;

		rc = ipam_alloc(im, &r, &le, &d);
		if (rc) {
			snprintf(details, sizeof(details), "%s%s%s", d.msg, rq->pod[0] ? " (pod " : "",
			    rq->pod[0] ? rq->pod : "");
			if (rq->pod[0])
				strncat(details, ")", sizeof(details) - strlen(details) - 1);
			status = fail(ver, ipam_cni_code_of(rc), "address allocation failed", details);
			break;
		}
		j = ipam_cni_result(ver, &le, ipam_pool_find(im, le.pool));
		if (!j) {
			status = fail(ver, CNI_ERR_IO, "out of memory", NULL);
			break;
		}
		printf("%s\n", j);
		free(j);
		break;
	}
	case IPAM_CNI_DEL:
		if ((rc = ipam_release(im, rq->cid, rq->ifname, NULL, &d)))
			status = fail(ver, ipam_cni_code_of(rc), "release failed", d.msg);
		break;
	case IPAM_CNI_CHECK: {
		size_t i;

		rc = ipam_lookup(im, rq->cid, rq->ifname, rq->pool[0] ? rq->pool : NULL, &le);
		if (rc) {
			status = fail(ver, CNI_ERR_UNKNOWN_CONTAINER, "no address held",
			    "this container and interface hold no cutover IPAM address");
			break;
		}
		for (i = 0; i < rq->nprev; i++)
			if (addr_eq(&rq->prev[i], &le.ip))
				break;
		if (rq->nprev && i == rq->nprev) {
			char ip[ADDR_STRLEN];

			snprintf(details, sizeof(details), "IPAM holds %s, absent from prevResult",
			    addr_format(&le.ip, ip, sizeof(ip)));
			status = fail(ver, CNI_ERR_INVALID_CONFIG, "prevResult does not match IPAM",
			    details);
		}
		break;
	}
	default:
		break;
	}
	ipam_close(im);
	store_close(s);
	return status;
}

int
main(int argc, char **argv)
{
	struct ipam_cni_env env = {
		getenv("CNI_COMMAND"), getenv("CNI_CONTAINERID"), getenv("CNI_NETNS"),
		getenv("CNI_IFNAME"), getenv("CNI_ARGS"), getenv("CNI_PATH"),
	};
	struct ipam_cni_req rq;
	struct ipam_cni_error err;
	size_t len = 0;
	char *in, *j;
	int rc;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc > 1) {
		usage(stderr);
		return 2;
	}
	in = env.command && !strcmp(env.command, "VERSION") && isatty(0) ? NULL : read_stdin(&len);
	if (!in && !(env.command && !strcmp(env.command, "VERSION")))
		return fail(NULL, CNI_ERR_IO, "cannot read stdin", NULL);
	rc = ipam_cni_parse(&env, in ? in : "", len, &rq, &err);
	free(in);
	if (rc) {
		if (!env.command)
			fprintf(stderr, "cutover-cni-ipam: run by a CNI runtime (see --help)\n");
		j = ipam_cni_error_json(rq.cni_version, &err);
		if (j)
			printf("%s\n", j);
		free(j);
		return 1;
	}
	if (rq.cmd == IPAM_CNI_VERSION) {
		j = ipam_cni_version_json(rq.cni_version);
		if (j)
			printf("%s\n", j);
		free(j);
		return 0;
	}
	return run(&rq);
}
