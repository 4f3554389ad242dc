// SPDX-License-Identifier: MIT
/*
 * lib/store etcd v3 backend (etcd://host:port), spoken through etcd's JSON gateway
 * (POST /v3/kv/range, /v3/kv/txn, /v3/kv/deleterange) with libcurl. Keys and values
 * travel base64-encoded; 64-bit integers travel as JSON strings; fields equal to
 * their default are omitted by the gateway (proto3 JSON), so absent means 0/false.
 * Compare-and-swap maps to etcd's Txn: our compares become etcd compares, our ops
 * the success branch, and an empty failure branch. One keep-alive curl handle per
 * store. This is the only file that includes curl.h; json-c stays inside too.
 */
#include "lib/store_impl.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/diag.h"

#define ETCD_URL_MAX		256
#define ETCD_REPLY_MAX		(512u << 20)	/* refuse replies beyond 512 MiB */
#define ETCD_TIMEOUT_MS		15000L
#define ETCD_CONNECT_MS		3000L

struct etcd {
	CURL			*curl;
	struct curl_slist	*hdrs;
	char			 base[ETCD_URL_MAX];
	struct buf_writer	 reply;
};

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Returns a malloc'ed NUL-terminated base64 string, or NULL. */
static char *
b64_encode(const void *data, size_t n)
{
	const uint8_t *p = data;
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		*o++ = b64_chars[v >> 18 & 63];
		*o++ = b64_chars[v >> 12 & 63];
		*o++ = b64_chars[v >> 6 & 63];
		*o++ = b64_chars[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);

		*o++ = b64_chars[v >> 18 & 63];
		*o++ = b64_chars[v >> 12 & 63];
		*o++ = i + 1 < n ? b64_chars[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int
b64_val(char c)
{
	const char *p = c ? strchr(b64_chars, c) : NULL;

	return p ? (int)(p - b64_chars) : -1;
}

/* Decode s (len bytes) into a malloc'ed buffer (+ NUL); -EBADMSG on bad input. */
static int
b64_decode(const char *s, size_t len, char **out, size_t *outlen)
{
	char *buf, *o;
	size_t i;

	*out = NULL;
	*outlen = 0;
	if (len % 4)
		return -EBADMSG;
	buf = malloc(len / 4 * 3 + 1);
	if (!buf)
		return -ENOMEM;
	o = buf;
	for (i = 0; i < len; i += 4) {
		int a = b64_val(s[i]), b = b64_val(s[i + 1]);
		int c = s[i + 2] == '=' ? -2 : b64_val(s[i + 2]);
		int d = s[i + 3] == '=' ? -2 : b64_val(s[i + 3]);
		uint32_t v;

		if (a < 0 || b < 0 || c == -1 || d == -1 || (c == -2 && d != -2) ||
		    ((c == -2 || d == -2) && i + 4 != len)) {
			free(buf);
			return -EBADMSG;
		}
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)(c < 0 ? 0 : c) << 6 |
		    (uint32_t)(d < 0 ? 0 : d);
		*o++ = (char)(v >> 16);
		if (c >= 0)
			*o++ = (char)(v >> 8 & 0xff);
		if (d >= 0)
			*o++ = (char)(v & 0xff);
	}
	*o = '\0';
	*out = buf;
	*outlen = (size_t)(o - buf);
	return 0;
}

static size_t
etcd_write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct buf_writer *bw = arg;

	bw_bytes(bw, ptr, size * nmemb);
	return bw_error(bw) ? 0 : size * nmemb;
}

/*
 * POST req (consumed) to base + path; on HTTP 200 parse the reply into *resp.
 * Returns 0, -EIO (transport: outcome unknown), -EBADMSG (unparsable reply) or
 * -EREMOTEIO (etcd answered with an error).
 */
static int
etcd_call(struct etcd *e, const char *path, struct json_object *req,
    struct json_object **resp)
{
	char url[ETCD_URL_MAX + 32];
	const char *body;
	struct json_tokener *tok;
	long status = 0;
	CURLcode cc;
	int rc = 0;

