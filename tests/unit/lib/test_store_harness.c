// SPDX-License-Identifier: MIT
/* Start/stop a throwaway etcd for tests (see test_store_harness.h). */
#include "tests/unit/lib/test_store_harness.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/store.h"

static int
free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd < 0)
		return -1;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (!bind(fd, (struct sockaddr *)&sin, sizeof(sin)) &&
	    !getsockname(fd, (struct sockaddr *)&sin, &len))
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

int
harness_tmpdir(char *out, size_t outlen)
{
	snprintf(out, outlen, "/tmp/cutover-test-XXXXXX");
	return mkdtemp(out) ? 0 : -errno;
}

void
harness_rmdir(const char *dir)
{
	char cmd[300];

	if (!dir[0] || (strncmp(dir, "/tmp/cutover-test-", 18) &&
	    strncmp(dir, "/dev/shm/cutover-test-", 22)))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "harness: could not remove %s\n", dir);
}

int
etcd_harness_start(struct etcd_harness *h)
{
	char client[64], peer[64], cluster[96], data[160], log[160];
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int cport = free_port(), pport = free_port(), i;
	struct store *s;

	memset(h, 0, sizeof(*h));
	if (access("/usr/bin/etcd", X_OK))
		return -ENOENT;
	if (cport < 0 || pport < 0 || cport == pport)
		return -EADDRINUSE;
	/* tmpfs keeps test runs fast; durability of etcd itself is not under test.
	 * Benchmarks set ETCD_HARNESS_DISK=1 to put the data on /tmp (a real disk). */
	snprintf(h->dir, sizeof(h->dir), "%s/cutover-test-XXXXXX",
	    getenv("ETCD_HARNESS_DISK") ? "/tmp" : "/dev/shm");
	if (!mkdtemp(h->dir))
		return -errno;
	snprintf(client, sizeof(client), "http://127.0.0.1:%d", cport);
	snprintf(peer, sizeof(peer), "http://127.0.0.1:%d", pport);
	snprintf(cluster, sizeof(cluster), "default=%s", peer);
	snprintf(data, sizeof(data), "%s/data", h->dir);
	snprintf(log, sizeof(log), "%s/etcd.log", h->dir);
	snprintf(h->url, sizeof(h->url), "etcd://127.0.0.1:%d", cport);
	h->pid = fork();
	if (h->pid < 0)
		return -errno;
	if (h->pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execl("/usr/bin/etcd", "etcd", "--name", "default", "--data-dir", data,
		    "--listen-client-urls", client, "--advertise-client-urls", client,
		    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		    "--initial-cluster", cluster, "--log-level", "error", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		if (store_open(h->url, &s, NULL) == 0) {
			store_close(s);
			return 0;
		}
		if (waitpid(h->pid, NULL, WNOHANG) == h->pid) {
			h->pid = 0;
			return -ECHILD;
		}
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

void
etcd_harness_stop(struct etcd_harness *h)
{
	if (h->pid > 0) {
		kill(h->pid, SIGTERM);
		waitpid(h->pid, NULL, 0);
		h->pid = 0;
	}
	if (h->dir[0])
		harness_rmdir(h->dir);
	h->dir[0] = '\0';
}
