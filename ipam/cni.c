// SPDX-License-Identifier: MIT
/*
 * CNI IPAM codec (see cni.h). Input: CNI spec 1.0 environment and network config
 * (with cniVersion 0.3.0 - 1.0.0 accepted); the "ipam" section is ours and strict.
 * Requested addresses come from, in order: CNI_ARGS IP= (the host-local/static
 * convention), CNI_ARGS cutover.io/preserve-ip= (an address or a VM name; runtimes
 * that forward pod annotations put it there), args.cni.ips / args.cni
 * ["cutover.io/preserve-ip"] in the config, runtimeConfig.ips (the "ips" capability).
 * Output: the result and error objects of the spec, version-shaped (0.3.x/0.4.0
 * results carry "version" per IP; 1.0.0 results do not).
 */
#include "ipam/cni.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cni_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", NULL };

static int __attribute__((format(printf, 3, 4)))
cni_fail(struct ipam_cni_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->details, sizeof(err->details), fmt, ap);
	va_end(ap);
	switch (code) {
	case CNI_ERR_INCOMPATIBLE_VERSION:
		snprintf(err->msg, sizeof(err->msg), "incompatible CNI version");
		break;
	case CNI_ERR_UNSUPPORTED_FIELD:
		snprintf(err->msg, sizeof(err->msg), "unsupported field in network configuration");
		break;
	case CNI_ERR_INVALID_ENV:
		snprintf(err->msg, sizeof(err->msg), "invalid necessary environment variables");
		break;
	case CNI_ERR_DECODE:
		snprintf(err->msg, sizeof(err->msg), "failed to decode content");
		break;
	default:
		snprintf(err->msg, sizeof(err->msg), "invalid network configuration");
		break;
	}
	return -EINVAL;
}

static bool
token_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= max)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '/' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* An address ("10.20.0.15" or "10.20.0.15/24": the ips convention carries a mask). */
static int
parse_ip_or_cidr(const char *s, struct addr *a)
{
	struct prefix p;

	if (!addr_parse(s, a))
		return 0;
	if (prefix_parse(s, &p, PREFIX_PARSE_HOST_OK | PREFIX_PARSE_NORMALIZE) == 0 &&
	    strchr(s, '/')) {
		/* keep the host bits: parse the part before the slash */
		return addr_parse_n(s, (size_t)(strchr(s, '/') - s), a);
	}
	return -EINVAL;
}

/* A preserve-ip value: an address, or a VM name. */
static int
set_preserve(struct ipam_cni_req *rq, const char *v, const char *where,
    struct ipam_cni_error *err)
{
	struct addr a;

	if (!parse_ip_or_cidr(v, &a))
		return rq->has_ip && !addr_eq(&rq->ip, &a) ?
		    cni_fail(err, CNI_ERR_INVALID_CONFIG, "%s: conflicting requested addresses",
			where) : (rq->has_ip = true, rq->ip = a, 0);
	if (!token_ok(v, sizeof(rq->vm)))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "%s: '%.64s' is neither an address "
		    "nor a VM name", where, v);
	snprintf(rq->vm, sizeof(rq->vm), "%s", v);
	return 0;
}

