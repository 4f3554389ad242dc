// SPDX-License-Identifier: MIT
/*
 * Control API client for the CLI (see ctl.h): a blocking AF_UNIX connection, one
 * HTTP/1.1 request with "Connection: close", the reply read to EOF (bounded size and
 * time), status line and body parsed; the body must be JSON.
 */
#include "lib/clock.h"
#include "lib/ctl.h"
#include "lib/file.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CTL_REPLY_MAX	(16u << 20)

const char *
ctl_socket_path(void)
{
	const char *s = getenv("CUTOVER_SOCKET");

	return s && *s ? s : CTL_SOCKET_DEFAULT;
}

int
ctl_call(const char *sock, const char *method, const char *path, json_object *body,
    int timeout_ms, int *status, json_object **out, struct diag *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *btxt = body ? json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN) : "";
	size_t blen = strlen(btxt), len = 0, cap = 65536;
	char *hdr = NULL, *buf = NULL, *p;
	int64_t deadline = (int64_t)clock_ms(CLOCK_MONOTONIC) + (timeout_ms > 0 ? timeout_ms : 10000);
	int fd = -1, rc = 0, n;

	*out = NULL;
	*status = 0;
	if (strlen(sock) >= sizeof(sa.sun_path))
		return diag_failv(d, -ENAMETOOLONG, "socket path too long: %s", sock);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return diag_failv(d, -errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = diag_failv(d, -errno, "cannot connect to %s: %s (is cutoverd running?)",
		    sock, strerror(errno));
		goto out;
	}
	n = asprintf(&hdr, "%s %s HTTP/1.1\r\nHost: cutoverd\r\nConnection: close\r\n"
	    "Accept: application/json\r\n%s%s%s%zu\r\n\r\n", method, path,
	    body ? "Content-Type: application/json\r\n" : "", "Content-Length: ", "", blen);
	if (n < 0) {
		hdr = NULL;
		rc = -ENOMEM;
		goto out;
	}
	rc = file_write_all(fd, hdr, (size_t)n);
	if (!rc && blen)
		rc = file_write_all(fd, btxt, blen);
	if (rc) {
		diag_failv(d, rc, "write to %s: %s", sock, strerror(-rc));
		goto out;
	}
	buf = malloc(cap + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - (int64_t)clock_ms(CLOCK_MONOTONIC);
		ssize_t r;

		if (left <= 0) {
			rc = diag_failv(d, -ETIMEDOUT, "no reply from %s within %d ms", sock,
			    timeout_ms);
			goto out;
		}
		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out;
		}
		if (len == cap) {
			char *nb;

			if (cap >= CTL_REPLY_MAX) {
				rc = diag_failv(d, -EMSGSIZE, "reply too large");
				goto out;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				rc = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			rc = diag_failv(d, -errno, "read: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", status) != 1) {
		rc = diag_failv(d, -EBADMSG, "malformed reply from %s", sock);
		goto out;
	}
	p = strstr(buf, "\r\n\r\n");
	if (!p) {
		rc = diag_failv(d, -EBADMSG, "malformed reply headers from %s", sock);
		goto out;
	}
	p += 4;
	while (*p == ' ' || *p == '\n' || *p == '\r')
		p++;
	if (*p) {
		enum json_tokener_error jerr;

		*out = json_tokener_parse_verbose(p, &jerr);
		if (!*out) {
			rc = diag_failv(d, -EBADMSG, "reply is not JSON: %s",
			    json_tokener_error_desc(jerr));
			goto out;
		}
	}
out:
	free(hdr);
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

void
ctl_error_text(json_object *reply, char *out, size_t outlen)
{
	json_object *e, *m, *dt;
	const char *msg = "unknown error", *detail = "";

	if (reply && json_object_object_get_ex(reply, "error", &e)) {
		if (json_object_object_get_ex(e, "message", &m))
			msg = json_object_get_string(m);
		if (json_object_object_get_ex(e, "detail", &dt))
			detail = json_object_get_string(dt);
	}
	if (detail && *detail)
		snprintf(out, outlen, "%s (%s)", msg, detail);
	else
		snprintf(out, outlen, "%s", msg);
}
