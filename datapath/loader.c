// SPDX-License-Identifier: MIT
/*
 * Loader: load the dp_lxc BPF object from its skeleton and pin programs and maps
 * under the pin root, or adopt what an earlier process pinned (no reload: running
 * filters and map contents stay as they are); attach/detach the programs on a veth
 * as pinned tcx links (raw BPF_LINK_CREATE: Debian's libbpf 1.1 has no tcx API) or
 * as tc filters on clsact (older kernels, or forced); per-endpoint policy maps
 * (create, pin, insert into the hash-of-maps). Map contents are edited in maps.c,
 * synced in sync.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <linux/magic.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
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
	dp->tcx = -1;
	for (int i = 0; i < DP_MAP_COUNT; i++)
		dp->map_fd[i] = -1;
	dp->pol_fd = malloc((DP_EP_ID_MAX + 1) * sizeof(*dp->pol_fd));
	if (!dp->pol_fd) {
		free(dp);
		return diag_failv(d, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i <= DP_EP_ID_MAX; i++)
		dp->pol_fd[i] = -1;
	dp->attach = o ? o->attach : DP_ATTACH_AUTO;
	if (dp->attach == DP_ATTACH_AUTO && getenv(DP_ATTACH_ENV) && getenv(DP_ATTACH_ENV)[0] &&
	    dp_attach_mode_parse(getenv(DP_ATTACH_ENV), &dp->attach)) {
		rc = diag_failv(d, -EINVAL, "$%s: '%s': expected auto, tcx or clsact",
		    DP_ATTACH_ENV, getenv(DP_ATTACH_ENV));
		goto fail;
	}
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

/* ---- attach: tcx links or tc clsact ----------------------------------------- */

/*
 * Constants of the tcx UAPI (Linux 6.6) missing from Debian's 6.1 headers and
 * libbpf 1.1: attach types in enum bpf_attach_type (after BPF_NETFILTER = 45) and
 * the link type in enum bpf_link_type (after BPF_LINK_TYPE_NETFILTER = 10). Checked
 * against the kernel's include/uapi/linux/bpf.h and on the running kernel (bpftool
 * names such links "tcx" with attach types tcx_ingress / tcx_egress).
 */
#define DP_BPF_TCX_INGRESS	46
#define DP_BPF_TCX_EGRESS	47
#define DP_BPF_LINK_TYPE_TCX	11

/* struct bpf_link_info's head and the start of its union, where 6.6+ kernels put
 * info.tcx = { ifindex, attach_type } (0 ifindex: the device is gone). */
struct dp_link_info {
	uint32_t	type;
	uint32_t	id;
	uint32_t	prog_id;
	uint32_t	pad;
	uint32_t	tcx_ifindex;
	uint32_t	tcx_attach_type;
	uint64_t	spare[8];
};
_Static_assert(offsetof(struct bpf_link_info, xdp.ifindex) ==
    offsetof(struct dp_link_info, tcx_ifindex), "bpf_link_info union offset");

static const char *const mode_names[] = {
	[DP_ATTACH_AUTO] = "auto",
	[DP_ATTACH_TCX] = "tcx",
	[DP_ATTACH_CLSACT] = "clsact",
};

const char *
dp_attach_mode_str(int mode)
{
	return mode >= 0 && mode <= DP_ATTACH_CLSACT ? mode_names[mode] : "";
}