static int
parse_cni_args(const char *args, struct ipam_cni_req *rq, struct ipam_cni_error *err)
{
	char buf[2048], *save = NULL, *kv, ns[IPAM_NAME_MAX] = "", name[IPAM_NAME_MAX] = "";
	bool ignore_unknown = false;
	int pass;

	if (strlen(args) >= sizeof(buf))
		return cni_fail(err, CNI_ERR_INVALID_ENV, "CNI_ARGS longer than %zu bytes",
		    sizeof(buf) - 1);
	/* two passes: IgnoreUnknown may come after the unknown key */
	for (pass = 0; pass < 2; pass++) {
		snprintf(buf, sizeof(buf), "%s", args);
		for (kv = strtok_r(buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
			char *eq = strchr(kv, '='), *k = kv, *v;

			if (!eq)
				return cni_fail(err, CNI_ERR_INVALID_ENV, "CNI_ARGS: '%.64s' is not "
				    "KEY=VALUE", kv);
			*eq = '\0';
			v = eq + 1;
			if (!strcmp(k, "IgnoreUnknown")) {
				ignore_unknown = !strcasecmp(v, "1") || !strcasecmp(v, "true");
				continue;
			}
			if (pass == 0)
				continue;
			if (!strcmp(k, "IP")) {
				if (parse_ip_or_cidr(v, &rq->ip))
					return cni_fail(err, CNI_ERR_INVALID_ENV, "CNI_ARGS IP: '%.64s' is "
					    "not an IP address", v);
				rq->has_ip = true;
			} else if (!strcmp(k, "cutover.io/preserve-ip") ||
			    !strcmp(k, "CUTOVER_PRESERVE_IP")) {
				if (set_preserve(rq, v, "CNI_ARGS cutover.io/preserve-ip", err))
					return -EINVAL;
			} else if (!strcmp(k, "K8S_POD_NAMESPACE")) {
				snprintf(ns, sizeof(ns), "%s", v);
			} else if (!strcmp(k, "K8S_POD_NAME")) {
				snprintf(name, sizeof(name), "%s", v);
			} else if (!strcmp(k, "K8S_POD_INFRA_CONTAINER_ID") ||
			    !strcmp(k, "K8S_POD_UID")) {
				continue;
			} else if (!ignore_unknown) {
				return cni_fail(err, CNI_ERR_UNSUPPORTED_FIELD, "CNI_ARGS: unknown key "
				    "'%.64s' (set IgnoreUnknown=1 to allow)", k);
			}
		}
	}
	if (ns[0] || name[0])
		snprintf(rq->pod, sizeof(rq->pod), "%s/%s", ns, name);
	return 0;
}

static int
json_str(struct json_object *o, const char *key, char *out, size_t outlen, const char *path,
    struct ipam_cni_error *err)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 1;
	if (!json_object_is_type(v, json_type_string))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "%s.%s must be a string", path, key);
	if ((size_t)json_object_get_string_len(v) >= outlen ||
	    strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "%s.%s is too long or has NUL bytes",
		    path, key);
	snprintf(out, outlen, "%s", json_object_get_string(v));
	return 0;
}

static int
parse_ips_array(struct json_object *arr, const char *path, struct ipam_cni_req *rq,
    struct ipam_cni_error *err)
{
	size_t n, i;

	if (!json_object_is_type(arr, json_type_array))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "%s must be an array", path);
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		struct addr a;

		if (!json_object_is_type(e, json_type_string) ||
		    parse_ip_or_cidr(json_object_get_string(e), &a))
			return cni_fail(err, CNI_ERR_INVALID_CONFIG, "%s[%zu] is not an IP address",
			    path, i);
		if (rq->has_ip && !addr_eq(&rq->ip, &a))
			return cni_fail(err, CNI_ERR_INVALID_CONFIG, "%s[%zu]: only one address per "
			    "interface is supported, and it conflicts with another request", path, i);
		rq->has_ip = true;
		rq->ip = a;
	}
	return 0;
}

static int
parse_ipam_section(struct json_object *ipam, struct ipam_cni_req *rq, struct ipam_cni_error *err)
{
	static const char *const keys[] = { "type", "store", "pool", "node", NULL };
	int rc;

	if (!json_object_is_type(ipam, json_type_object))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "$.ipam must be an object");
	json_object_object_foreach(ipam, key, val) {
		const char *const *k;

		(void)val;
		for (k = keys; *k && strcmp(*k, key); k++)
			;
		if (!*k)
			return cni_fail(err, CNI_ERR_UNSUPPORTED_FIELD, "$.ipam.%.64s: unknown key "
			    "(known: type, store, pool, node)", key);
	}
	if ((rc = json_str(ipam, "store", rq->store, sizeof(rq->store), "$.ipam", err)) < 0 ||
	    (rc = json_str(ipam, "pool", rq->pool, sizeof(rq->pool), "$.ipam", err)) < 0 ||
	    (rc = json_str(ipam, "node", rq->node, sizeof(rq->node), "$.ipam", err)) < 0)
		return rc;
	if (rq->pool[0] && !token_ok(rq->pool, sizeof(rq->pool)))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "$.ipam.pool: bad pool name");
	if (rq->node[0] && !token_ok(rq->node, sizeof(rq->node)))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "$.ipam.node: bad node name");
	if (rq->store[0] && strncmp(rq->store, "sqlite://", 9) && strncmp(rq->store, "etcd://", 7))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "$.ipam.store: want sqlite:///path "
		    "or etcd://host:port");
	return 0;
}

