/* SPDX-License-Identifier: MIT */
/* `cutover ipam` (cmd/cutover/cli_ipam.c). */
#ifndef CUTOVER_CMD_CLI_IPAM_H
#define CUTOVER_CMD_CLI_IPAM_H

int	cli_ipam(int argc, char **argv);

#endif