	*resp = NULL;
	snprintf(url, sizeof(url), "%s%s", e->base, path);
	body = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	bw_reset(&e->reply);
	curl_easy_setopt(e->curl, CURLOPT_URL, url);
	curl_easy_setopt(e->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	cc = curl_easy_perform(e->curl);
	json_object_put(req);
	if (cc != CURLE_OK)
		return -EIO;
	curl_easy_getinfo(e->curl, CURLINFO_RESPONSE_CODE, &status);
	if (e->reply.len == 0 || e->reply.len > INT32_MAX)
		return -EBADMSG;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	*resp = json_tokener_parse_ex(tok, (const char *)e->reply.data, (int)e->reply.len);
	if (!*resp || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(*resp, json_type_object))
		rc = -EBADMSG;
	json_tokener_free(tok);
	if (!rc && status != 200)
		rc = -EREMOTEIO;
	if (rc) {
		json_object_put(*resp);
		*resp = NULL;
	}
	return rc;
}

static int64_t
etcd_i64(struct json_object *o, const char *field)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, field, &v))
		return 0;
	if (json_object_is_type(v, json_type_string))
		return strtoll(json_object_get_string(v), NULL, 10);
	return json_object_get_int64(v);
}

static int
etcd_add_b64(struct json_object *o, const char *field, const void *data, size_t n)
{
	char *s = b64_encode(data, n);

	if (!s)
		return -ENOMEM;
	json_object_object_add(o, field, json_object_new_string(s));
	free(s);
	return 0;
}

static int
etcd_add_i64(struct json_object *o, const char *field, int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRId64, v);
	json_object_object_add(o, field, json_object_new_string(s));
	return 0;
}

/* range_end for a prefix: prefix with its last non-0xff byte incremented; "\0"
 * (every key >= key) when there is none. */
static int
etcd_add_range_end(struct json_object *o, const char *prefix)
{
	char end[STORE_KEY_MAX + 1];
	size_t n = strlen(prefix);

	memcpy(end, prefix, n + 1);
	while (n > 0) {
		unsigned char c = (unsigned char)end[n - 1];

		if (c != 0xff) {
			end[n - 1] = (char)(c + 1);
			return etcd_add_b64(o, "range_end", end, n);
		}
		n--;
	}
	return etcd_add_b64(o, "range_end", "", 1);
}

static int
etcd_b64_field(struct json_object *o, const char *field, char **out, size_t *len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, field, &v)) {
		*out = strdup("");
		*len = 0;
		return *out ? 0 : -ENOMEM;
	}
	if (!json_object_is_type(v, json_type_string))
		return -EBADMSG;
	return b64_decode(json_object_get_string(v), (size_t)json_object_get_string_len(v),
	    out, len);
}

