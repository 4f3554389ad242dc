/* SPDX-License-Identifier: MIT */
/*
 * Path-tracking accessors over json-c. A struct json_cur is a JSON value plus the
 * path that reached it ($.children[2].Domain.children[0]); every typed getter fails
 * with a diag that names that path and the reason (missing, wrong type, out of
 * range, unknown field). Parsing reads a whole file under a size cap and reports
 * syntax errors with line:column. This file knows no schema: callers list the
 * fields they accept. It does not own the meaning of any document.
 */
#ifndef CUTOVER_LIB_JSON_H
#define CUTOVER_LIB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/diag.h"

struct json_object;

#define JSON_PATH_MAX	256

/*
 * A cursor names its place by a link to its parent cursor plus a key or index; the
 * path text is only rendered when needed (errors, json_cur_path), which keeps
 * walking big documents cheap. WARNING: a cursor must not outlive its parent.
 */
struct json_cur {
	struct json_object	*obj;	/* borrowed; NULL for a missing optional value */
	struct diag		*d;	/* where failures are reported (may be NULL) */
	const struct json_cur	*parent;	/* NULL for the root */
	const char		*key;	/* member name, or NULL for an array element */
	size_t			 index;
};

/* Render the path ("$.children[2].Domain") into buf; returns buf. */
char	*json_cur_path(const struct json_cur *c, char *buf, size_t len);

/*
 * Parse a whole buffer / file. *out is owned by the caller (json_object_put).
 * Files larger than max_bytes fail with -EFBIG; syntax errors with -EBADMSG and
 * diag line:column. Returns 0 or -errno.
 */
int	json_doc_parse(const char *buf, size_t len, struct json_object **out,
	    struct diag *d);
int	json_doc_load(const char *file, size_t max_bytes, struct json_object **out,
	    struct diag *d);

/* Root cursor ("$") over obj. */
void	json_cur_root(struct json_cur *c, struct json_object *obj, struct diag *d);
bool	json_cur_is_object(const struct json_cur *c);
bool	json_cur_is_array(const struct json_cur *c);
bool	json_cur_is_string(const struct json_cur *c);
bool	json_cur_is_null(const struct json_cur *c);
/* Report a failure at this cursor's path; returns err (negative). */
int	json_cur_fail(const struct json_cur *c, int err, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Member key of an object (child->obj NULL when absent). Returns true if present
 * and not JSON null. Never fails. */
bool	json_cur_member(const struct json_cur *c, const char *key,
	    struct json_cur *child);
/* Typed members. required: absent is an error; otherwise *out keeps its value.
 * Return 0 or -EINVAL (mistyped, out of range, missing) with the diag set. */
int	json_get_str(const struct json_cur *c, const char *key, bool required,
	    const char **out);
int	json_get_bool(const struct json_cur *c, const char *key, bool required,
	    bool *out);
int	json_get_int(const struct json_cur *c, const char *key, bool required,
	    int64_t min, int64_t max, int64_t *out);
/* Object / array members: child->obj NULL when absent and not required. */
int	json_get_obj(const struct json_cur *c, const char *key, bool required,
	    struct json_cur *child);
int	json_get_arr(const struct json_cur *c, const char *key, bool required,
	    struct json_cur *child);
/* Array access. */
size_t	json_arr_len(const struct json_cur *c);
void	json_arr_at(const struct json_cur *c, size_t i, struct json_cur *child);
/* The value as a string / integer (for array elements). */
int	json_cur_str(const struct json_cur *c, const char **out);
int	json_cur_int(const struct json_cur *c, int64_t min, int64_t max, int64_t *out);

/*
 * Reject members not listed in allowed (NULL-terminated). Keys starting with one
 * of the prefixes in ignore_prefixes (NULL-terminated, may be NULL) are accepted
 * without a listing (e.g. "_" for read-only metadata).
 */
int	json_check_keys(const struct json_cur *c, const char *const *allowed,
	    const char *const *ignore_prefixes);

#endif
