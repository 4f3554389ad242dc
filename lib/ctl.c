// SPDX-License-Identifier: MIT
/*
 * Control API server (see ctl.h): an AF_UNIX listener handed to evhttp, one generic
 * callback that parses the request (path, query, JSON body) and dispatches to the
 * registered handler with the longest matching prefix. The only lib/ file that
 * includes libevent's HTTP headers.
 */
#include "lib/ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include "lib/log.h"

#define CTL_ROUTES_MAX	128
#define CTL_PREFIX_MAX	96

struct ctl_route {
	char		 method[8];
	char		 prefix[CTL_PREFIX_MAX];
	ctl_handler	 fn;
	void		*arg;
};

struct ctl_server {
	struct evhttp	*http;
	int		 fd;
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	size_t		 nroutes;
	struct ctl_route routes[CTL_ROUTES_MAX];
};

struct ctl_priv {
	struct evhttp_request	*ev;
	struct evkeyvalq	 query;
	bool			 has_query;
};

static int
sock_stale_remove(const char *path, struct diag *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : diag_failv(d, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return diag_failv(d, -EEXIST, "%s exists and is not a socket", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0)
		return diag_failv(d, -EADDRINUSE, "%s: another daemon is listening", path);
	if (unlink(path) != 0 && errno != ENOENT)
		return diag_failv(d, -errno, "cannot remove stale %s: %s", path, strerror(errno));
	return 0;
}

static void
mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	/* One level is enough for /run/cutover; deeper trees are the admin's job. */
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		log_warn("ctl: cannot create %s: %s", dir, strerror(errno));
}

static void ctl_dispatch(struct evhttp_request *ev, void *arg);

struct ctl_server *
ctl_server_new(struct event_base *base, const char *path, struct diag *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_server *s;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		diag_failv(d, -ENAMETOOLONG, "control socket path too long: %s", path);
		errno = ENAMETOOLONG;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	s->fd = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	mkdir_parent(path);
	rc = sock_stale_remove(path, d);
	if (rc)
		goto fail;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0) {
		rc = diag_failv(d, -errno, "socket: %s", strerror(errno));
		goto fail;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = diag_failv(d, -errno, "bind %s: %s", path, strerror(errno));
		goto fail;
	}
	if (chmod(path, 0660) != 0 || listen(s->fd, 64) != 0) {
		rc = diag_failv(d, -errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	s->http = evhttp_new(base);
	if (!s->http) {
		rc = diag_failv(d, -ENOMEM, "evhttp_new failed");
		goto fail;
	}
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_max_body_size(s->http, CTL_BODY_MAX);
	evhttp_set_timeout(s->http, 30);
	evhttp_set_gencb(s->http, ctl_dispatch, s);
	if (!evhttp_accept_socket_with_handle(s->http, s->fd)) {
		rc = diag_failv(d, -EIO, "evhttp cannot accept on %s", path);
		goto fail;
	}
	return s;
fail:
	if (s->fd >= 0 && !s->http)
		close(s->fd);
	if (s->http)
		evhttp_free(s->http);	/* closes the bound fd too */
	if (s->fd >= 0)
		unlink(path);
	free(s);
	errno = -rc;
	return NULL;
}

void
ctl_server_free(struct ctl_server *s)
{
	if (!s)
		return;
	if (s->http)
		evhttp_free(s->http);
	unlink(s->path);
	free(s);
}

int
ctl_register(struct ctl_server *s, const char *method, const char *prefix,
    ctl_handler fn, void *arg)
{
	struct ctl_route *r;

	if (s->nroutes >= CTL_ROUTES_MAX)
		return -E2BIG;
	if (strlen(method) >= sizeof(r->method) || strlen(prefix) >= sizeof(r->prefix))
		return -EINVAL;
	r = &s->routes[s->nroutes++];
	snprintf(r->method, sizeof(r->method), "%s", method);
	snprintf(r->prefix, sizeof(r->prefix), "%s", prefix);
	r->fn = fn;
	r->arg = arg;
	return 0;
}

static const char *
method_name(enum evhttp_cmd_type c)
{
	switch (c) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	default:
		return "?";
	}
}

/* path equals prefix, or continues with '/' after it. */
static bool
prefix_match(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(path, prefix, n) && (path[n] == '\0' || path[n] == '/');
}

