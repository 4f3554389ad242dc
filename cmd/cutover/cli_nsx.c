// SPDX-License-Identifier: MIT
/*
 * `cutover nsx-import`: argument parsing and file handling for the NSX importer
 * and its `verify` subcommand. The translation itself lives in nsx-import/.
 * Output files are written under temporary names and renamed only when every
 * step succeeded, so an input error never leaves partial output behind.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cutover/cli.h"
#include "datapath/bundle.h"
#include "lib/clock.h"
#include "nsx-import/translate.h"
#include "nsx-import/verify.h"



static void
nsx_usage(FILE *out)
{
	fprintf(out,
	    "NAME\n"
	    "    cutover nsx-import - translate NSX DFW policy into Cilium policy, exactly\n"
	    "    or with an explicit gap report\n\n"
	    "SYNOPSIS\n"
	    "    cutover nsx-import EXPORT... [-o DIR] [--inventory FILE] [--namespace NS]\n"
	    "                       [--strict] [--format yaml|bundle|report|report-json]\n"
	    "                       [--default allow|drop]\n"
	    "    cutover nsx-import verify EXPORT... --against OUTPUT [--inventory FILE]\n"
	    "                       [--default allow|drop] [--samples N] [--seed N] [--max-print N]\n"
	    "    cutover nsx-import verify EXPORT... --flow SRC,DST,PROTO,PORT [--inventory FILE]\n\n"
	    "DESCRIPTION\n"
	    "    Reads NSX-T Policy API JSON (hierarchical Infra tree, single-object GETs,\n"
	    "    {\"results\": [...]} lists) and NSX-V XML (firewallConfiguration, section,\n"
	    "    ipset/securitygroup/application/applicationGroup lists); the format is\n"
	    "    detected per file and several files are merged (e.g. an NSX-V firewall\n"
	    "    config plus its grouping objects). Rules are ordered as NSX evaluates them\n"
	    "    (category, policy and rule sequence numbers, then document order) and\n"
	    "    compiled into an order-free Cilium policy set that gives every flow the\n"
	    "    verdict of the first matching NSX rule. What Cilium cannot express is listed\n"
	    "    in the gap report with the NSX rule id, path and reason.\n\n"
	    "    verify reads the produced policy back and evaluates flows at every boundary\n"
	    "    point of every rule's address and port sets plus random samples under NSX\n"
	    "    and under Cilium semantics; it lists each flow whose verdict differs with\n"
	    "    the NSX rule that decided it.\n\n"
	    "OPTIONS\n"
	    "    -o, --output DIR     write cilium-policies.yaml, bundle.json, report.txt and\n"
	    "                         report.json into DIR (created if missing); without -o the\n"
	    "                         --format output goes to stdout\n"
	    "    --format F           yaml (default), bundle (datapath policy bundle JSON),\n"
	    "                         report (text), report-json\n"
	    "    --inventory FILE     JSON {\"workloads\": [{\"name\", \"ips\", \"vm_id\",\n"
	    "                         \"os_name\", \"tags\": [{\"scope\",\"tag\"}], \"labels\": {},\n"
	    "                         \"interface\"}]} (interface: the pod's host-side veth,\n"
	    "                         written into the bundle so the datapath attaches to it):\n"
	    "                         resolves VM-based groups; each workload becomes an\n"
	    "                         endpoint class selected by cutover.io/vm=<name> + labels\n"
	    "    --namespace NS       emit namespaced CiliumNetworkPolicy objects in NS\n"
	    "                         (default: CiliumClusterwideNetworkPolicy)\n"
	    "    --default A          verdict for flows no rule matches when the export has no\n"
	    "                         catch-all rule: allow (NSX's out-of-the-box default) or drop\n"
	    "    --strict             exit 1 when the report has gaps\n"
	    "    --timing             print the duration of each phase and the peak memory\n"
	    "    --against OUTPUT     (verify) policy YAML file, a bundle (*.json), or a\n"
	    "                         directory holding cilium-policies.yaml (and bundle.json:\n"
	    "                         both are checked; the bundle at inventory workloads)\n"
	    "    --samples N          (verify) random flows per endpoint and direction (default 200)\n"
	    "    --seed N             (verify) random seed (default fixed: runs are repeatable)\n"
	    "    --max-print N        (verify) list at most N mismatches (default 50)\n"
	    "    --flow S,D,P,N       (verify) the NSX verdict of one connection from address S\n"
	    "                         to D, protocol tcp|udp|sctp|icmp|icmpv6|NUMBER, port or\n"
	    "                         ICMP type N: evaluated at the source (egress) and the\n"
	    "                         destination (ingress); prints ALLOW or DROP and the\n"
	    "                         deciding rules, exit 0 for ALLOW, 1 for DROP\n"
	    "    -h, --help           this text\n\n"
	    "EXIT STATUS\n"
	    "    0   translated exactly (verify: no mismatch on rules reported exact)\n"
	    "    1   gaps exist and --strict was given (verify: any mismatch on an exact rule)\n"
	    "    2   usage error or bad input (the message names the file, line:column or JSON\n"
	    "        path, and the reason); nothing is written\n\n"
	    "SEE ALSO\n"
	    "    docs/nsx-import.md (mapping table, gap kinds, how to export from NSX)\n");
}

static bool timing;

/* --timing: phase durations and peak memory on stderr (the benchmark reads them). */
static void
phase(const char *name)
{
	static double last;
	double now = clock_s(CLOCK_MONOTONIC);

	if (timing && name) {
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "timing: %-10s %8.3f s  (peak RSS %ld MiB)\n", name, now - last,
		    ru.ru_maxrss / 1024);
	}
	last = now;
}