int
dp_attach_mode_parse(const char *s, int *mode)
{
	for (int i = 0; i <= DP_ATTACH_CLSACT; i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

static void
tc_hook(struct bpf_tc_hook *h, int ifindex, int dir)
{
	memset(h, 0, sizeof(*h));
	h->sz = sizeof(*h);
	h->ifindex = ifindex;
	/* packets from the pod enter the host-side veth: tc ingress */
	h->attach_point = dir == DP_DIR_EGRESS ? BPF_TC_INGRESS : BPF_TC_EGRESS;
}

/* BPF_LINK_CREATE of a tcx link (libbpf 1.1 has no bpf_program__attach_tcx). The
 * 6.1 union bpf_attr is a prefix of the kernel's; the kernel zero-extends it, so
 * the link goes last in the interface's tcx chain. fd or -errno. */
static int
tcx_link_create(int prog_fd, int ifindex, int dir)
{
	union bpf_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.link_create.prog_fd = (uint32_t)prog_fd;
	a.link_create.target_ifindex = (uint32_t)ifindex;
	a.link_create.attach_type = dir == DP_DIR_EGRESS ? DP_BPF_TCX_INGRESS :
	    DP_BPF_TCX_EGRESS;
	fd = syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : (int)fd;
}

int
dp_attach_default(struct dp *dp)
{
	if (dp->attach == DP_ATTACH_CLSACT)
		return DP_ATTACH_CLSACT;
	if (dp->tcx < 0) {
		/* No device has ifindex 0: a kernel with tcx answers ENODEV, one without
		 * rejects the attach type with EINVAL before looking for the device. */
		int fd = tcx_link_create(dp->prog_fd[DP_DIR_INGRESS], 0, DP_DIR_INGRESS);

		if (fd >= 0)
			close(fd);
		dp->tcx = fd == -ENODEV;
		log_msg(LOG_LVL_DEBUG, "datapath", "tcx probe: %s (%s)", dp->tcx ? "yes" : "no",
		    fd < 0 ? strerror(-fd) : "link created");
	}
	return dp->tcx ? DP_ATTACH_TCX : DP_ATTACH_CLSACT;
}

static int
tcx_pin_path(char *out, size_t len, const struct dp *dp, int ifindex, int dir)
{
	int n = snprintf(out, len, "%s/tcx_%d_%s", dp->root, ifindex,
	    dir == DP_DIR_EGRESS ? "from_pod" : "to_pod");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The pinned tcx link of ifindex and dir, when it is still attached there: fd, or
 * -ENOENT (a pin whose device is gone is removed). */
static int
tcx_link_get(struct dp *dp, int ifindex, int dir)
{
	struct dp_link_info info;
	uint32_t len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	if (tcx_pin_path(path, sizeof(path), dp, ifindex, dir))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -ENOENT;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
	    info.type == DP_BPF_LINK_TYPE_TCX && info.tcx_ifindex == (uint32_t)ifindex)
		return fd;
	close(fd);
	unlink(path);	/* stale: the veth went away (and its index came back) */
	return -ENOENT;
}

static int
tcx_count(struct dp *dp, int ifindex)
{
	int n = 0;

	for (int dir = DP_DIR_INGRESS; dir <= DP_DIR_EGRESS; dir++) {
		int fd = tcx_link_get(dp, ifindex, dir);

		if (fd >= 0) {
			close(fd);
			n++;
		}
	}
	return n;
}

static int
clsact_count(int ifindex)
{
	struct bpf_tc_hook h;
	int n = 0;

	for (int dir = DP_DIR_INGRESS; dir <= DP_DIR_EGRESS; dir++) {
		struct bpf_tc_opts opts = { .sz = sizeof(opts), .handle = DP_TC_HANDLE,
		    .priority = DP_TC_PRIORITY };

		tc_hook(&h, ifindex, dir);
		if (bpf_tc_query(&h, &opts) == 0)
			n++;
	}
	return n;
}

static int
tcx_detach(struct dp *dp, int ifindex)
{
	char path[PATH_MAX];
	int first = 0;

	for (int dir = DP_DIR_EGRESS; dir >= DP_DIR_INGRESS; dir--) {
		int fd = tcx_link_get(dp, ifindex, dir);

		if (tcx_pin_path(path, sizeof(path), dp, ifindex, dir))
			return -ENAMETOOLONG;
		if (fd >= 0) {
			/* detach even if some other process holds the link open */
			if (bpf_link_detach(fd) && !first)
				first = -errno;
			close(fd);
		}
		if (unlink(path) && errno != ENOENT && !first)
			first = -errno;
	}
	return first;
}

static int
tcx_attach(struct dp *dp, int ifindex)
{
	char path[PATH_MAX];
	int rc;

	/* to-pod first: a flow's replies must pass before its first packet leaves */
	for (int dir = DP_DIR_INGRESS; dir <= DP_DIR_EGRESS; dir++) {
		int fd = tcx_link_get(dp, ifindex, dir);

		if (fd >= 0) {
			/* ours already: swap the program in place (atomic, no gap) */
			rc = bpf_link_update(fd, dp->prog_fd[dir], NULL) ? -errno : 0;
			close(fd);
			if (rc)
				return rc;
			continue;
		}
		if (tcx_pin_path(path, sizeof(path), dp, ifindex, dir))
			return -ENAMETOOLONG;
		fd = tcx_link_create(dp->prog_fd[dir], ifindex, dir);
		if (fd < 0) {
			rc = fd;
			if (dir == DP_DIR_EGRESS)
				tcx_detach(dp, ifindex);	/* not half attached */
			return rc;
		}
		/* a link lives as long as a file descriptor or pin refers to it */
		unlink(path);
		rc = bpf_obj_pin(fd, path) ? -errno : 0;
		if (rc) {
			bpf_link_detach(fd);
			close(fd);
			if (dir == DP_DIR_EGRESS)
				tcx_detach(dp, ifindex);
			return rc;
		}
		close(fd);
	}
	return 0;
}

static int
clsact_attach(struct dp *dp, int ifindex, const char *name, struct diag *d)
{
	struct bpf_tc_hook h;
	int rc;

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

static int
clsact_detach(int ifindex)
{
	struct bpf_tc_hook h;
	int rc, first = 0;

	for (int dir = DP_DIR_EGRESS; dir >= DP_DIR_INGRESS; dir--) {
		struct bpf_tc_opts opts = { .sz = sizeof(opts), .handle = DP_TC_HANDLE,
		    .priority = DP_TC_PRIORITY };

		tc_hook(&h, ifindex, dir);
		if (bpf_tc_query(&h, &opts))
			continue;	/* not there (or no clsact qdisc at all) */
		opts.prog_fd = opts.prog_id = 0;
		opts.flags = 0;
		rc = bpf_tc_detach(&h, &opts);
		if (rc && rc != -ENOENT && !first)
			first = rc;
	}
	return first;
}

int
dp_attach_mode(struct dp *dp, int ifindex)
{
	int t = tcx_count(dp, ifindex), c = clsact_count(ifindex);

	if (t && c)
		return -EEXIST;
	if (t == 2)
		return DP_ATTACH_TCX;
	if (c == 2)
		return DP_ATTACH_CLSACT;
	return -ENOENT;
}

int
dp_attach(struct dp *dp, int ifindex, struct diag *d)
{
	char name[IF_NAMESIZE] = "?";
	int t, c, want, rc;

	if_indextoname((unsigned)ifindex, name);
	t = tcx_count(dp, ifindex);
	c = clsact_count(ifindex);
	if (dp->attach != DP_ATTACH_AUTO)
		want = dp->attach;
	else if (t)
		want = DP_ATTACH_TCX;
	else if (c)
		want = DP_ATTACH_CLSACT;	/* attached by an earlier version: stays */
	else
		want = dp_attach_default(dp);
	if (want == DP_ATTACH_TCX) {
		rc = tcx_attach(dp, ifindex);
		if ((rc == -EINVAL || rc == -EOPNOTSUPP) &&
		    dp->attach == DP_ATTACH_AUTO && !t) {
			log_msg(LOG_LVL_WARN, "datapath", "%s: tcx link: %s; using clsact",
			    name, strerror(-rc));
			dp->tcx = 0;
			want = DP_ATTACH_CLSACT;
		} else if (rc) {
			return diag_failv(d, rc, "%s: tcx link: %s", name, strerror(-rc));
		}
	}
	if (want == DP_ATTACH_CLSACT) {
		rc = clsact_attach(dp, ifindex, name, d);
		if (rc)
			return rc;
	}
	/* the new mode is in place: remove the other one (never both left) */
	if (want == DP_ATTACH_TCX && c) {
		rc = clsact_detach(ifindex);
		if (rc)
			return diag_failv(d, rc, "%s: remove clsact filters after switching "
			    "to tcx: %s", name, strerror(-rc));
		log_msg(LOG_LVL_INFO, "datapath", "%s: switched from clsact to tcx", name);
	} else if (want == DP_ATTACH_CLSACT && t) {
		rc = tcx_detach(dp, ifindex);
		if (rc)
			return diag_failv(d, rc, "%s: remove tcx links after switching to "
			    "clsact: %s", name, strerror(-rc));
		log_msg(LOG_LVL_INFO, "datapath", "%s: switched from tcx to clsact", name);
	}
	log_msg(LOG_LVL_INFO, "datapath", "%s: programs attached (%s)", name,
	    dp_attach_mode_str(want));
	return 0;
}

int
dp_detach(struct dp *dp, int ifindex, struct diag *d)
{
	int rt = tcx_detach(dp, ifindex), rc = clsact_detach(ifindex);

	if (rt || rc)
		return diag_failv(d, rt ? rt : rc, "ifindex %d: detach: %s", ifindex,
		    strerror(rt ? -rt : -rc));
	return 0;
}

int
dp_attached(struct dp *dp, int ifindex)
{
	int m = dp_attach_mode(dp, ifindex);

	if (m < 0 || (dp->attach != DP_ATTACH_AUTO && m != dp->attach))
		return -ENOENT;
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