static int
reply_text(struct ctl_req *req, int status, const char *text)
{
	struct ctl_priv *p = req->priv;
	struct evbuffer *b = evbuffer_new();
	const char *reason = status < 300 ? "OK" : status == 404 ? "Not Found" :
	    status == 405 ? "Method Not Allowed" : status < 500 ? "Bad Request" :
	    "Internal Server Error";

	if (req->replied)
		return 0;
	req->replied = true;
	if (!b) {
		evhttp_send_error(p->ev, 500, NULL);
		return -ENOMEM;
	}
	evbuffer_add(b, text, strlen(text));
	evbuffer_add(b, "\n", 1);
	evhttp_add_header(evhttp_request_get_output_headers(p->ev), "Content-Type",
	    "application/json");
	evhttp_send_reply(p->ev, status, reason, b);
	evbuffer_free(b);
	return 0;
}

int
ctl_reply_json(struct ctl_req *req, int status, json_object *obj)
{
	int rc;

	if (!obj)
		obj = json_object_new_object();
	rc = reply_text(req, status, json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	return rc;
}

int
ctl_reply_error(struct ctl_req *req, int status, const char *code, const char *message,
    const char *detail)
{
	json_object *e = json_object_new_object(), *o = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "message", json_object_new_string(message));
	json_object_object_add(e, "detail", json_object_new_string(detail ? detail : ""));
	json_object_object_add(o, "error", e);
	ctl_reply_json(req, status, o);
	return 0;
}

int
ctl_query(const struct ctl_req *req, const char *key, char *out, size_t outlen)
{
	struct ctl_priv *p = req->priv;
	const char *v;

	if (!p->has_query)
		return 0;
	v = evhttp_find_header(&p->query, key);
	if (!v)
		return 0;
	if (strlen(v) >= outlen)
		return -EINVAL;
	snprintf(out, outlen, "%s", v);
	return 1;
}

static void
ctl_dispatch(struct evhttp_request *ev, void *arg)
{
	struct ctl_server *s = arg;
	struct ctl_priv priv = { .ev = ev };
	struct ctl_req req = { .priv = &priv };
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	const char *rawpath = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
	struct evbuffer *in = evhttp_request_get_input_buffer(ev);
	const struct ctl_route *best = NULL;
	bool other_method = false;
	char *path = NULL;
	size_t blen;
	int rc;

	req.method = method_name(evhttp_request_get_command(ev));
	path = rawpath ? evhttp_uridecode(rawpath, 0, NULL) : NULL;
	if (!path) {
		ctl_reply_error(&req, 400, "bad_request", "cannot parse the request path", NULL);
		return;
	}
	req.path = path;
	if (query) {
		if (evhttp_parse_query_str(query, &priv.query) != 0) {
			ctl_reply_error(&req, 400, "bad_request", "cannot parse the query string",
			    query);
			goto out;
		}
		priv.has_query = true;
	}
	blen = in ? evbuffer_get_length(in) : 0;
	if (blen) {
		enum json_tokener_error jerr;
		char *txt = malloc(blen + 1);

		if (!txt) {
			ctl_reply_error(&req, 500, "internal", "out of memory", NULL);
			goto out;
		}
		evbuffer_copyout(in, txt, blen);
		txt[blen] = '\0';
		req.body = json_tokener_parse_verbose(txt, &jerr);
		free(txt);
		if (!req.body) {
			ctl_reply_error(&req, 400, "bad_json", "request body is not valid JSON",
			    json_tokener_error_desc(jerr));
			goto out;
		}
	}
	for (size_t i = 0; i < s->nroutes; i++) {
		const struct ctl_route *r = &s->routes[i];

		if (!prefix_match(path, r->prefix))
			continue;
		if (strcmp(r->method, req.method)) {
			other_method = true;
			continue;
		}
		if (!best || strlen(r->prefix) > strlen(best->prefix))
			best = r;
	}
	if (!best) {
		if (other_method)
			ctl_reply_error(&req, 405, "method_not_allowed",
			    "method not allowed on this path", path);
		else
			ctl_reply_error(&req, 404, "not_found", "no such API path", path);
		goto out;
	}
	req.rest = path + strlen(best->prefix);
	rc = best->fn(&req, best->arg);
	if (!req.replied)
		ctl_reply_error(&req, 500, "internal", "handler failed", strerror(rc < 0 ? -rc : EIO));
out:
	if (req.body)
		json_object_put(req.body);
	if (priv.has_query)
		evhttp_clear_headers(&priv.query);
	free(path);
}
