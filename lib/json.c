// SPDX-License-Identifier: MIT
/*
 * Path-tracking json-c accessors (see json.h). Owns parsing with size caps and
 * line:column errors, and the typed getters that name the failing JSON path.
 * Does not own any document schema.
 */
#include "lib/json.h"
#include "lib/file.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JSON_MAX_DEPTH	64

static void
json_pos_of(const char *buf, size_t off, int *line, int *col)
{
	int l = 1, c = 1;

	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

int
json_doc_parse(const char *buf, size_t len, struct json_object **out,
    struct diag *d)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error jerr;
	size_t end;
	int line, col;

	*out = NULL;
	if (len > INT_MAX)
		return diag_failv(d, -EFBIG, "document too large");
	if (memchr(buf, '\0', len))
		return diag_failv(d, -EBADMSG, "NUL byte in JSON text");
	tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (!tok)
		return diag_failv(d, -ENOMEM, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		json_tokener_free(tok);
		json_object_put(o);
		json_pos_of(buf, len, &line, &col);
		diag_set_pos(d, line, col);
		return diag_failv(d, -EBADMSG, "JSON syntax error: unexpected end of input");
	}
	if (jerr != json_tokener_success) {
		json_pos_of(buf, end < len ? end : len, &line, &col);
		diag_set_pos(d, line, col);
		json_tokener_free(tok);
		return diag_failv(d, -EBADMSG, "JSON syntax error: %s",
		    json_tokener_error_desc(jerr));
	}
	json_tokener_free(tok);
	for (size_t i = end; i < len; i++) {
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r') {
			json_object_put(o);
			json_pos_of(buf, i, &line, &col);
			diag_set_pos(d, line, col);
			return diag_failv(d, -EBADMSG, "JSON syntax error: trailing data");
		}
	}
	*out = o;
	return 0;
}

int
json_doc_load(const char *file, size_t max_bytes, struct json_object **out,
    struct diag *d)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	rc = file_read_all(file, max_bytes, &buf, &len, d);
	if (rc)
		return rc;
	rc = json_doc_parse(buf, len, out, d);
	free(buf);
	return rc;
}

void
json_cur_root(struct json_cur *c, struct json_object *obj, struct diag *d)
{
	c->obj = obj;
	c->d = d;
	c->parent = NULL;
	c->key = NULL;
	c->index = 0;
}

bool
json_cur_is_object(const struct json_cur *c)
{
	return c->obj && json_object_is_type(c->obj, json_type_object);
}

bool
json_cur_is_array(const struct json_cur *c)
{
	return c->obj && json_object_is_type(c->obj, json_type_array);
}

bool
json_cur_is_string(const struct json_cur *c)
{
	return c->obj && json_object_is_type(c->obj, json_type_string);
}

bool
json_cur_is_null(const struct json_cur *c)
{
	return !c->obj;
}

