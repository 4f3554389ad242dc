/* SPDX-License-Identifier: MIT */
/*
 * The daemon's control API: HTTP/JSON on a Unix socket (DESIGN.md), served by
 * libevent's evhttp, plus a small blocking client for the CLI (lib/ctl_client.c).
 * Modules register handlers {method, path prefix} with ctl_register(); a handler gets
 * a struct ctl_req (path, query, parsed JSON body) and answers with ctl_reply_json()
 * or ctl_reply_error(). Errors are {"error":{"code","message","detail"}} with a proper
 * HTTP status. libevent types stay inside lib/ctl.c; handlers see json-c objects.
 */
#ifndef CUTOVER_LIB_CTL_H
#define CUTOVER_LIB_CTL_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "lib/diag.h"

#define CTL_SOCKET_DEFAULT	"/run/cutover/cutoverd.sock"
#define CTL_BODY_MAX		(1u << 20)	/* request bodies above 1 MiB are refused */

struct event_base;
struct ctl_server;

struct ctl_req {
	const char	*method;	/* "GET", "POST", "PUT", "DELETE" */
	const char	*path;		/* decoded path without the query, "/v1/bgp/peers" */
	const char	*rest;		/* path after the registered prefix ("" or "/x") */
	json_object	*body;		/* parsed JSON body, NULL when none */
	void		*priv;		/* ctl.c internals */
	bool		 replied;
};

/* Handlers return 0 after replying; a negative return without a reply becomes a
 * 500 internal error. */
typedef int (*ctl_handler)(struct ctl_req *req, void *arg);

/*
 * Listen on the Unix socket at path (parent directory created, a stale socket left
 * by a dead daemon removed, a live one is -EADDRINUSE), mode 0660.
 */
struct ctl_server *ctl_server_new(struct event_base *base, const char *path, struct diag *d);
void	ctl_server_free(struct ctl_server *s);	/* closes and unlinks the socket */
/*
 * Route requests whose method equals method and whose path equals prefix or starts
 * with prefix + "/" (or "?") to fn. The longest matching prefix wins. Returns 0 or
 * -ENOMEM/-E2BIG.
 */
int	ctl_register(struct ctl_server *s, const char *method, const char *prefix,
	    ctl_handler fn, void *arg);

/* Query parameter value (decoded) into out; 1 found, 0 absent, -EINVAL bad/too long. */
int	ctl_query(const struct ctl_req *req, const char *key, char *out, size_t outlen);
/* Reply with status and obj (reference taken over; NULL sends {}). */
int	ctl_reply_json(struct ctl_req *req, int status, json_object *obj);
/* Reply {"error":{"code":code,"message":message,"detail":detail}}; returns 0. */
int	ctl_reply_error(struct ctl_req *req, int status, const char *code,
	    const char *message, const char *detail);

/* ---- client (blocking, for the CLI) ---- */

/* Socket path: $CUTOVER_SOCKET or CTL_SOCKET_DEFAULT. */
const char *ctl_socket_path(void);
/*
 * One request over AF_UNIX: method, path (with query), optional JSON body. On 0,
 * *status is the HTTP status and *out the parsed JSON body (caller puts it; may be
 * NULL for an empty body). Errors (-errno) leave the reason in d.
 */
int	ctl_call(const char *sock, const char *method, const char *path,
	    json_object *body, int timeout_ms, int *status, json_object **out, struct diag *d);
/* From an error reply: "message (detail)" into out. */
void	ctl_error_text(json_object *reply, char *out, size_t outlen);

#endif