static int
etcd_open(struct store *s, const char *rest, struct diag *d)
{
	struct etcd *e;
	struct json_object *req, *resp = NULL;
	int rc;

	if (!*rest || strchr(rest, '/') || strlen(rest) > ETCD_URL_MAX - 16)
		return diag_failv(d, -EINVAL,
		    "store URL: etcd needs etcd://host:port (got etcd://%s)", rest);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -ENOMEM;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	snprintf(e->base, sizeof(e->base), "http://%s/v3/", rest);
	bw_init_dyn(&e->reply, ETCD_REPLY_MAX);
	e->curl = curl_easy_init();
	e->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (!e->curl || !e->hdrs) {
		rc = -ENOMEM;
		goto fail;
	}
	curl_easy_setopt(e->curl, CURLOPT_HTTPHEADER, e->hdrs);
	curl_easy_setopt(e->curl, CURLOPT_WRITEFUNCTION, etcd_write_cb);
	curl_easy_setopt(e->curl, CURLOPT_WRITEDATA, &e->reply);
	curl_easy_setopt(e->curl, CURLOPT_TIMEOUT_MS, ETCD_TIMEOUT_MS);
	curl_easy_setopt(e->curl, CURLOPT_CONNECTTIMEOUT_MS, ETCD_CONNECT_MS);
	curl_easy_setopt(e->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e->curl, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(e->curl, CURLOPT_PROTOCOLS_STR, "http");
	s->priv = e;
	/* One request now so a wrong endpoint fails at open, not at first use. */
	req = json_object_new_object();
	etcd_add_b64(req, "key", "", 1);
	json_object_object_add(req, "count_only", json_object_new_boolean(1));
	rc = etcd_call(e, "kv/range", req, &resp);
	json_object_put(resp);
	if (rc) {
		diag_failv(d, rc, "store etcd://%s: %s", rest, rc == -EIO ?
		    "no answer from the etcd JSON gateway" : "unexpected reply from etcd");
		goto fail;
	}
	return 0;
fail:
	curl_slist_free_all(e->hdrs);
	if (e->curl)
		curl_easy_cleanup(e->curl);
	bw_free(&e->reply);
	free(e);
	s->priv = NULL;
	return rc;
}

static void
etcd_close(struct store *s)
{
	struct etcd *e = s->priv;

	if (!e)
		return;
	curl_slist_free_all(e->hdrs);
	curl_easy_cleanup(e->curl);
	bw_free(&e->reply);
	free(e);
}

static int
etcd_range(struct etcd *e, const char *key, bool prefix, struct store_list *out)
{
	struct json_object *req = json_object_new_object(), *resp, *kvs, *hdr;
	size_t cap = 0, i, n;
	int rc;

	if (!req)
		return -ENOMEM;
	etcd_add_b64(req, "key", key, strlen(key));
	if (prefix)
		etcd_add_range_end(req, key);
	rc = etcd_call(e, "kv/range", req, &resp);
	if (rc)
		return rc;
	if (json_object_object_get_ex(resp, "header", &hdr))
		out->rev = etcd_i64(hdr, "revision");
	if (!json_object_object_get_ex(resp, "kvs", &kvs))
		goto out;
	if (!json_object_is_type(kvs, json_type_array)) {
		rc = -EBADMSG;
		goto out;
	}
	n = json_object_array_length(kvs);
	for (i = 0; i < n; i++) {
		struct json_object *kv = json_object_array_get_idx(kvs, i);
		char *k = NULL, *v = NULL;
		size_t klen, vlen;

		rc = etcd_b64_field(kv, "key", &k, &klen);
		if (!rc)
			rc = etcd_b64_field(kv, "value", &v, &vlen);
		if (!rc)
			rc = store_list_append(out, &cap, k, klen, v, vlen,
			    etcd_i64(kv, "version"), etcd_i64(kv, "create_revision"),
			    etcd_i64(kv, "mod_revision"));
		free(k);
		free(v);
		if (rc)
			break;
	}
out:
	json_object_put(resp);
	if (rc)
		store_list_free(out);
	return rc;
}

static int
etcd_get(struct store *s, const char *key, struct store_kv *kv)
{
	struct store_list l = { 0 };
	int rc = etcd_range(s->priv, key, false, &l);

	if (rc)
		return rc;
	if (l.n != 1) {
		store_list_free(&l);
		return -ENOENT;
	}
	*kv = l.kvs[0];
	free(l.kvs);
	return 0;
}

static int
etcd_list(struct store *s, const char *prefix, struct store_list *out)
{
	return etcd_range(s->priv, prefix, true, out);
}

static struct json_object *
etcd_compare(const char *key, const char *target, const char *result, int64_t version,
    const void *value, size_t value_len)
{
	struct json_object *c = json_object_new_object();

	if (!c)
		return NULL;
	etcd_add_b64(c, "key", key, strlen(key));
	json_object_object_add(c, "target", json_object_new_string(target));
	json_object_object_add(c, "result", json_object_new_string(result));
	if (!strcmp(target, "VALUE"))
		etcd_add_b64(c, "value", value, value_len);
	else
		etcd_add_i64(c, "version", version);
	return c;
}

static int
etcd_txn(struct store *s, const struct store_cmp *cmps, size_t ncmps,
    const struct store_op *ops, size_t nops)
{
	struct json_object *req = json_object_new_object(), *cmp, *succ, *resp, *v;
	size_t i;
	int rc;

	if (!req)
		return -ENOMEM;
	cmp = json_object_new_array();
	succ = json_object_new_array();
	json_object_object_add(req, "compare", cmp);
	json_object_object_add(req, "success", succ);
	for (i = 0; i < ncmps; i++) {
		const struct store_cmp *c = &cmps[i];

		switch (c->target) {
		case STORE_CMP_VERSION:
			json_object_array_add(cmp, etcd_compare(c->key, "VERSION", "EQUAL",
			    c->version, NULL, 0));
			break;
		case STORE_CMP_VALUE:
			/* etcd compares an absent key's value as empty: require existence */
			json_object_array_add(cmp, etcd_compare(c->key, "VERSION", "GREATER", 0,
			    NULL, 0));
			json_object_array_add(cmp, etcd_compare(c->key, "VALUE", "EQUAL", 0,
			    c->value, c->value_len));
			break;
		case STORE_CMP_EXISTS:
			json_object_array_add(cmp, etcd_compare(c->key, "VERSION", "GREATER", 0,
			    NULL, 0));
			break;
		case STORE_CMP_ABSENT:
			json_object_array_add(cmp, etcd_compare(c->key, "VERSION", "EQUAL", 0,
			    NULL, 0));
			break;
		}
	}
	for (i = 0; i < nops; i++) {
		struct json_object *op = json_object_new_object(), *r = json_object_new_object();

		etcd_add_b64(r, "key", ops[i].key, strlen(ops[i].key));
		if (ops[i].type == STORE_OP_PUT) {
			etcd_add_b64(r, "value", ops[i].value, ops[i].value_len);
			json_object_object_add(op, "request_put", r);
		} else {
			json_object_object_add(op, "request_delete_range", r);
		}
		json_object_array_add(succ, op);
	}
	rc = etcd_call(s->priv, "kv/txn", req, &resp);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(resp, "succeeded", &v) || !json_object_get_boolean(v))
		rc = -ECANCELED;
	json_object_put(resp);
	return rc;
}