static int
print_diag(const struct diag *d)
{
	char buf[1200];

	diag_format(d, buf, sizeof(buf));
	fprintf(stderr, "cutover nsx-import: %s\n", buf);
	return CLI_USAGE;
}

static int
load_all(struct nsx_model *m, char **files, int n, const char *inventory)
{
	struct diag d;

	if (inventory) {
		diag_init(&d, inventory);
		if (nsx_inventory_load(m, inventory, &d))
			return print_diag(&d);
	}
	for (int i = 0; i < n; i++) {
		diag_init(&d, files[i]);
		if (nsx_load_file(m, files[i], &d))
			return print_diag(&d);
	}
	phase("load");
	diag_init(&d, NULL);
	if (nsx_model_resolve(m, &d))
		return print_diag(&d);
	phase("resolve");
	return 0;
}

static int
parse_default(const char *s, enum nsx_action *a)
{
	if (!strcmp(s, "allow"))
		*a = NSX_ACT_ALLOW;
	else if (!strcmp(s, "drop"))
		*a = NSX_ACT_DROP;
	else
		return -1;
	return 0;
}

enum { OPT_INV = 256, OPT_NS, OPT_STRICT, OPT_FORMAT, OPT_DEFAULT, OPT_AGAINST, OPT_SAMPLES,
	OPT_SEED, OPT_MAXPRINT, OPT_TIMING, OPT_FLOW };

static const struct option nsx_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "inventory", required_argument, NULL, OPT_INV },
	{ "namespace", required_argument, NULL, OPT_NS },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "default", required_argument, NULL, OPT_DEFAULT },
	{ "against", required_argument, NULL, OPT_AGAINST },
	{ "samples", required_argument, NULL, OPT_SAMPLES },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "max-print", required_argument, NULL, OPT_MAXPRINT },
	{ "timing", no_argument, NULL, OPT_TIMING },
	{ "flow", required_argument, NULL, OPT_FLOW },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct args {
	const char	*outdir, *inventory, *ns, *format, *against, *flow;
	bool		 strict;
	enum nsx_action	 dflt;
	unsigned long	 samples, seed, max_print;
};

static int
parse_num(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || !*s || *end ? -1 : 0;
}

