// SPDX-License-Identifier: MIT
/*
 * TCP connect/request/response benchmark (TCP_CRR style: every transaction is a new
 * connection, where per-flow policy cost shows). Not a test.
 *   dp_rr server ADDR PORT            accept, read 64 bytes, answer 64 bytes, close
 *   dp_rr client ADDR PORT SECONDS    new connection per transaction, prints "tps N"
 *   dp_rr rr ADDR PORT SECONDS        transactions on one persistent connection
 * Run it inside the pods' network namespaces.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"

#define MSG	64

static int
addr_of(const char *ip, int port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, ip, &sa->sin_addr) == 1 ? 0 : -1;
}

static int
full_io(int fd, char *buf, size_t n, int wr)
{
	size_t off = 0;

	while (off < n) {
		ssize_t k = wr ? write(fd, buf + off, n - off) : read(fd, buf + off, n - off);

		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)k;
	}
	return 0;
}

static int
server(const struct sockaddr_in *sa)
{
	int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0);
	char buf[MSG];

	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (const struct sockaddr *)sa, sizeof(*sa)) || listen(ls, 1024)) {
		perror("dp_rr server");
		return 1;
	}
	for (;;) {
		int c = accept(ls, NULL, NULL);

		if (c < 0)
			continue;
		/* one transaction (crr) or many on one connection (rr) */
		while (full_io(c, buf, MSG, 0) == 0 && full_io(c, buf, MSG, 1) == 0)
			;
		close(c);
	}
}

/* request/response on one persistent connection: every packet meets the policy */
static int
client_rr(const struct sockaddr_in *sa, double secs)
{
	char buf[MSG];
	unsigned long ok = 0;
	double t0 = clock_s(CLOCK_MONOTONIC), t;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(buf, 'x', sizeof(buf));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa))) {
		perror("dp_rr rr");
		return 1;
	}
	do {
		if (full_io(fd, buf, MSG, 1) || full_io(fd, buf, MSG, 0))
			break;
		ok++;
		t = clock_s(CLOCK_MONOTONIC);
	} while (t - t0 < secs);
	t = clock_s(CLOCK_MONOTONIC);
	close(fd);
	printf("tps %.0f\nfailed 0\n", (double)ok / (t - t0));
	return ok ? 0 : 1;
}

static int
client(const struct sockaddr_in *sa, double secs)
{
	char buf[MSG];
	unsigned long ok = 0, fail = 0;
	double t0 = clock_s(CLOCK_MONOTONIC), t;

	memset(buf, 'x', sizeof(buf));
	do {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct linger lg = { 1, 0 };	/* RST on close: no TIME_WAIT pile-up */
		struct timeval to = { 2, 0 };	/* bounds connect() when SYNs are dropped */

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &to, sizeof(to));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &to, sizeof(to));
		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 &&
		    full_io(fd, buf, MSG, 1) == 0 && full_io(fd, buf, MSG, 0) == 0)
			ok++;
		else
			fail++;
		close(fd);
		t = clock_s(CLOCK_MONOTONIC);
	} while (t - t0 < secs);
	printf("tps %.0f\nfailed %lu\n", (double)ok / (t - t0), fail);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;

	signal(SIGPIPE, SIG_IGN);
	if (argc >= 4 && addr_of(argv[2], atoi(argv[3]), &sa) == 0) {
		if (!strcmp(argv[1], "server") && argc == 4)
			return server(&sa);
		if (!strcmp(argv[1], "client") && argc == 5)
			return client(&sa, atof(argv[4]));
		if (!strcmp(argv[1], "rr") && argc == 5)
			return client_rr(&sa, atof(argv[4]));
	}
	fprintf(stderr, "usage: dp_rr server ADDR PORT | dp_rr client ADDR PORT SECONDS\n");
	return 2;
}
