// SPDX-License-Identifier: MIT
/*
 * lib/ctl + lib/ctl_client + lib/metrics: a real evhttp server on a Unix socket in a
 * temporary directory, driven by the blocking client from a second thread (the
 * event loop stays on the main thread and stops when the client is done):
 * dispatch by method and longest prefix, query parameters, JSON bodies, JSON errors
 * with HTTP status, stale-socket removal, socket mode; metrics text rendering.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "lib/ctl.h"
#include "lib/metrics.h"

static char dir[64], sock[96];

static int
h_echo(struct ctl_req *req, void *arg)
{
	json_object *o = json_object_new_object();
	char v[32];

	json_object_object_add(o, "handler", json_object_new_string(arg));
	json_object_object_add(o, "rest", json_object_new_string(req->rest));
	if (ctl_query(req, "peer", v, sizeof(v)) == 1)
		json_object_object_add(o, "peer", json_object_new_string(v));
	if (req->body)
		json_object_object_add(o, "body", json_object_get(req->body));
	return ctl_reply_json(req, 200, o);
}

static int
h_fail(struct ctl_req *req, void *arg)
{
	(void)req;
	(void)arg;
	return -EIO;	/* no reply: the server answers 500 */
}

struct client_result {
	atomic_int	 done;
	int		 status[8];
	char		 text[8][512];
	int		 rc[8];
};

static void
one(struct client_result *r, int i, const char *method, const char *path, json_object *body)
{
	json_object *out = NULL;
	struct diag d;

	diag_init(&d, NULL);
	r->rc[i] = ctl_call(sock, method, path, body, 5000, &r->status[i], &out, &d);
	snprintf(r->text[i], sizeof(r->text[i]), "%s",
	    out ? json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE) : "");
	json_object_put(out);
}

static void *
client(void *arg)
{
	struct client_result *r = arg;
	json_object *body = json_tokener_parse("{\"message\":\"bye\"}");

	one(r, 0, "GET", "/v1/bgp/peers", NULL);
	one(r, 1, "GET", "/v1/bgp/peers/up?peer=x%20y", NULL);
	one(r, 2, "GET", "/v1/bgp/routes?peer=up", NULL);
	one(r, 3, "GET", "/v1/nope", NULL);
	one(r, 4, "DELETE", "/v1/bgp/peers", NULL);
	one(r, 5, "POST", "/v1/bgp/peers/up/disable", body);
	one(r, 6, "GET", "/v1/fail", NULL);
	one(r, 7, "GET", "/v1/bgp/peersX", NULL);
	json_object_put(body);
	atomic_store(&r->done, 1);
	return NULL;
}

static struct event_base *g_base;

static void
poll_done2(evutil_socket_t fd, short what, void *arg)
{
	struct client_result *r = arg;

	(void)fd;
	(void)what;
	if (atomic_load(&r->done))
		event_base_loopbreak(g_base);
}

