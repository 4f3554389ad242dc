/* SPDX-License-Identifier: MIT */
/*
 * YAML configuration files with key paths: load a file with libyaml into a document,
 * walk it with typed accessors that know where every node sits ("peers[1].remote-as",
 * line:column) and fail through struct diag with that context, so every config error
 * reads "cutoverd.yaml:12:5: bgp.peers[1].remote-as: must be 1..4294967295".
 * Unknown keys are errors (ycfg_map_check). libyaml types stay inside lib/yamlconf.c.
 * This file knows no module's keys: bgp/conf.c, ipam, datapath bring their own.
 */
#ifndef CUTOVER_LIB_YAMLCONF_H
#define CUTOVER_LIB_YAMLCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/diag.h"

#define YCFG_PATH_MAX	192
#define YCFG_MAX_BYTES	(1u << 20)	/* refuse config files above 1 MiB */

struct ycfg;	/* a loaded document (opaque) */

/* A node of a loaded document with its key path. Cheap to copy, borrowed from ycfg. */
struct ynode {
	struct ycfg	*doc;
	int		 id;		/* libyaml node id, 0 for "absent" */
	char		 path[YCFG_PATH_MAX];
};

/* Load a file (or a buffer, source names it in errors). NULL + errno on failure with
 * the reason in d (syntax errors carry line:column). An empty document loads as an
 * empty mapping. */
struct ycfg *ycfg_load_file(const char *file, struct diag *d);
struct ycfg *ycfg_load_buf(const char *source, const void *buf, size_t len, struct diag *d);
void	ycfg_free(struct ycfg *y);
/* The document's root node (path ""). */
void	ycfg_root(struct ycfg *y, struct ynode *out);
struct diag *ycfg_diag(struct ycfg *y);

bool	ynode_is_map(const struct ynode *n);
bool	ynode_is_seq(const struct ynode *n);
bool	ynode_is_scalar(const struct ynode *n);
/* Fail with the node's position and path; returns -EINVAL. */
int	ynode_fail(const struct ynode *n, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Mapping: every key must be one of allowed (NULL-terminated), no duplicates, keys are
 * scalars. Errors point at the offending key. */
int	ycfg_map_check(const struct ynode *map, const char *const *allowed);
/* Child by key: 1 found (out set), 0 absent, -EINVAL when map is not a mapping. */
int	ycfg_map_get(const struct ynode *map, const char *key, struct ynode *out);
/* Sequence length (-EINVAL when not a sequence) and element i. */
int	ycfg_seq_len(const struct ynode *seq);
int	ycfg_seq_get(const struct ynode *seq, int i, struct ynode *out);

/* Scalars. Each returns 0 or -EINVAL with a diag naming the node. */
int	ynode_str(const struct ynode *n, char *out, size_t cap);
int	ynode_u32(const struct ynode *n, uint32_t min, uint32_t max, uint32_t *v);
int	ynode_bool(const struct ynode *n, bool *v);
int	ynode_addr(const struct ynode *n, struct addr *a);
/* A prefix without host bits (a bare address is refused). */
int	ynode_prefix(const struct ynode *n, struct prefix *p);
/* One of names[] (NULL-terminated); *idx = its index. */
int	ynode_enum(const struct ynode *n, const char *const *names, int *idx);

/* Optional keys of a mapping: 0 when absent (value untouched), 1 when set, -EINVAL. */
int	ycfg_opt_str(const struct ynode *map, const char *key, char *out, size_t cap);
int	ycfg_opt_u32(const struct ynode *map, const char *key, uint32_t min, uint32_t max,
	    uint32_t *v);
int	ycfg_opt_bool(const struct ynode *map, const char *key, bool *v);
int	ycfg_opt_addr(const struct ynode *map, const char *key, struct addr *a);
/* The same, but absent is an error ("missing required key"). */
int	ycfg_req_str(const struct ynode *map, const char *key, char *out, size_t cap);
int	ycfg_req_u32(const struct ynode *map, const char *key, uint32_t min, uint32_t max,
	    uint32_t *v);
int	ycfg_req_addr(const struct ynode *map, const char *key, struct addr *a);

/* Top-level sections owned by different modules: the daemon hands each section key
 * to its parser. Unknown top-level keys are errors. */
struct ycfg_section {
	const char	*key;
	int		(*parse)(const struct ynode *node, void *arg);
	void		*arg;
};
int	ycfg_sections(const struct ynode *root, const struct ycfg_section *secs, size_t n);

/* "host:port" or "[v6]:port" -> address and port (for listen/metrics keys). */
int	ynode_hostport(const struct ynode *n, struct addr *a, uint16_t *port);

#endif