static int
parse_args(int argc, char **argv, struct args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->format = "yaml";
	a->dflt = NSX_ACT_ALLOW;
	a->samples = 200;
	a->max_print = 50;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", nsx_opts, NULL)) != -1) {
		switch (c) {
		case 'o':		a->outdir = optarg; break;
		case OPT_INV:		a->inventory = optarg; break;
		case OPT_NS:		a->ns = optarg; break;
		case OPT_STRICT:	a->strict = true; break;
		case OPT_FORMAT:	a->format = optarg; break;
		case OPT_AGAINST:	a->against = optarg; break;
		case OPT_TIMING:	timing = true; break;
		case OPT_FLOW:		a->flow = optarg; break;
		case OPT_DEFAULT:
			if (parse_default(optarg, &a->dflt)) {
				fprintf(stderr, "cutover nsx-import: --default must be allow or drop\n");
				return CLI_USAGE;
			}
			break;
		case OPT_SAMPLES:
		case OPT_SEED:
		case OPT_MAXPRINT: {
			unsigned long v;

			if (parse_num(optarg, &v)) {
				fprintf(stderr, "cutover nsx-import: bad number '%s'\n", optarg);
				return CLI_USAGE;
			}
			if (c == OPT_SAMPLES)
				a->samples = v;
			else if (c == OPT_SEED)
				a->seed = v;
			else
				a->max_print = v;
			break;
		}
		case 'h':
			nsx_usage(stdout);
			return -1;
		default:
			nsx_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (strcmp(a->format, "yaml") && strcmp(a->format, "bundle") &&
	    strcmp(a->format, "report") && strcmp(a->format, "report-json")) {
		fprintf(stderr, "cutover nsx-import: --format must be yaml, bundle, report or "
		    "report-json\n");
		return CLI_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, "cutover nsx-import: no export file given (see --help)\n");
		return CLI_USAGE;
	}
	return 0;
}

typedef int (*emit_fn)(FILE *, const struct nsx_model *, const struct nsx_compiled *,
    const struct nsx_emit_opts *);

static int
emit_report_text(FILE *f, const struct nsx_model *m, const struct nsx_compiled *c,
    const struct nsx_emit_opts *o)
{
	(void)o;
	return nsx_report_text(f, m, c);
}

static int
emit_report_json(FILE *f, const struct nsx_model *m, const struct nsx_compiled *c,
    const struct nsx_emit_opts *o)
{
	(void)o;
	return nsx_report_json(f, m, c);
}

static const struct {
	const char	*format, *file;
	emit_fn		 fn;
} outputs[] = {
	{ "yaml", "cilium-policies.yaml", nsx_emit_cnp },
	{ "bundle", "bundle.json", nsx_emit_bundle },
	{ "report", "report.txt", emit_report_text },
	{ "report-json", "report.json", emit_report_json },
};

static int
write_dir(const char *dir, const struct nsx_model *m, const struct nsx_compiled *c,
    const struct nsx_emit_opts *o)
{
	char tmp[4096], fin[4096];
	size_t n = sizeof(outputs) / sizeof(outputs[0]), i;
	int rc = 0;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "cutover nsx-import: %s: cannot create: %s\n", dir, strerror(errno));
		return CLI_USAGE;
	}
	for (i = 0; i < n && !rc; i++) {
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, outputs[i].file);
		f = fopen(tmp, "we");
		if (!f) {
			fprintf(stderr, "cutover nsx-import: %s: %s\n", tmp, strerror(errno));
			rc = CLI_USAGE;
			break;
		}
		if (outputs[i].fn(f, m, c, o) || fclose(f)) {
			fprintf(stderr, "cutover nsx-import: %s: write failed\n", tmp);
			rc = CLI_USAGE;
		}
	}
	for (size_t k = 0; k < i; k++) {
		snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, outputs[k].file);
		snprintf(fin, sizeof(fin), "%s/%s", dir, outputs[k].file);
		if (rc)
			unlink(tmp);
		else if (rename(tmp, fin) < 0) {
			fprintf(stderr, "cutover nsx-import: %s: %s\n", fin, strerror(errno));
			rc = CLI_USAGE;
		}
	}
	return rc;
}