static int
parse_prev(struct json_object *prev, struct ipam_cni_req *rq, struct ipam_cni_error *err)
{
	struct json_object *ips;
	size_t n, i;

	if (!json_object_is_type(prev, json_type_object))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "$.prevResult must be an object");
	if (!json_object_object_get_ex(prev, "ips", &ips))
		return 0;
	if (!json_object_is_type(ips, json_type_array))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "$.prevResult.ips must be an array");
	n = json_object_array_length(ips);
	for (i = 0; i < n && rq->nprev < IPAM_CNI_PREV_MAX; i++) {
		struct json_object *e = json_object_array_get_idx(ips, i), *a;

		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_object_get_ex(e, "address", &a) ||
		    !json_object_is_type(a, json_type_string) ||
		    parse_ip_or_cidr(json_object_get_string(a), &rq->prev[rq->nprev]))
			return cni_fail(err, CNI_ERR_INVALID_CONFIG, "$.prevResult.ips[%zu].address "
			    "is missing or not an address", i);
		rq->nprev++;
	}
	return 0;
}

static int
parse_config(struct json_object *o, struct ipam_cni_req *rq, struct ipam_cni_error *err)
{
	struct json_object *v, *w;
	const char *const *ver;
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return cni_fail(err, CNI_ERR_DECODE, "network configuration must be a JSON object");
	rc = json_str(o, "cniVersion", rq->cni_version, sizeof(rq->cni_version), "$", err);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "$.cniVersion is missing");
	for (ver = cni_versions; *ver && strcmp(*ver, rq->cni_version); ver++)
		;
	if (!*ver) {
		char v2[16];

		snprintf(v2, sizeof(v2), "%s", rq->cni_version);
		snprintf(rq->cni_version, sizeof(rq->cni_version), "1.0.0");
		return cni_fail(err, CNI_ERR_INCOMPATIBLE_VERSION, "cniVersion %s is not supported "
		    "(supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0)", v2);
	}
	if (rq->cmd == IPAM_CNI_VERSION)
		return 0;
	if (!json_object_object_get_ex(o, "ipam", &v))
		return cni_fail(err, CNI_ERR_INVALID_CONFIG, "$.ipam is missing");
	if ((rc = parse_ipam_section(v, rq, err)))
		return rc;
	if (json_object_object_get_ex(o, "args", &v)) {
		if (!json_object_is_type(v, json_type_object))
			return cni_fail(err, CNI_ERR_INVALID_CONFIG, "$.args must be an object");
		if (json_object_object_get_ex(v, "cni", &w)) {
			struct json_object *x;

			if (!json_object_is_type(w, json_type_object))
				return cni_fail(err, CNI_ERR_INVALID_CONFIG, "$.args.cni must be an object");
			if (json_object_object_get_ex(w, "ips", &x) &&
			    (rc = parse_ips_array(x, "$.args.cni.ips", rq, err)))
				return rc;
			if (json_object_object_get_ex(w, "cutover.io/preserve-ip", &x)) {
				if (!json_object_is_type(x, json_type_string))
					return cni_fail(err, CNI_ERR_INVALID_CONFIG,
					    "$.args.cni[\"cutover.io/preserve-ip\"] must be a string");
				if ((rc = set_preserve(rq, json_object_get_string(x),
				    "$.args.cni[\"cutover.io/preserve-ip\"]", err)))
					return rc;
			}
		}
	}
	if (json_object_object_get_ex(o, "runtimeConfig", &v)) {
		if (!json_object_is_type(v, json_type_object))
			return cni_fail(err, CNI_ERR_INVALID_CONFIG, "$.runtimeConfig must be an object");
		if (json_object_object_get_ex(v, "ips", &w) &&
		    (rc = parse_ips_array(w, "$.runtimeConfig.ips", rq, err)))
			return rc;
	}
	if (rq->cmd == IPAM_CNI_CHECK && json_object_object_get_ex(o, "prevResult", &v) &&
	    (rc = parse_prev(v, rq, err)))
		return rc;
	return 0;
}