static void
test_ctl_roundtrip(void **state)
{
	struct client_result r;
	struct ctl_server *s;
	struct diag d;
	struct event *tick;
	struct timeval tv = { 0, 10000 };
	struct stat st;
	pthread_t th;

	(void)state;
	memset(&r, 0, sizeof(r));
	g_base = event_base_new();
	diag_init(&d, NULL);
	s = ctl_server_new(g_base, sock, &d);
	assert_non_null(s);
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(ctl_register(s, "GET", "/v1/bgp", h_echo, "bgp"), 0);
	assert_int_equal(ctl_register(s, "GET", "/v1/bgp/peers", h_echo, "peers"), 0);
	assert_int_equal(ctl_register(s, "POST", "/v1/bgp/peers", h_echo, "peers-post"), 0);
	assert_int_equal(ctl_register(s, "GET", "/v1/fail", h_fail, NULL), 0);
	/* a second server on a live socket is refused */
	diag_init(&d, NULL);
	assert_null(ctl_server_new(g_base, sock, &d));
	assert_int_equal(errno, EADDRINUSE);
	tick = event_new(g_base, -1, EV_PERSIST, poll_done2, &r);
	event_add(tick, &tv);
	pthread_create(&th, NULL, client, &r);
	event_base_dispatch(g_base);
	pthread_join(th, NULL);
	event_free(tick);
	for (int i = 0; i < 8; i++)
		assert_int_equal(r.rc[i], 0);
	assert_int_equal(r.status[0], 200);
	assert_string_equal(r.text[0], "{\"handler\":\"peers\",\"rest\":\"\"}");
	assert_int_equal(r.status[1], 200);
	assert_string_equal(r.text[1], "{\"handler\":\"peers\",\"rest\":\"/up\",\"peer\":\"x y\"}");
	assert_string_equal(r.text[2], "{\"handler\":\"bgp\",\"rest\":\"/routes\",\"peer\":\"up\"}");
	assert_int_equal(r.status[3], 404);
	assert_string_equal(r.text[3], "{\"error\":{\"code\":\"not_found\",\"message\":"
	    "\"no such API path\",\"detail\":\"/v1/nope\"}}");
	assert_int_equal(r.status[4], 405);
	assert_int_equal(r.status[5], 200);
	assert_string_equal(r.text[5], "{\"handler\":\"peers-post\",\"rest\":\"/up/disable\","
	    "\"body\":{\"message\":\"bye\"}}");
	assert_int_equal(r.status[6], 500);
	/* "/v1/bgp/peersX" is not under "/v1/bgp/peers": the /v1/bgp handler gets it */
	assert_string_equal(r.text[7], "{\"handler\":\"bgp\",\"rest\":\"/peersX\"}");
	ctl_server_free(s);
	assert_int_not_equal(access(sock, F_OK), 0);
	event_base_free(g_base);
}

static void
test_ctl_stale_socket(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct event_base *base = event_base_new();
	struct ctl_server *s;
	struct diag d;
	char out[256];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), status;
	json_object *o;

	(void)state;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);	/* a socket file nobody listens on: stale */
	diag_init(&d, NULL);
	s = ctl_server_new(base, sock, &d);
	assert_non_null(s);
	ctl_server_free(s);
	/* client against a missing socket: a clear error */
	diag_init(&d, NULL);
	assert_int_equal(ctl_call(sock, "GET", "/v1/x", NULL, 1000, &status, &o, &d), -ENOENT);
	diag_format(&d, out, sizeof(out));
	assert_non_null(strstr(out, "is cutoverd running?"));
	event_base_free(base);
}

static void
collect_a(struct metrics_out *out, void *arg)
{
	(void)arg;
	metrics_family(out, "x_up", "gauge", "Up.");
	metrics_sample(out, "x_up", 1, 1, "peer", "a\"b\\c\nd");
	metrics_sample(out, "x_up", 0.5, 0);
}

static void
collect_b(struct metrics_out *out, void *arg)
{
	metrics_family(out, "x_total", "counter", "Total.");
	metrics_sample(out, "x_total", *(double *)arg, 2, "peer", "p", "type", "open");
}

static void
test_metrics_render(void **state)
{
	struct metrics *m = metrics_new(NULL, NULL, 0, NULL);
	double v = 12345678901.0;
	size_t len;
	char *s;

	(void)state;
	assert_non_null(m);
	assert_int_equal(metrics_register(m, collect_a, NULL), 0);
	assert_int_equal(metrics_register(m, collect_b, &v), 0);
	s = metrics_render(m, &len);
	assert_non_null(s);
	assert_string_equal(s,
	    "# HELP x_up Up.\n# TYPE x_up gauge\n"
	    "x_up{peer=\"a\\\"b\\\\c\\nd\"} 1\n"
	    "x_up 0.5\n"
	    "# HELP x_total Total.\n# TYPE x_total counter\n"
	    "x_total{peer=\"p\",type=\"open\"} 12345678901\n");
	assert_int_equal(len, strlen(s));
	free(s);
	metrics_free(m);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/cutover-ctl-test-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sock, sizeof(sock), "%s/ctl.sock", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(sock);
	rmdir(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ctl_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctl_stale_socket, setup, teardown),
		cmocka_unit_test(test_metrics_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
