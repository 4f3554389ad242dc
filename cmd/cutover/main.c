// SPDX-License-Identifier: MIT
/* `cutover`: dispatch to subcommands. Argument parsing of each subcommand lives in
 * its cli_<name>.c; this file only knows the table. */
#include <stdio.h>
#include <string.h>

#include "cmd/cutover/cli.h"
#include "cmd/cutover/cli_datapath.h"
#include "cmd/cutover/cli_ipam.h"

#ifndef CUTOVER_VERSION
#define CUTOVER_VERSION "0.1.0-dev"
#endif

/* Subcommands register here (one line each). */
int	cli_bgp(int argc, char **argv);

static const struct cli_cmd cli_cmds[] = {
	{ "bgp", cli_bgp, "BGP sessions, received and originated routes (cutoverd)" },
	{ "nsx-import", cli_nsx_import, "translate NSX DFW policy into Cilium policy (exact or gap report)" },
	{ "ipam", cli_ipam, "pools, reservations and addresses that keep VM IPs for pods" },
	{ "policy", cli_policy, "apply and inspect the node's eBPF policy datapath" },
	{ "observe", cli_observe, "show flows and drops seen by the eBPF datapath" },
	{ NULL, NULL, NULL },
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "NAME\n"
	    "    cutover - move workloads from VMware NSX to Kubernetes without renumbering\n\n"
	    "SYNOPSIS\n"
	    "    cutover COMMAND [ARGS...]\n"
	    "    cutover help COMMAND\n"
	    "    cutover --version\n\n"
	    "COMMANDS\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(out, "    %-12s %s\n", c->name, c->summary);
	fprintf(out,
	    "\nEach command takes --help. Commands that talk to the daemon use its control\n"
	    "socket (default /run/cutover/cutoverd.sock, override with CUTOVER_SOCKET).\n\n"
	    "EXIT STATUS\n"
	    "    0 success, 1 failure (or gaps with --strict), 2 usage or input error\n");
}

int
main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
		usage(stdout);
		return CLI_OK;
	}
	if (!strcmp(name, "--version")) {
		printf("cutover %s\n", CUTOVER_VERSION);
		return CLI_OK;
	}
	if (!strcmp(name, "help")) {
		if (argc < 3) {
			usage(stdout);
			return CLI_OK;
		}
		for (const struct cli_cmd *c = cli_cmds; c->name; c++) {
			if (!strcmp(c->name, argv[2])) {
				char *hargv[] = { argv[2], (char *)"--help", NULL };

				return c->run(2, hargv);
			}
		}
		fprintf(stderr, "cutover: unknown command '%s'\n", argv[2]);
		return CLI_USAGE;
	}
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "cutover: unknown command '%s' (see cutover --help)\n", name);
	return CLI_USAGE;
}