int
ipam_cni_parse(const struct ipam_cni_env *env, const char *in, size_t len,
    struct ipam_cni_req *rq, struct ipam_cni_error *err)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t i;
	int rc;

	memset(rq, 0, sizeof(*rq));
	memset(err, 0, sizeof(*err));
	snprintf(rq->cni_version, sizeof(rq->cni_version), "1.0.0");
	if (!env->command)
		return cni_fail(err, CNI_ERR_INVALID_ENV, "CNI_COMMAND is not set");
	if (!strcmp(env->command, "ADD"))
		rq->cmd = IPAM_CNI_ADD;
	else if (!strcmp(env->command, "DEL"))
		rq->cmd = IPAM_CNI_DEL;
	else if (!strcmp(env->command, "CHECK"))
		rq->cmd = IPAM_CNI_CHECK;
	else if (!strcmp(env->command, "VERSION"))
		rq->cmd = IPAM_CNI_VERSION;
	else
		return cni_fail(err, CNI_ERR_INVALID_ENV, "CNI_COMMAND '%.32s' is not ADD, DEL, "
		    "CHECK or VERSION", env->command);
	if (rq->cmd != IPAM_CNI_VERSION) {
		if (!env->containerid || !token_ok(env->containerid, sizeof(rq->cid)))
			return cni_fail(err, CNI_ERR_INVALID_ENV, "CNI_CONTAINERID is missing or "
			    "not a plain token of at most %zu bytes", sizeof(rq->cid) - 1);
		snprintf(rq->cid, sizeof(rq->cid), "%s", env->containerid);
		if (!env->ifname || !token_ok(env->ifname, sizeof(rq->ifname)))
			return cni_fail(err, CNI_ERR_INVALID_ENV, "CNI_IFNAME is missing or not an "
			    "interface name");
		snprintf(rq->ifname, sizeof(rq->ifname), "%s", env->ifname);
		if (rq->cmd != IPAM_CNI_DEL && (!env->netns || !*env->netns))
			return cni_fail(err, CNI_ERR_INVALID_ENV, "CNI_NETNS is not set");
		if (env->args && *env->args && (rc = parse_cni_args(env->args, rq, err)))
			return rc;
	}
	if (len > IPAM_CNI_MAX_INPUT)
		return cni_fail(err, CNI_ERR_DECODE, "network configuration larger than 1 MiB");
	if (len == 0 && rq->cmd == IPAM_CNI_VERSION)
		return 0;
	tok = json_tokener_new();
	if (!tok)
		return cni_fail(err, CNI_ERR_IO, "out of memory");
	o = json_tokener_parse_ex(tok, in, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		rc = cni_fail(err, CNI_ERR_DECODE, "stdin is not JSON: %s (byte %zu)",
		    je == json_tokener_continue ? "unexpected end of input" :
		    json_tokener_error_desc(je),
		    tok->char_offset < 0 ? (size_t)0 : (size_t)tok->char_offset);
		json_object_put(o);
		json_tokener_free(tok);
		return rc;
	}
	for (i = (size_t)tok->char_offset; i < len; i++)
		if (!isspace((unsigned char)in[i])) {
			json_object_put(o);
			json_tokener_free(tok);
			return cni_fail(err, CNI_ERR_DECODE, "trailing bytes after the JSON object "
			    "(byte %zu)", i);
		}
	json_tokener_free(tok);
	rc = parse_config(o, rq, err);
	json_object_put(o);
	return rc;
}