static int
flow_predict(const struct nsx_model *m, const char *spec, enum nsx_action dflt)
{
	char buf[256], *tok[4], *save = NULL;
	struct nsx_flow f;
	const struct nsx_rule *r[2], *j[2];
	bool ok[2];
	unsigned long port;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *t = strtok_r(buf, ",", &save); t && n < 4; t = strtok_r(NULL, ",", &save))
		tok[n++] = t;
	memset(&f, 0, sizeof(f));
	if (n != 4 || addr_parse(tok[0], &f.remote) || addr_parse(tok[1], &f.local) ||
	    f.local.family != f.remote.family || parse_num(tok[3], &port) || port > 65535) {
		fprintf(stderr, "cutover nsx-import: --flow wants SRC,DST,PROTO,PORT\n");
		return CLI_USAGE;
	}
	if (!strcmp(tok[2], "tcp"))
		f.proto = NSX_PROTO_TCP;
	else if (!strcmp(tok[2], "udp"))
		f.proto = NSX_PROTO_UDP;
	else if (!strcmp(tok[2], "sctp"))
		f.proto = NSX_PROTO_SCTP;
	else if (!strcmp(tok[2], "icmp"))
		f.proto = NSX_PROTO_ICMP;
	else if (!strcmp(tok[2], "icmpv6"))
		f.proto = NSX_PROTO_ICMP6;
	else {
		unsigned long p;

		if (parse_num(tok[2], &p) || p > 255) {
			fprintf(stderr, "cutover nsx-import: --flow: unknown protocol '%s'\n", tok[2]);
			return CLI_USAGE;
		}
		f.proto = (uint8_t)p;
	}
	f.port = (uint16_t)port;
	/* Ingress at the destination. */
	f.dir = NSX_D_INGRESS;
	ok[1] = nsx_eval_flow(m, dflt, &f, &r[1], &j[1]);
	/* Egress at the source: local and remote swap. */
	{
		struct addr t = f.local;

		f.local = f.remote;
		f.remote = t;
	}
	f.dir = NSX_D_EGRESS;
	ok[0] = nsx_eval_flow(m, dflt, &f, &r[0], &j[0]);
	printf("%s %s -> %s %s/%lu: egress at source %s (%s), ingress at destination %s (%s)\n",
	    ok[0] && ok[1] ? "ALLOW" : "DROP", tok[0], tok[1], tok[2], port,
	    ok[0] ? "allow" : "drop", r[0] ? r[0]->path : "default rule",
	    ok[1] ? "allow" : "drop", r[1] ? r[1]->path : "default rule");
	return ok[0] && ok[1] ? CLI_OK : CLI_FAIL;
}