static int
etcd_delete_prefix(struct store *s, const char *prefix, size_t *n)
{
	struct json_object *req = json_object_new_object(), *resp;
	int rc;

	if (!req)
		return -ENOMEM;
	etcd_add_b64(req, "key", prefix, strlen(prefix));
	etcd_add_range_end(req, prefix);
	rc = etcd_call(s->priv, "kv/deleterange", req, &resp);
	if (rc)
		return rc;
	*n = (size_t)etcd_i64(resp, "deleted");
	json_object_put(resp);
	return 0;
}

static int
etcd_rev(struct store *s, int64_t *rev)
{
	struct json_object *req = json_object_new_object(), *resp, *hdr;
	int rc;

	if (!req)
		return -ENOMEM;
	etcd_add_b64(req, "key", "", 1);
	json_object_object_add(req, "count_only", json_object_new_boolean(1));
	rc = etcd_call(s->priv, "kv/range", req, &resp);
	if (rc)
		return rc;
	if (!json_object_object_get_ex(resp, "header", &hdr))
		rc = -EBADMSG;
	else
		*rev = etcd_i64(hdr, "revision");
	json_object_put(resp);
	return rc;
}

static int
etcd_poll(struct store *s, const char *prefix, int64_t *since, bool *changed)
{
	int64_t rev;
	int rc = etcd_rev(s, &rev);

	/* The revision is store-wide: a conservative answer (see store.h). Deletes
	 * leave no key to range over, so a prefix-precise answer would need /v3/watch. */
	(void)prefix;
	if (rc)
		return rc;
	*changed = rev > *since;
	*since = rev;
	return 0;
}

const struct store_ops store_etcd_ops = {
	.name = "etcd",
	.open = etcd_open,
	.close = etcd_close,
	.get = etcd_get,
	.list = etcd_list,
	.txn = etcd_txn,
	.delete_prefix = etcd_delete_prefix,
	.rev = etcd_rev,
	.poll = etcd_poll,
};
