/* SPDX-License-Identifier: MIT */
/*
 * The `cutover` command: one entry per subcommand. Each module's CLI lives in its own
 * cmd/cutover/cli_<name>.c and exports one function with this signature; argv[0] is
 * the subcommand name. Return the process exit status (0 ok, 1 failure/gaps,
 * 2 usage or input error).
 */
#ifndef CUTOVER_CMD_CLI_H
#define CUTOVER_CMD_CLI_H

#include <stdbool.h>

struct cli_cmd {
	const char	*name;
	int		(*run)(int argc, char **argv);
	const char	*summary;
};

/* Exit statuses shared by every subcommand. */
#define CLI_OK		0
#define CLI_FAIL	1
#define CLI_USAGE	2

/* nsx-import (cmd/cutover/cli_nsx.c) */
int	cli_nsx_import(int argc, char **argv);

/* cutover bgp bfd (cmd/cutover/cli_bfd.c, dispatched by cli_bgp.c) */
int	cli_bgp_bfd(bool json);

#endif