static int
run_verify(int argc, char **argv)
{
	struct args a;
	struct nsx_model *m;
	struct cnp_set set;
	struct nsx_verify_opts vo;
	struct nsx_verify_result res;
	struct diag d;
	char path[4096];
	struct stat st;
	int rc;

	if ((rc = parse_args(argc, argv, &a)))
		return rc < 0 ? CLI_OK : rc;
	if (!a.against && !a.flow) {
		fprintf(stderr, "cutover nsx-import verify: --against OUTPUT or --flow is required\n");
		return CLI_USAGE;
	}
	m = nsx_model_new();
	if (!m)
		return CLI_FAIL;
	if ((rc = load_all(m, argv + optind, argc - optind, a.inventory))) {
		nsx_model_free(m);
		return rc;
	}
	/* Gap flags come from the translation: run it so "exact" means the same. */
	{
		struct nsx_translate_opts to = { .dflt = a.dflt };
		struct nsx_compiled comp;

		diag_init(&d, NULL);
		if (nsx_translate(m, &to, &comp, &d)) {
			nsx_model_free(m);
			return print_diag(&d);
		}
		nsx_compiled_free(&comp);
	}
	if (a.flow) {
		rc = flow_predict(m, a.flow, a.dflt);
		nsx_model_free(m);
		return rc;
	}
	/* OUTPUT: a YAML file, a bundle (.json), or a directory holding both. */
	{
		bool dir = !stat(a.against, &st) && S_ISDIR(st.st_mode);
		size_t l = strlen(a.against);
		bool json = l > 5 && !strcmp(a.against + l - 5, ".json");
		int worst = CLI_OK;

		for (int pass = 0; pass < 2; pass++) {
			struct dp_bundle *b = NULL;

			if ((pass == 0 && (json && !dir)) || (pass == 1 && !dir && !json))
				continue;
			if (dir)
				snprintf(path, sizeof(path), "%s/%s", a.against,
				    pass ? "bundle.json" : "cilium-policies.yaml");
			else
				snprintf(path, sizeof(path), "%s", a.against);
			if (dir && pass == 1 && access(path, R_OK))
				continue;	/* a directory without a bundle */
			diag_init(&d, path);
			memset(&set, 0, sizeof(set));
			if (pass == 0 ? nsx_cnp_read(path, &set, &d) : dp_bundle_load(path, &b, &d)) {
				nsx_model_free(m);
				return print_diag(&d);
			}
			memset(&vo, 0, sizeof(vo));
			vo.bundle = b;
			vo.samples = a.samples;
			vo.seed = a.seed;
			vo.dflt = a.dflt;
			vo.out = stdout;
			vo.max_print = a.max_print;
			rc = nsx_verify(m, &set, &vo, &res);
			nsx_cnp_free(&set);
			dp_bundle_free(b);
			if (rc) {
				nsx_model_free(m);
				fprintf(stderr, "cutover nsx-import verify: out of memory\n");
				return CLI_FAIL;
			}
			printf("verify: %s: %zu flows, %zu mismatches (%zu on rules reported exact, "
			    "%zu on rules with reported gaps)\n", pass ? "bundle" : "policy",
			    res.flows, res.mismatches, res.mismatches_exact,
			    res.mismatches - res.mismatches_exact);
			if (res.mismatches_exact)
				worst = CLI_FAIL;
		}
		nsx_model_free(m);
		return worst;
	}
}

int
cli_nsx_import(int argc, char **argv)
{
	struct nsx_translate_opts to;
	struct nsx_emit_opts eo;
	struct nsx_compiled comp;
	struct nsx_model *m;
	struct args a;
	struct diag d;
	size_t gaps;
	int rc;

	if (argc >= 2 && !strcmp(argv[1], "verify"))
		return run_verify(argc - 1, argv + 1);
	if ((rc = parse_args(argc, argv, &a)))
		return rc < 0 ? CLI_OK : rc;
	m = nsx_model_new();
	if (!m)
		return CLI_FAIL;
	phase(NULL);
	if ((rc = load_all(m, argv + optind, argc - optind, a.inventory))) {
		nsx_model_free(m);
		return rc;
	}
	to.dflt = a.dflt;
	diag_init(&d, NULL);
	if (nsx_translate(m, &to, &comp, &d)) {
		nsx_model_free(m);
		return print_diag(&d);
	}
	phase("translate");
	eo.namespace = a.ns;
	eo.sources = (const char *const *)(argv + optind);
	eo.nsources = (size_t)(argc - optind);
	if (a.outdir) {
		rc = write_dir(a.outdir, m, &comp, &eo);
	} else {
		rc = 0;
		for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
			if (!strcmp(outputs[i].format, a.format) && outputs[i].fn(stdout, m, &comp, &eo))
				rc = CLI_FAIL;
	}
	phase("emit");
	gaps = nsx_report_gaps(m);
	if (!rc)
		fprintf(stderr, "cutover nsx-import: %s\n", gaps ?
		    "translated with gaps (see the report)" : "translated exactly");
	if (!rc && gaps)
		fprintf(stderr, "cutover nsx-import: %zu gap(s)\n", gaps);
	nsx_compiled_free(&comp);
	nsx_model_free(m);
	phase("free");
	if (rc)
		return rc;
	return gaps && a.strict ? CLI_FAIL : CLI_OK;
}