static bool
legacy_result(const char *v)
{
	return strcmp(v, "1.0.0") != 0;
}

char *
ipam_cni_result(const char *cni_version, const struct ipam_lease *le,
    const struct ipam_pool *pool)
{
	struct json_object *o = json_object_new_object(), *ips, *ip, *routes;
	char a[PREFIX_STRLEN], g[ADDR_STRLEN];
	char *out;
	size_t i;

	if (!o)
		return NULL;
	json_object_object_add(o, "cniVersion", json_object_new_string(cni_version));
	ips = json_object_new_array();
	ip = json_object_new_object();
	addr_format(&le->ip, g, sizeof(g));
	snprintf(a, sizeof(a), "%s/%u", g, le->subnet.len);
	if (legacy_result(cni_version))
		json_object_object_add(ip, "version", json_object_new_string(
		    le->ip.family == AF_INET6 ? "6" : "4"));
	json_object_object_add(ip, "address", json_object_new_string(a));
	if (le->has_gateway)
		json_object_object_add(ip, "gateway", json_object_new_string(
		    addr_format(&le->gateway, g, sizeof(g))));
	json_object_array_add(ips, ip);
	json_object_object_add(o, "ips", ips);
	routes = json_object_new_array();
	for (i = 0; pool && i < pool->nroutes; i++) {
		struct json_object *r = json_object_new_object();

		json_object_object_add(r, "dst", json_object_new_string(
		    prefix_format(&pool->routes[i], a, sizeof(a))));
		if (le->has_gateway)
			json_object_object_add(r, "gw", json_object_new_string(
			    addr_format(&le->gateway, g, sizeof(g))));
		json_object_array_add(routes, r);
	}
	/* no routes configured: a default route through the gateway */
	if (pool && pool->nroutes == 0 && le->has_gateway) {
		struct json_object *r = json_object_new_object();

		json_object_object_add(r, "dst", json_object_new_string(
		    le->ip.family == AF_INET6 ? "::/0" : "0.0.0.0/0"));
		json_object_object_add(r, "gw", json_object_new_string(
		    addr_format(&le->gateway, g, sizeof(g))));
		json_object_array_add(routes, r);
	}
	json_object_object_add(o, "routes", routes);
	json_object_object_add(o, "dns", json_object_new_object());
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

char *
ipam_cni_error_json(const char *cni_version, const struct ipam_cni_error *err)
{
	struct json_object *o = json_object_new_object();
	char *out;

	if (!o)
		return NULL;
	json_object_object_add(o, "cniVersion", json_object_new_string(
	    cni_version ? cni_version : "1.0.0"));
	json_object_object_add(o, "code", json_object_new_int(err->code));
	json_object_object_add(o, "msg", json_object_new_string(err->msg));
	if (err->details[0])
		json_object_object_add(o, "details", json_object_new_string(err->details));
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

char *
ipam_cni_version_json(const char *cni_version)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();
	const char *const *v;
	char *out;

	if (!o || !a) {
		json_object_put(o);
		json_object_put(a);
		return NULL;
	}
	json_object_object_add(o, "cniVersion", json_object_new_string(
	    cni_version ? cni_version : "1.0.0"));
	for (v = cni_versions; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	json_object_object_add(o, "supportedVersions", a);
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	return out;
}

int
ipam_cni_code_of(int err)
{
	switch (err) {
	case -ENOSPC:
		return CNI_ERR_NO_ADDRESS;
	case -EADDRINUSE:
	case -EADDRNOTAVAIL:
	case -EEXIST:
		return CNI_ERR_ADDRESS_UNAVAILABLE;
	case -ENOENT:
		return CNI_ERR_NO_RESERVATION;
	case -EAGAIN:
	case -EBUSY:
		return CNI_ERR_TRY_AGAIN;
	case -EINVAL:
		return CNI_ERR_INVALID_CONFIG;
	default:
		return CNI_ERR_IO;
	}
}
