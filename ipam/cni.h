/* SPDX-License-Identifier: MIT */
/*
 * CNI spec 1.0 IPAM plugin codec: turn the runtime's environment (CNI_COMMAND,
 * CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS) and the network configuration on
 * stdin into a request, and a lease into the result JSON or a failure into the
 * spec's error JSON. Pure (no store, no I/O) so it can be fuzzed; the plugin binary
 * (cmd/cutover-cni-ipam) does the I/O.
 */
#ifndef CUTOVER_IPAM_CNI_H
#define CUTOVER_IPAM_CNI_H

#include <stdbool.h>
#include <stddef.h>

#include "ipam/ipam.h"

/* Error codes of the CNI spec (section "Error"), and ours from 100 up. */
enum ipam_cni_code {
	CNI_ERR_INCOMPATIBLE_VERSION = 1,
	CNI_ERR_UNSUPPORTED_FIELD = 2,
	CNI_ERR_UNKNOWN_CONTAINER = 3,
	CNI_ERR_INVALID_ENV = 4,
	CNI_ERR_IO = 5,
	CNI_ERR_DECODE = 6,
	CNI_ERR_INVALID_CONFIG = 7,
	CNI_ERR_TRY_AGAIN = 11,
	CNI_ERR_NO_ADDRESS = 100,	/* pool exhausted */
	CNI_ERR_ADDRESS_UNAVAILABLE = 101,	/* the named address cannot be given */
	CNI_ERR_NO_RESERVATION = 102,
};

enum ipam_cni_cmd {
	IPAM_CNI_ADD,
	IPAM_CNI_DEL,
	IPAM_CNI_CHECK,
	IPAM_CNI_VERSION,
};

#define IPAM_CNI_MAX_INPUT	(1u << 20)
#define IPAM_CNI_PREV_MAX	8

/* The environment variables a runtime sets (NULL when unset). */
struct ipam_cni_env {
	const char	*command, *containerid, *netns, *ifname, *args, *path;
};

struct ipam_cni_req {
	enum ipam_cni_cmd	cmd;
	char			cni_version[16];
	char			cid[IPAM_CID_MAX];
	char			ifname[IPAM_IFNAME_MAX];
	char			store[256];	/* "" -> CUTOVER_STORE or the default */
	char			pool[IPAM_NAME_MAX];
	char			node[IPAM_NAME_MAX];	/* "" -> CUTOVER_NODE or hostname */
	bool			has_ip;
	struct addr		ip;
	char			vm[IPAM_NAME_MAX];
	char			pod[2 * IPAM_NAME_MAX + 2];	/* namespace/name, for logs */
	struct addr		prev[IPAM_CNI_PREV_MAX];	/* CHECK: prevResult's ips */
	size_t			nprev;
};

struct ipam_cni_error {
	int	code;
	char	msg[256];
	char	details[512];
};

/* Parse; 0 or -EINVAL with err filled (code, msg, details naming the JSON path or
 * variable). */
int	ipam_cni_parse(const struct ipam_cni_env *env, const char *in, size_t len,
	    struct ipam_cni_req *rq, struct ipam_cni_error *err);
/* Result JSON of an ADD (malloc'ed); routes from the pool. */
char	*ipam_cni_result(const char *cni_version, const struct ipam_lease *le,
	    const struct ipam_pool *pool);
/* Error JSON (malloc'ed). cni_version NULL -> "1.0.0". */
char	*ipam_cni_error_json(const char *cni_version, const struct ipam_cni_error *err);
/* VERSION reply (malloc'ed). */
char	*ipam_cni_version_json(const char *cni_version);
/* Map an ipam_* -errno to a CNI error code. */
int	ipam_cni_code_of(int err);

#endif
