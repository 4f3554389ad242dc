/* SPDX-License-Identifier: MIT */
/*
 * Test harness: start a real etcd (Debian etcd-server) on loopback with a temporary
 * data directory and free high ports, and stop it again. Used by the store and IPAM
 * unit tests; integration scripts start etcd themselves.
 */
#ifndef CUTOVER_TESTS_STORE_HARNESS_H
#define CUTOVER_TESTS_STORE_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

struct etcd_harness {
	pid_t	pid;
	char	dir[128];
	char	url[64];	/* etcd://127.0.0.1:PORT */
};

/* Returns 0 when etcd answers, -ENOENT when the etcd binary is missing, other
 * -errno when it did not come up within a few seconds (log in dir/etcd.log). */
int	etcd_harness_start(struct etcd_harness *h);
void	etcd_harness_stop(struct etcd_harness *h);
/* A fresh temporary directory for SQLite files (under /tmp); 0 or -errno. */
int	harness_tmpdir(char *out, size_t outlen);
void	harness_rmdir(const char *dir);

#endif
