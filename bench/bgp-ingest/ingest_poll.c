// SPDX-License-Identifier: MIT
/*
 * ingest-poll: watch a daemon's route count until it reaches a target and print the
 * wall-clock time (CLOCK_REALTIME, seconds) at which it was first seen there. Used by
 * bench/bgp-ingest so that both daemons are timed the same way with millisecond
 * resolution, without forking a client per poll:
 *   BIRD      its control socket, `show protocols all NAME` ("Routes: N imported", a
 *             counter BIRD keeps, so a poll costs BIRD the same whatever the table size)
 *   cutoverd  GET /v1/bgp/rib on its control socket ("prefixes_ipv4" + "prefixes_ipv6",
 *             counters as well)
 * Between polls it sleeps --interval milliseconds (default 2).
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/ctl.h"
#include "lib/diag.h"

static const char usage[] =
"usage: ingest-poll (--bird SOCKET --protocol NAME | --cutoverd SOCKET) --want N\n"
"                   [--interval MS] [--timeout S]\n"
"\n"
"Polls the daemon's imported route count until it is at least N, then prints the\n"
"wall-clock time of that poll (seconds since the epoch, ns resolution) and exits 0.\n"
"Exits 1 on timeout (default 300 s) or when the daemon cannot be asked, 2 on bad\n"
"arguments. --interval is the sleep between polls in ms (default 2).\n";

/* One `show protocols all NAME` over BIRD's control socket; -1 when unreadable. */
static long long
bird_count(const char *sock, const char *proto)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[65536], cmd[160];
	size_t len = 0;
	long long n = -1;
	int fd;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto out;
	snprintf(cmd, sizeof(cmd), "show protocols all %s\n", proto);
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		goto out;
	/* After the greeting ("0001 ... ready."), the reply's lines start with a code and
	 * '-' or ' ' (continuations with a space); the last one is "0000 " on success. A
	 * protocol whose channel is not up yet has no "Routes:" line: count 0. */
	for (;;) {
		ssize_t k = read(fd, buf + len, sizeof(buf) - 1 - len);
		const char *r;

		if (k <= 0)
			break;
		len += (size_t)k;
		buf[len] = '\0';
		if ((r = strstr(buf, "Routes:")) && strchr(r, '\n')) {
			n = strtoll(r + strlen("Routes:"), NULL, 10);
			break;
		}
		if (strstr(buf, "\n0000 ")) {
			n = 0;
			break;
		}
		if (strstr(buf, "\n8") || strstr(buf, "\n9") || len == sizeof(buf) - 1)
			break;		/* an error reply, or more than we read */
	}
out:
	close(fd);
	return n;
}

static long long
field(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static long long
cutoverd_count(const char *sock)
{
	json_object *reply = NULL;
	struct diag d;
	int status = 0;
	long long n = -1;

	diag_init(&d, "ingest-poll");
	if (ctl_call(sock, "GET", "/v1/bgp/rib", NULL, 2000, &status, &reply, &d) == 0 &&
	    status == 200)
		n = field(reply, "prefixes_ipv4") + field(reply, "prefixes_ipv6");
	json_object_put(reply);
	return n;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "bird", required_argument, NULL, 'b' },
		{ "protocol", required_argument, NULL, 'p' },
		{ "cutoverd", required_argument, NULL, 'c' },
		{ "want", required_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bird = NULL, *proto = NULL, *cut = NULL;
	long long want = -1, n = -1;
	double interval_ms = 2, timeout = 300, t0;
	struct timespec nap;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'b': bird = optarg; break;
		case 'p': proto = optarg; break;
		case 'c': cut = optarg; break;
		case 'w': want = strtoll(optarg, NULL, 10); break;
		case 'i': interval_ms = strtod(optarg, NULL); break;
		case 't': timeout = strtod(optarg, NULL); break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (want < 0 || !!bird == !!cut || (bird && !proto) || interval_ms < 0 || timeout <= 0) {
		fputs(usage, stderr);
		return 2;
	}
	nap.tv_sec = (time_t)(interval_ms / 1000);
	nap.tv_nsec = (long)((interval_ms - (double)nap.tv_sec * 1000) * 1e6);
	t0 = clock_s(CLOCK_REALTIME);
	for (;;) {
		n = bird ? bird_count(bird, proto) : cutoverd_count(cut);
		if (n >= want) {
			printf("%.6f\n", clock_s(CLOCK_REALTIME));
			return 0;
		}
		if (clock_s(CLOCK_REALTIME) - t0 > timeout)
			break;
		nanosleep(&nap, NULL);
	}
	fprintf(stderr, "ingest-poll: %lld of %lld routes after %.0f s\n", n, want, timeout);
	return 1;
}
