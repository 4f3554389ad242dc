// SPDX-License-Identifier: MIT
/*
 * Loader: load the dp_lxc BPF object from its skeleton and pin programs and maps
 * under the pin root, or adopt what an earlier process pinned (no reload: running
 * filters and map contents stay as they are); attach/detach the programs on a veth
 * with tc clsact (Debian's libbpf 1.1 has no tcx API); per-endpoint policy maps
 * (create, pin, insert into the hash-of-maps). Map contents are edited in maps.c,
 * synced in sync.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/datapath.h"
#include "datapath/dp_internal.h"
#ifdef __clang_analyzer__
/* bpftool's generated skeleton frees its callocs inside libbpf, which the analyzer
 * cannot see (a false leak report on generated code): hide the allocations from it.
 * Never compiled: only the analyzer defines __clang_analyzer__. */
void	*dp_analyzer_calloc(size_t n, size_t size);
#define calloc dp_analyzer_calloc
#include "dp_lxc.skel.h"
#undef calloc
#else
#include "dp_lxc.skel.h"
#endif
#include "lib/log.h"

const char *const dp_map_names[DP_MAP_COUNT] = {
	[DP_MAP_IPCACHE] = "dp_ipcache",
	[DP_MAP_ENDPOINTS] = "dp_endpoints",
	[DP_MAP_POLICY] = "dp_policy",
	[DP_MAP_CT] = "dp_ct",
	[DP_MAP_FRAG] = "dp_frag",
	[DP_MAP_METRICS] = "dp_metrics",
	[DP_MAP_STATS] = "dp_stats",
	[DP_MAP_EVENTS] = "dp_events",
	[DP_MAP_NAMES] = "dp_names",
	[DP_MAP_META] = "dp_meta",
	[DP_MAP_FLOWLOG] = "dp_flowlog",
	[DP_MAP_IPCACHE_HOST] = "dp_ipcache_host",
	[DP_MAP_POLICY_EXACT] = "dp_policy_exact",
};

static const char *const prog_pins[2] = {
	[DP_DIR_INGRESS] = "prog_to_pod",
	[DP_DIR_EGRESS] = "prog_from_pod",
};

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static int
libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	/* tc queries on a veth without clsact yet log a kernel message; our callers
	 * report real failures themselves, so kernel messages are debug-level. */
	if ((level == LIBBPF_DEBUG || strstr(fmt, "Kernel error message")) &&
	    !log_enabled(LOG_LVL_DEBUG))
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	log_msg(level == LIBBPF_WARN ? LOG_LVL_WARN : LOG_LVL_DEBUG, "libbpf", "%s", buf);
	return 0;
}

const char *
dp_pin_root(const struct dp_opts *o)
{
	const char *env;

	if (o && o->pin_root && o->pin_root[0])
		return o->pin_root;
	env = getenv(DP_PIN_ROOT_ENV);
	return env && env[0] ? env : DP_PIN_ROOT_DEFAULT;
}

static bool
is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && (unsigned long)st.f_type == BPF_FS_MAGIC;
}

/* The pin root must sit on a bpf filesystem. Like Cilium's agent, mount one on
 * /sys/fs/bpf when the root is below it and nothing is mounted there yet. */
