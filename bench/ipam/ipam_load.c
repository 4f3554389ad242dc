// SPDX-License-Identifier: MIT
/*
 * ipam-load: an allocation burst for tests and benchmarks. Allocates COUNT addresses
 * for one node from one pool through the ipam API (one long-lived handle, as
 * cutoverd would hold) and prints one line per acknowledged allocation, flushed
 * once ipam_alloc() has returned (so the store has committed it):
 *     ACK <container-id> <address>
 * then "DONE <count> <seconds> <conflicts>". The crash test kills it with SIGKILL mid-burst and
 * checks the store against the ACK lines; the etcd test runs two at once.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipam/ipam.h"
#include "lib/clock.h"
#include "lib/diag.h"
#include "lib/store.h"

static void
usage(FILE *out)
{
	fprintf(out,
	    "NAME\n"
	    "    ipam-load - allocate a burst of addresses and print each acknowledged one\n\n"
	    "SYNOPSIS\n"
	    "    ipam-load --store URL --node NAME --pool NAME --count N [--cid-prefix P]\n"
	    "              [--quiet]\n\n"
	    "OUTPUT\n"
	    "    \"ACK CID ADDRESS\" per allocation once it is committed (unless --quiet),\n"
	    "    then \"DONE N SECONDS CONFLICTS\". Exit 1 on the first failed allocation.\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "store", required_argument, NULL, 's' }, { "node", required_argument, NULL, 'n' },
		{ "pool", required_argument, NULL, 'p' }, { "count", required_argument, NULL, 'c' },
		{ "cid-prefix", required_argument, NULL, 'x' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *node = NULL, *pool = NULL, *prefix = "load";
	long count = 0, i;
	bool quiet = false;
	double t0;
	struct store *s;
	struct ipam *im;
	struct diag d;
	int o, rc;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's': url = optarg; break;
		case 'n': node = optarg; break;
		case 'p': pool = optarg; break;
		case 'c': count = strtol(optarg, NULL, 10); break;
		case 'x': prefix = optarg; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!url || !node || !pool || count <= 0) {
		usage(stderr);
		return 2;
	}
	diag_init(&d, NULL);
	if (store_open(url, &s, &d)) {
		fprintf(stderr, "ipam-load: %s\n", d.msg);
		return 1;
	}
	if (ipam_open(s, node, &im, &d)) {
		fprintf(stderr, "ipam-load: %s\n", d.msg);
		store_close(s);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	t0 = clock_s(CLOCK_MONOTONIC);
	for (i = 0; i < count; i++) {
		char cid[IPAM_CID_MAX], ip[ADDR_STRLEN];
		struct ipam_request rq = { .pool = pool, .node = node, .cid = cid };
		struct ipam_lease le;

		snprintf(cid, sizeof(cid), "%s-%ld", prefix, i);
		diag_init(&d, NULL);
		if ((rc = ipam_alloc(im, &rq, &le, &d))) {
			fprintf(stderr, "ipam-load: allocation %ld: %s\n", i, d.msg);
			break;
		}
		if (!quiet)
			printf("ACK %s %s\n", cid, addr_format(&le.ip, ip, sizeof(ip)));
	}
	printf("DONE %ld %.3f %llu\n", i, clock_s(CLOCK_MONOTONIC) - t0,
	    (unsigned long long)ipam_conflicts(im));
	ipam_close(im);
	store_close(s);
	return rc ? 1 : 0;
}
