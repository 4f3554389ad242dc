// SPDX-License-Identifier: MIT
/*
 * The gap report, as text for people and JSON for tools: a summary, every gap
 * (the meaning of an NSX rule changed: kind, rule id, rule path, where it is in the
 * export, why) and every note (nothing changed, but worth a look). Owns only the
 * formats; the issues are found by resolve.c and translate.c.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "nsx-import/translate.h"

size_t
nsx_report_gaps(const struct nsx_model *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nissues; i++)
		n += m->issues[i].gap;
	return n;
}

static void
counts(const struct nsx_model *m, size_t *active, size_t *disabled, size_t *gaprules)
{
	*active = *disabled = *gaprules = 0;
	for (size_t i = 0; i < m->nrules; i++) {
		if (m->rules[i]->disabled)
			(*disabled)++;
		else
			(*active)++;
		if (m->rules[i]->gap_any)
			(*gaprules)++;
	}
}

static size_t
policies_out(const struct nsx_compiled *c, size_t *allows, size_t *denies)
{
	size_t n = 0;

	*allows = *denies = 0;
	for (size_t i = 0; i < c->ncls; i++) {
		if (c->cls[i].dir[0].enforce || c->cls[i].dir[1].enforce)
			n++;
		for (int d = 0; d < 2; d++) {
			*allows += c->cls[i].dir[d].allow.n;
			*denies += c->cls[i].dir[d].deny.n;
		}
	}
	return n;
}

int
nsx_report_text(FILE *f, const struct nsx_model *m, const struct nsx_compiled *c)
{
	size_t active, disabled, gaprules, allows, denies, pols, gaps = nsx_report_gaps(m);

	counts(m, &active, &disabled, &gaprules);
	pols = policies_out(c, &allows, &denies);
	fprintf(f, "NSX import report (%s)\n\n", m->nsxv ? "NSX-V" : "NSX-T");
	fprintf(f, "input:  %zu rules (%zu active, %zu disabled), %zu policies/sections, "
	    "%zu groups, %zu services, %zu inventory workloads\n", m->nrules, active, disabled,
	    m->npolicies, m->ngroups, m->nservices, m->nwl);
	fprintf(f, "output: %zu Cilium policies, %zu allow boxes, %zu deny boxes; default "
	    "for unmatched flows: %s\n", pols, allows, denies, nsx_action_name(c->dflt));
	if (!gaps)
		fprintf(f, "result: EXACT - every active rule keeps its meaning\n");
	else
		fprintf(f, "result: %zu gap(s) in %zu rule(s) - those rules do not keep their "
		    "exact meaning\n", gaps, gaprules);
	for (int pass = 0; pass < 2; pass++) {
		bool any = false;

		for (size_t i = 0; i < m->nissues; i++) {
			const struct nsx_issue *is = &m->issues[i];

			if (is->gap != (pass == 0))
				continue;
			if (!any)
				fprintf(f, "\n%s\n", pass == 0 ? "GAPS" : "NOTES");
			any = true;
			fprintf(f, "  %-24s ", pass == 0 ? nsx_gap_name(is->kind) :
			    nsx_note_name(is->kind));
			if (is->rule_path)
				fprintf(f, "rule %s  %s\n%27s%s\n", is->rule_id ? is->rule_id : "?",
				    is->rule_path, "", is->src ? is->src : "");
			else
				fprintf(f, "(export-wide)\n");
			fprintf(f, "%27s%s\n", "", is->why);
		}
	}
	return ferror(f) ? -EIO : 0;
}

int
nsx_report_json(FILE *f, const struct nsx_model *m, const struct nsx_compiled *c)
{
	struct json_object *root = json_object_new_object(), *gaps, *notes, *sum;
	size_t active, disabled, gaprules, allows, denies, pols;

	if (!root)
		return -ENOMEM;
	counts(m, &active, &disabled, &gaprules);
	pols = policies_out(c, &allows, &denies);
	sum = json_object_new_object();
	json_object_object_add(sum, "format", json_object_new_string(m->nsxv ? "NSX-V" : "NSX-T"));
	json_object_object_add(sum, "rules", json_object_new_int64((int64_t)m->nrules));
	json_object_object_add(sum, "rules_active", json_object_new_int64((int64_t)active));
	json_object_object_add(sum, "rules_disabled", json_object_new_int64((int64_t)disabled));
	json_object_object_add(sum, "rules_with_gaps", json_object_new_int64((int64_t)gaprules));
	json_object_object_add(sum, "groups", json_object_new_int64((int64_t)m->ngroups));
	json_object_object_add(sum, "services", json_object_new_int64((int64_t)m->nservices));
	json_object_object_add(sum, "workloads", json_object_new_int64((int64_t)m->nwl));
	json_object_object_add(sum, "cilium_policies", json_object_new_int64((int64_t)pols));
	json_object_object_add(sum, "allow_boxes", json_object_new_int64((int64_t)allows));
	json_object_object_add(sum, "deny_boxes", json_object_new_int64((int64_t)denies));
	json_object_object_add(sum, "default_action",
	    json_object_new_string(nsx_action_name(c->dflt)));
	json_object_object_add(root, "exact", json_object_new_boolean(nsx_report_gaps(m) == 0));
	json_object_object_add(root, "summary", sum);
	gaps = json_object_new_array();
	notes = json_object_new_array();
	for (size_t i = 0; i < m->nissues; i++) {
		const struct nsx_issue *is = &m->issues[i];
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "kind", json_object_new_string(is->gap ?
		    nsx_gap_name(is->kind) : nsx_note_name(is->kind)));
		json_object_object_add(e, "rule_id", is->rule_id ?
		    json_object_new_string(is->rule_id) : NULL);
		json_object_object_add(e, "rule_path", is->rule_path ?
		    json_object_new_string(is->rule_path) : NULL);
		json_object_object_add(e, "source", is->src ? json_object_new_string(is->src) : NULL);
		json_object_object_add(e, "why", json_object_new_string(is->why));
		json_object_array_add(is->gap ? gaps : notes, e);
	}
	json_object_object_add(root, "gaps", gaps);
	json_object_object_add(root, "notes", notes);
	fprintf(f, "%s\n", json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return ferror(f) ? -EIO : 0;
}
