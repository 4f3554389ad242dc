// SPDX-License-Identifier: MIT
/* Prometheus text exposition over evhttp (see metrics.h). */
#include "lib/metrics.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "lib/buf.h"

#define METRICS_COLLECTORS_MAX	32
#define METRICS_OUT_MAX		(8u << 20)

struct metrics {
	struct evhttp		*http;
	size_t			 n;
	struct {
		metrics_collect_fn fn;
		void		*arg;
	} c[METRICS_COLLECTORS_MAX];
};

struct metrics_out {
	struct buf_writer	 bw;
};

static void
out_str(struct metrics_out *o, const char *s)
{
	bw_bytes(&o->bw, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
out_fmt(struct metrics_out *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		bw_bytes(&o->bw, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void
metrics_family(struct metrics_out *out, const char *name, const char *type, const char *help)
{
	out_fmt(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values escape backslash, double quote and newline (exposition format). */
static void
out_label_value(struct metrics_out *o, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			out_str(o, "\\\\");
		else if (*v == '"')
			out_str(o, "\\\"");
		else if (*v == '\n')
			out_str(o, "\\n");
		else
			bw_u8(&o->bw, (uint8_t)*v);
	}
}

void
metrics_sample(struct metrics_out *out, const char *name, double value, int nlabels, ...)
{
	va_list ap;

	out_str(out, name);
	va_start(ap, nlabels);
	for (int i = 0; i < nlabels; i++) {
		const char *k = va_arg(ap, const char *);
		const char *v = va_arg(ap, const char *);

		out_fmt(out, "%s%s=\"", i ? "," : "{", k);
		out_label_value(out, v ? v : "");
		out_str(out, "\"");
	}
	va_end(ap);
	if (nlabels)
		out_str(out, "}");
	if (value == floor(value) && fabs(value) < 1e15)
		out_fmt(out, " %.0f\n", value);
	else
		out_fmt(out, " %.6g\n", value);
}

char *
metrics_render(struct metrics *m, size_t *len)
{
	struct metrics_out o;
	char *s;

	bw_init_dyn(&o.bw, METRICS_OUT_MAX);
	for (size_t i = 0; i < m->n; i++)
		m->c[i].fn(&o, m->c[i].arg);
	bw_u8(&o.bw, 0);
	if (bw_error(&o.bw)) {
		bw_free(&o.bw);
		errno = ENOMEM;
		return NULL;
	}
	s = (char *)o.bw.data;	/* ownership moves to the caller */
	if (len)
		*len = o.bw.len - 1;
	return s;
}

static void
metrics_http_cb(struct evhttp_request *req, void *arg)
{
	struct metrics *m = arg;
	const char *uri = evhttp_request_get_uri(req);
	struct evbuffer *b;
	size_t len;
	char *s;

	if (strcmp(uri, "/metrics") && strncmp(uri, "/metrics?", 9)) {
		evhttp_send_error(req, 404, "try /metrics");
		return;
	}
	s = metrics_render(m, &len);
	b = evbuffer_new();
	if (!s || !b) {
		free(s);
		if (b)
			evbuffer_free(b);
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_add(b, s, len);
	free(s);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	    "text/plain; version=0.0.4");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

struct metrics *
metrics_new(struct event_base *base, const struct addr *addr, uint16_t port, struct diag *d)
{
	struct metrics *m = calloc(1, sizeof(*m));
	char host[ADDR_STRLEN];

	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	if (!addr)
		return m;
	m->http = evhttp_new(base);
	if (!m->http)
		goto fail;
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET);
	evhttp_set_gencb(m->http, metrics_http_cb, m);
	addr_format(addr, host, sizeof(host));
	if (evhttp_bind_socket(m->http, host, port) != 0) {
		diag_fail(d, "cannot listen for metrics on %s%s%s:%u: %s",
		    addr->family == AF_INET6 ? "[" : "", host,
		    addr->family == AF_INET6 ? "]" : "", port, strerror(errno));
		goto fail;
	}
	return m;
fail:
	metrics_free(m);
	errno = EADDRINUSE;
	return NULL;
}

void
metrics_free(struct metrics *m)
{
	if (!m)
		return;
	if (m->http)
		evhttp_free(m->http);
	free(m);
}

int
metrics_register(struct metrics *m, metrics_collect_fn fn, void *arg)
{
	if (m->n >= METRICS_COLLECTORS_MAX)
		return -E2BIG;
	m->c[m->n].fn = fn;
	m->c[m->n].arg = arg;
	m->n++;
	return 0;
}
