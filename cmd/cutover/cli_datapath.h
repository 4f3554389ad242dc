/* SPDX-License-Identifier: MIT */
/*
 * The datapath's subcommands of `cutover` (cli_policy.c, cli_observe.c) and the one
 * helper they share.
 */
#ifndef CUTOVER_CMD_CLI_DATAPATH_H
#define CUTOVER_CMD_CLI_DATAPATH_H

#include <stdbool.h>

struct dp;
struct dp_opts;

int	cli_policy(int argc, char **argv);
int	cli_observe(int argc, char **argv);

/* Open (load = false: adopt only) the datapath at pin_root (NULL: default), printing
 * errors. Returns 0 or CLI_FAIL. */
int	cli_dp_open(const char *pin_root, bool load, const struct dp_opts *extra,
	    struct dp **dp);

#endif