static int
ensure_root(const char *root, bool create, struct diag *d)
{
	char parent[PATH_MAX];
	char *slash;

	if (strlen(root) >= sizeof(parent) - 32)
		return diag_failv(d, -ENAMETOOLONG, "pin root %s: path too long", root);
	snprintf(parent, sizeof(parent), "%s", root);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return diag_failv(d, -EINVAL, "pin root %s: need a directory below a bpf "
		    "filesystem", root);
	*slash = '\0';
	if (!is_bpffs(parent)) {
		if (!create)
			return diag_failv(d, -ENOENT, "%s is not a bpf filesystem: nothing "
			    "pinned", parent);
		if (strcmp(parent, "/sys/fs/bpf") ||
		    mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
			return diag_failv(d, -ENOTSUP, "%s is not a bpf filesystem "
			    "(mount -t bpf bpf %s)", parent, parent);
		log_info("mounted bpffs on /sys/fs/bpf");
	}
	if (mkdir(root, 0700) && errno != EEXIST)
		return diag_failv(d, -errno, "mkdir %s: %s", root, strerror(errno));
	return 0;
}

static int
pin_path(char *out, size_t len, const char *root, const char *name)
{
	int n = snprintf(out, len, "%s/%s", root, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static void
dp_free(struct dp *dp)
{
	if (!dp)
		return;
	for (int i = 0; i < 2; i++)
		if (dp->prog_fd[i] >= 0)
			close(dp->prog_fd[i]);
	for (int i = 0; i < DP_MAP_COUNT; i++)
		if (dp->map_fd[i] >= 0)
			close(dp->map_fd[i]);
	if (dp->pol_fd) {
		for (size_t i = 0; i <= DP_EP_ID_MAX; i++)
			if (dp->pol_fd[i] >= 0)
				close(dp->pol_fd[i]);
		free(dp->pol_fd);
	}
	dp_state_free(dp->state);
	free(dp);
}

void
dp_close(struct dp *dp)
{
	dp_free(dp);
}

bool
dp_adopted(const struct dp *dp)
{
	return dp->adopted;
}

int
dp_prog_fd(const struct dp *dp, int dir)
{
	return dir == DP_DIR_INGRESS || dir == DP_DIR_EGRESS ? dp->prog_fd[dir] : -1;
}

int
dp_map_fd(const struct dp *dp, const char *name)
{
	for (int i = 0; i < DP_MAP_COUNT; i++)
		if (!strcmp(dp_map_names[i], name))
			return dp->map_fd[i];
	return -1;
}

static int
meta_get(struct dp *dp, uint32_t idx, uint32_t *v)
{
	return bpf_map_lookup_elem(dp->map_fd[DP_MAP_META], &idx, v) ? -errno : 0;
}

/* Open everything pinned under root. -ENOENT when no program is pinned. */
static int
adopt(struct dp *dp, struct diag *d)
{
	char path[PATH_MAX];
	uint32_t abi = 0, pmax = 0;

	for (int i = 0; i < 2; i++) {
		if (pin_path(path, sizeof(path), dp->root, prog_pins[i]))
			return diag_failv(d, -ENAMETOOLONG, "pin root too long");
		dp->prog_fd[i] = bpf_obj_get(path);
		if (dp->prog_fd[i] < 0) {
			if (errno == ENOENT)
				return -ENOENT;
			return diag_failv(d, -errno, "%s: %s", path, strerror(errno));
		}
	}
	for (int i = 0; i < DP_MAP_COUNT; i++) {
		if (pin_path(path, sizeof(path), dp->root, dp_map_names[i]))
			return diag_failv(d, -ENAMETOOLONG, "pin root too long");
		dp->map_fd[i] = bpf_obj_get(path);
		if (dp->map_fd[i] < 0)
			return diag_failv(d, -errno, "pinned programs without map %s: %s",
			    path, strerror(errno));
	}
	if (meta_get(dp, DP_META_ABI, &abi) || meta_get(dp, DP_META_POLICY_MAX, &pmax))
		return diag_failv(d, -EIO, "%s/dp_meta unreadable", dp->root);
	if (abi != DP_ABI_VERSION)
		return diag_failv(d, -ESTALE, "%s holds datapath ABI %u, this build speaks %u; "
		    "detach and unpin it first", dp->root, abi, DP_ABI_VERSION);
	dp->policy_max = pmax;
	dp->adopted = true;
	return 0;
}

static int
load_and_pin(struct dp *dp, const struct dp_opts *o, struct diag *d)
{
	struct dp_lxc *skel;
	struct bpf_map *maps[DP_MAP_COUNT];
	char path[PATH_MAX];
	uint32_t idx, val;
	int rc, tmpl = -1;

	skel = dp_lxc__open();
	if (!skel)
		return diag_failv(d, -errno, "open BPF object: %s", strerror(errno));
	skel->rodata->cfg_events_established = o && o->events_established;
	dp->policy_max = o && o->policy_max ? o->policy_max : DP_POLICY_MAP_SIZE;
	/* The outer map's template is an LPM map of our size. (libbpf 1.1 cannot resize
	 * an inner map definition: bpf_map__set_max_entries dereferences its NULL obj.) */
	{
		struct bpf_map_create_opts mo = { .sz = sizeof(mo), .map_flags = BPF_F_NO_PREALLOC };

		tmpl = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "policy_tmpl",
		    sizeof(struct dp_policy_key), sizeof(struct dp_policy_entry),
		    dp->policy_max, &mo);
		if (tmpl < 0 || bpf_map__set_inner_map_fd(skel->maps.dp_policy, tmpl)) {
			rc = diag_failv(d, -errno, "policy map template: %s", strerror(errno));
			goto out;
		}
	}
	if (o && o->ipcache_max) {
		bpf_map__set_max_entries(skel->maps.dp_ipcache, o->ipcache_max);
		bpf_map__set_max_entries(skel->maps.dp_ipcache_host, o->ipcache_max);
	}
	if (dp->policy_max > DP_POLICY_EXACT_SIZE)
		bpf_map__set_max_entries(skel->maps.dp_policy_exact, dp->policy_max);
	if (o && o->ct_max)
		bpf_map__set_max_entries(skel->maps.dp_ct, o->ct_max);
	maps[DP_MAP_IPCACHE] = skel->maps.dp_ipcache;
	maps[DP_MAP_ENDPOINTS] = skel->maps.dp_endpoints;
	maps[DP_MAP_POLICY] = skel->maps.dp_policy;
	maps[DP_MAP_CT] = skel->maps.dp_ct;
	maps[DP_MAP_FRAG] = skel->maps.dp_frag;
	maps[DP_MAP_METRICS] = skel->maps.dp_metrics;
	maps[DP_MAP_STATS] = skel->maps.dp_stats;
	maps[DP_MAP_EVENTS] = skel->maps.dp_events;
	maps[DP_MAP_NAMES] = skel->maps.dp_names;
	maps[DP_MAP_META] = skel->maps.dp_meta;
	maps[DP_MAP_FLOWLOG] = skel->maps.dp_flowlog;
	maps[DP_MAP_IPCACHE_HOST] = skel->maps.dp_ipcache_host;
	maps[DP_MAP_POLICY_EXACT] = skel->maps.dp_policy_exact;
	/* Pin paths make libbpf reuse compatible maps left by an earlier load (kept
	 * conntrack and policy across a program upgrade) and pin new ones. */
	for (int i = 0; i < DP_MAP_COUNT; i++) {
		if (pin_path(path, sizeof(path), dp->root, dp_map_names[i]) ||
		    bpf_map__set_pin_path(maps[i], path)) {
			rc = diag_failv(d, -ENAMETOOLONG, "pin path %s", path);
			goto out;
		}
	}
	rc = dp_lxc__load(skel);
	if (rc) {
		rc = diag_failv(d, rc < 0 ? rc : -EINVAL, "load BPF object: %s (see libbpf "
		    "messages above)", strerror(rc < 0 ? -rc : EINVAL));
		goto out;
	}
	idx = DP_META_ABI;
	val = DP_ABI_VERSION;
	bpf_map__update_elem(skel->maps.dp_meta, &idx, sizeof(idx), &val, sizeof(val), 0);
	idx = DP_META_POLICY_MAX;
	val = dp->policy_max;
	bpf_map__update_elem(skel->maps.dp_meta, &idx, sizeof(idx), &val, sizeof(val), 0);
	{
		struct bpf_program *progs[2] = {
			[DP_DIR_INGRESS] = skel->progs.dp_to_pod,
			[DP_DIR_EGRESS] = skel->progs.dp_from_pod,
		};

		for (int i = 0; i < 2; i++) {
			if (pin_path(path, sizeof(path), dp->root, prog_pins[i])) {
				rc = diag_failv(d, -ENAMETOOLONG, "pin path too long");
				goto out;
			}
			unlink(path);
			rc = bpf_program__pin(progs[i], path);
			if (rc) {
				rc = diag_failv(d, rc, "pin %s: %s", path, strerror(-rc));
				goto out;
			}
		}
	}
	rc = 0;
out:
	dp_lxc__destroy(skel);	/* pins keep programs and maps alive */
	if (tmpl >= 0)
		close(tmpl);
	return rc;
}

int
dp_open(const struct dp_opts *o, struct dp **out, struct diag *d)
{
	struct dp *dp;
	int rc;

	*out = NULL;
	libbpf_set_print(libbpf_log);
	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return diag_failv(d, -ENOMEM, "out of memory");
	dp->prog_fd[0] = dp->prog_fd[1] = -1;
	for (int i = 0; i < DP_MAP_COUNT; i++)
		dp->map_fd[i] = -1;
	dp->pol_fd = malloc((DP_EP_ID_MAX + 1) * sizeof(*dp->pol_fd));
	if (!dp->pol_fd) {
		free(dp);
		return diag_failv(d, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i <= DP_EP_ID_MAX; i++)
		dp->pol_fd[i] = -1;
	snprintf(dp->root, sizeof(dp->root), "%s", dp_pin_root(o));
	rc = ensure_root(dp->root, !(o && o->no_load), d);
	if (rc)
		goto fail;
	rc = adopt(dp, d);
	if (rc == -ENOENT) {
		if (o && o->no_load) {
			rc = diag_failv(d, -ENOENT, "no datapath pinned under %s", dp->root);
			goto fail;
		}
		for (int i = 0; i < 2; i++) {
			if (dp->prog_fd[i] >= 0)
				close(dp->prog_fd[i]);
			dp->prog_fd[i] = -1;
		}
		rc = load_and_pin(dp, o, d);
		if (rc == 0)
			rc = adopt(dp, d);
		if (rc == 0)
			dp->adopted = false;
	}
	if (rc)
		goto fail;
	*out = dp;
	return 0;
fail:
	dp_free(dp);
	return rc;
}

int
dp_unpin(const char *root, struct diag *d)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	if (!is_bpffs(root))
		return 0;	/* nothing there (or not ours) */
	dir = opendir(root);
	if (!dir)
		return errno == ENOENT ? 0 : diag_failv(d, -errno, "%s: %s", root,
		    strerror(errno));
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (pin_path(path, sizeof(path), root, de->d_name) || unlink(path)) {
			int rc = -errno;

			closedir(dir);
			return diag_failv(d, rc, "unpin %s: %s", path, strerror(-rc));
		}
	}
	closedir(dir);
	if (rmdir(root) && errno != ENOENT)
		return diag_failv(d, -errno, "rmdir %s: %s", root, strerror(errno));
	return 0;
}

/* ---- tc attach ------------------------------------------------------------ */

static void
tc_hook(struct bpf_tc_hook *h, int ifindex, int dir)
{
	memset(h, 0, sizeof(*h));
	h->sz = sizeof(*h);
	h->ifindex = ifindex;
	/* packets from the pod enter the host-side veth: tc ingress */
	h->attach_point = dir == DP_DIR_EGRESS ? BPF_TC_INGRESS : BPF_TC_EGRESS;
}

int
dp_attach(struct dp *dp, int ifindex, struct diag *d)
{
	struct bpf_tc_hook h;
	char name[IF_NAMESIZE] = "?";
	int rc;

	if_indextoname((unsigned)ifindex, name);
	tc_hook(&h, ifindex, DP_DIR_EGRESS);
	h.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;	/* clsact */
	rc = bpf_tc_hook_create(&h);
	if (rc && rc != -EEXIST)
		return diag_failv(d, rc, "%s: create clsact qdisc: %s", name, strerror(-rc));
	/* to-pod first: a flow's replies must pass before its first packet leaves */
	for (int dir = DP_DIR_INGRESS; dir <= DP_DIR_EGRESS; dir++) {
		struct bpf_tc_opts opts = { .sz = sizeof(opts), .prog_fd = dp->prog_fd[dir],
		    .handle = DP_TC_HANDLE, .priority = DP_TC_PRIORITY,
		    .flags = BPF_TC_F_REPLACE };

		tc_hook(&h, ifindex, dir);
		rc = bpf_tc_attach(&h, &opts);
		if (rc)
			return diag_failv(d, rc, "%s: attach %s: %s", name, prog_pins[dir],
			    strerror(-rc));
	}
	return 0;
}

int
dp_detach(struct dp *dp, int ifindex, struct diag *d)
{
	struct bpf_tc_hook h;
	int rc, first = 0;

	(void)dp;
	for (int dir = DP_DIR_INGRESS; dir <= DP_DIR_EGRESS; dir++) {
		struct bpf_tc_opts opts = { .sz = sizeof(opts), .handle = DP_TC_HANDLE,
		    .priority = DP_TC_PRIORITY };

		tc_hook(&h, ifindex, dir);
		rc = bpf_tc_detach(&h, &opts);
		if (rc && rc != -ENOENT && !first)
			first = rc;
	}
	if (first)
		return diag_failv(d, first, "ifindex %d: detach: %s", ifindex,
		    strerror(-first));
	return 0;
}

int
dp_attached(struct dp *dp, int ifindex)
{
	struct bpf_tc_hook h;

	(void)dp;
	for (int dir = DP_DIR_INGRESS; dir <= DP_DIR_EGRESS; dir++) {
		struct bpf_tc_opts opts = { .sz = sizeof(opts), .handle = DP_TC_HANDLE,
		    .priority = DP_TC_PRIORITY };

		tc_hook(&h, ifindex, dir);
		if (bpf_tc_query(&h, &opts))
			return -ENOENT;
	}
	return 0;
}

/* ---- per-endpoint policy maps ---------------------------------------------- */

int
dp_policy_map(struct dp *dp, uint32_t ep_id, bool create)
{
	char path[PATH_MAX], name[16];
	uint32_t id;
	int fd, rc;

	if (ep_id == 0 || ep_id > DP_EP_ID_MAX)
		return -EINVAL;
	if (dp->pol_fd[ep_id] >= 0)
		return dp->pol_fd[ep_id];
	snprintf(name, sizeof(name), "policy_%05u", ep_id);
	if (pin_path(path, sizeof(path), dp->root, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0 && bpf_map_lookup_elem(dp->map_fd[DP_MAP_POLICY], &ep_id, &id) == 0)
		fd = bpf_map_get_fd_by_id(id);	/* in the outer map but not pinned */
	if (fd < 0) {
		struct bpf_map_create_opts mo = { .sz = sizeof(mo), .map_flags = BPF_F_NO_PREALLOC };

		if (!create)
			return -ENOENT;
		fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, name,
		    sizeof(struct dp_policy_key), sizeof(struct dp_policy_entry),
		    dp->policy_max, &mo);
		if (fd < 0)
			return -errno;
		if (bpf_obj_pin(fd, path)) {
			rc = -errno;
			close(fd);
			return rc;
		}
	}
	/* (re)insert: harmless when present, repairs a pin without outer entry */
	if (bpf_map_update_elem(dp->map_fd[DP_MAP_POLICY], &ep_id, &fd, BPF_ANY)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	dp->pol_fd[ep_id] = fd;
	return fd;
}

int
dp_policy_map_drop(struct dp *dp, uint32_t ep_id)
{
	char path[PATH_MAX], name[16];

	if (ep_id == 0 || ep_id > DP_EP_ID_MAX)
		return -EINVAL;
	if (bpf_map_delete_elem(dp->map_fd[DP_MAP_POLICY], &ep_id) && errno != ENOENT)
		return -errno;
	{
		/* the endpoint's mirrors in the exact index */
		int xfd = dp->map_fd[DP_MAP_POLICY_EXACT];
		struct dp_policy_exact_key k, next;
		bool first = true;

		while (bpf_map_get_next_key(xfd, first ? NULL : &k, &next) == 0) {
			first = false;
			k = next;
			if (k.ep_id == ep_id)
				bpf_map_delete_elem(xfd, &k);
		}
	}
	snprintf(name, sizeof(name), "policy_%05u", ep_id);
	if (pin_path(path, sizeof(path), dp->root, name))
		return -ENAMETOOLONG;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	if (dp->pol_fd[ep_id] >= 0)
		close(dp->pol_fd[ep_id]);
	dp->pol_fd[ep_id] = -1;
	return 0;
}