int
json_cur_fail(const struct json_cur *c, int err, const char *fmt, ...)
{
	char msg[sizeof(((struct diag *)0)->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->d && !c->d->set) {
		char path[JSON_PATH_MAX];

		diag_set_path(c->d, json_cur_path(c, path, sizeof(path)));
	}
	return diag_failv(c->d, err, "%s", msg);
}

static size_t
json_path_render(const struct json_cur *c, char *buf, size_t len)
{
	size_t n;
	int w;
	bool plain;

	if (!c->parent) {
		w = snprintf(buf, len, "$");
		return w > 0 && (size_t)w < len ? (size_t)w : 0;
	}
	n = json_path_render(c->parent, buf, len);
	if (n >= len)
		return n;
	if (!c->key) {
		w = snprintf(buf + n, len - n, "[%zu]", c->index);
	} else {
		plain = c->key[0] != '\0';
		for (const char *p = c->key; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
				plain = false;
		if (plain)
			w = snprintf(buf + n, len - n, ".%s", c->key);
		else
			w = snprintf(buf + n, len - n, "[\"%.64s\"]", c->key);
	}
	if (w < 0)
		return n;
	return n + (size_t)w < len ? n + (size_t)w : len - 1;
}

char *
json_cur_path(const struct json_cur *c, char *buf, size_t len)
{
	if (!len)
		return buf;
	buf[0] = '\0';
	json_path_render(c, buf, len);
	return buf;
}

static void
json_path_key(struct json_cur *child, const struct json_cur *parent, const char *key)
{
	child->parent = parent;
	child->key = key;
	child->index = 0;
}

static const char *
json_type_word(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:	return "null";
	case json_type_boolean:	return "a boolean";
	case json_type_double:	return "a number";
	case json_type_int:	return "an integer";
	case json_type_object:	return "an object";
	case json_type_array:	return "an array";
	case json_type_string:	return "a string";
	}
	return "?";
}

bool
json_cur_member(const struct json_cur *c, const char *key, struct json_cur *child)
{
	struct json_object *v = NULL;

	child->d = c->d;
	child->obj = NULL;
	json_path_key(child, c, key);
	if (!json_cur_is_object(c))
		return false;
	if (!json_object_object_get_ex(c->obj, key, &v))
		return false;
	child->obj = v;
	return v != NULL;
}

static int
json_member_req(const struct json_cur *c, const char *key, bool required,
    struct json_cur *child)
{
	child->obj = NULL;
	child->d = c->d;
	child->parent = c;
	child->key = key;
	child->index = 0;
	if (!json_cur_is_object(c))
		return json_cur_fail(c, -EINVAL, "expected an object");
	if (!json_cur_member(c, key, child) && required)
		return json_cur_fail(child, -EINVAL, "required field missing");
	return 0;
}

int
json_cur_str(const struct json_cur *c, const char **out)
{
	if (!c->obj || !json_object_is_type(c->obj, json_type_string))
		return json_cur_fail(c, -EINVAL, "expected a string, found %s",
		    c->obj ? json_type_word(c->obj) : "null");
	*out = json_object_get_string(c->obj);
	return 0;
}

int
json_cur_int(const struct json_cur *c, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;

	if (!c->obj || !json_object_is_type(c->obj, json_type_int))
		return json_cur_fail(c, -EINVAL, "expected an integer, found %s",
		    c->obj ? json_type_word(c->obj) : "null");
	errno = 0;
	v = json_object_get_int64(c->obj);
	if (errno == ERANGE || v < min || v > max)
		return json_cur_fail(c, -ERANGE, "integer out of range %lld..%lld",
		    (long long)min, (long long)max);
	*out = v;
	return 0;
}

int
json_get_str(const struct json_cur *c, const char *key, bool required,
    const char **out)
{
	struct json_cur ch;
	int rc = json_member_req(c, key, required, &ch);

	if (rc || !ch.obj)
		return rc;
	return json_cur_str(&ch, out);
}

int
json_get_bool(const struct json_cur *c, const char *key, bool required, bool *out)
{
	struct json_cur ch;
	int rc = json_member_req(c, key, required, &ch);

	if (rc || !ch.obj)
		return rc;
	if (!json_object_is_type(ch.obj, json_type_boolean))
		return json_cur_fail(&ch, -EINVAL, "expected a boolean, found %s",
		    json_type_word(ch.obj));
	*out = json_object_get_boolean(ch.obj);
	return 0;
}

int
json_get_int(const struct json_cur *c, const char *key, bool required,
    int64_t min, int64_t max, int64_t *out)
{
	struct json_cur ch;
	int rc = json_member_req(c, key, required, &ch);

	if (rc || !ch.obj)
		return rc;
	return json_cur_int(&ch, min, max, out);
}

int
json_get_obj(const struct json_cur *c, const char *key, bool required,
    struct json_cur *child)
{
	int rc = json_member_req(c, key, required, child);

	if (rc || !child->obj)
		return rc;
	if (!json_object_is_type(child->obj, json_type_object))
		return json_cur_fail(child, -EINVAL, "expected an object, found %s",
		    json_type_word(child->obj));
	return 0;
}

int
json_get_arr(const struct json_cur *c, const char *key, bool required,
    struct json_cur *child)
{
	int rc = json_member_req(c, key, required, child);

	if (rc || !child->obj)
		return rc;
	if (!json_object_is_type(child->obj, json_type_array))
		return json_cur_fail(child, -EINVAL, "expected an array, found %s",
		    json_type_word(child->obj));
	return 0;
}

size_t
json_arr_len(const struct json_cur *c)
{
	if (!json_cur_is_array(c))
		return 0;
	return json_object_array_length(c->obj);
}

void
json_arr_at(const struct json_cur *c, size_t i, struct json_cur *child)
{
	child->d = c->d;
	child->parent = c;
	child->key = NULL;
	child->index = i;
	child->obj = json_cur_is_array(c) ? json_object_array_get_idx(c->obj, i) : NULL;
}

int
json_check_keys(const struct json_cur *c, const char *const *allowed,
    const char *const *ignore_prefixes)
{
	if (!json_cur_is_object(c))
		return json_cur_fail(c, -EINVAL, "expected an object");
	json_object_object_foreach(c->obj, key, val) {
		bool ok = false;

		(void)val;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = **a == *key && !strcmp(*a, key);
		for (const char *const *p = ignore_prefixes; p && *p && !ok; p++)
			ok = !strncmp(*p, key, strlen(*p));
		if (!ok) {
			struct json_cur ch;

			ch.d = c->d;
			ch.obj = NULL;
			json_path_key(&ch, c, key);
			return json_cur_fail(&ch, -EINVAL, "unknown field '%.64s'", key);
		}
	}
	return 0;
}
