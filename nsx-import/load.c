// SPDX-License-Identifier: MIT
/*
 * Input dispatch: read an export under the size cap, detect NSX-T JSON or NSX-V
 * XML from its first significant byte, and hand it to the matching loader. Also
 * loads the optional inventory file (workload -> IPs, NSX tags, pod labels).
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/file.h"
#include "lib/json.h"
#include "nsx-import/model.h"

enum nsx_format
nsx_format_detect(const char *buf, size_t len)
{
	size_t i = 0;

	/* UTF-8 byte order mark. */
	if (len >= 3 && (unsigned char)buf[0] == 0xef && (unsigned char)buf[1] == 0xbb &&
	    (unsigned char)buf[2] == 0xbf)
		i = 3;
	for (; i < len; i++) {
		if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r')
			continue;
		if (buf[i] == '<')
			return NSX_FMT_XML;
		if (buf[i] == '{' || buf[i] == '[')
			return NSX_FMT_JSON;
		break;
	}
	return NSX_FMT_UNKNOWN;
}

int
nsx_load_buf(struct nsx_model *m, const char *name, const char *buf, size_t len,
    struct diag *d)
{
	switch (nsx_format_detect(buf, len)) {
	case NSX_FMT_JSON:
		return nsx_load_json_buf(m, name, buf, len, d);
	case NSX_FMT_XML:
		return nsx_load_xml_buf(m, name, buf, len, d);
	default:
		diag_set_pos(d, 1, 1);
		return diag_failv(d, -EBADMSG,
		    "neither NSX-T Policy JSON nor NSX-V XML (first byte is not '{', '[' or '<')");
	}
}


int
nsx_load_file(struct nsx_model *m, const char *file, struct diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = file_read_all(file, NSX_MAX_FILE_BYTES, &buf, &len, d)))
		return rc;
	rc = nsx_load_buf(m, file, buf, len, d);
	free(buf);
	return rc;
}

static int
inv_workload(struct nsx_model *m, const struct json_cur *c)
{
	static const char *const f[] = { "name", "vm_id", "os_name", "ips", "tags", "labels",
		"interface", NULL };
	struct nsx_workload *w;
	const char *name = NULL, *vm = NULL, *os = NULL, *ifn = NULL, *s;
	struct json_cur a, e;
	int rc;

	if ((rc = json_check_keys(c, f, NULL)) || (rc = json_get_str(c, "name", true, &name)) ||
	    (rc = json_get_str(c, "vm_id", false, &vm)) ||
	    (rc = json_get_str(c, "os_name", false, &os)) ||
	    (rc = json_get_str(c, "interface", false, &ifn)) ||
	    (rc = json_get_arr(c, "ips", true, &a)))
		return rc;
	w = nsx_workload_add(m);
	if (!w)
		return -ENOMEM;
	w->name = nsx_strdup(name);
	w->vm_id = nsx_strdup(vm);
	w->os_name = nsx_strdup(os);
	w->interface = nsx_strdup(ifn);
	if (!w->name || (vm && !w->vm_id) || (os && !w->os_name) || (ifn && !w->interface))
		return -ENOMEM;
	if (ifn && (!*ifn || strlen(ifn) > 15)) {
		struct json_cur ic;

		json_cur_member(c, "interface", &ic);
		return json_cur_fail(&ic, -EINVAL, "interface name must be 1-15 bytes");
	}
	for (size_t i = 0; i < json_arr_len(&a); i++) {
		struct prefix p;

		json_arr_at(&a, i, &e);
		if ((rc = json_cur_str(&e, &s)))
			return rc;
		if (prefix_parse(s, &p, PREFIX_PARSE_HOST_OK) ||
		    p.len != addr_bits(&p.addr))
			return json_cur_fail(&e, -EINVAL, "not an IP address: '%.60s'", s);
		if ((rc = nsx_ipset_add_prefix(&w->ips, &p)))
			return rc;
	}
	if ((rc = json_get_arr(c, "tags", false, &a)))
		return rc;
	for (size_t i = 0; i < json_arr_len(&a); i++) {
		static const char *const tf[] = { "scope", "tag", NULL };
		const char *sc = "", *tg = NULL;
		struct nsx_tag *nt;

		json_arr_at(&a, i, &e);
		if ((rc = json_check_keys(&e, tf, NULL)) ||
		    (rc = json_get_str(&e, "scope", false, &sc)) ||
		    (rc = json_get_str(&e, "tag", true, &tg)))
			return rc;
		nt = realloc(w->tags, (w->ntags + 1) * sizeof(*nt));
		if (!nt)
			return -ENOMEM;
		w->tags = nt;
		nt[w->ntags].scope = nsx_strdup(sc);
		nt[w->ntags].tag = nsx_strdup(tg);
		w->ntags++;
		if (!nt[w->ntags - 1].scope || !nt[w->ntags - 1].tag)
			return -ENOMEM;
	}
	if ((rc = json_get_obj(c, "labels", false, &a)))
		return rc;
	if (a.obj) {
		json_object_object_foreach(a.obj, k, v) {
			struct nsx_label *nl;
			struct json_cur lc;

			json_cur_member(&a, k, &lc);
			if (!v || !json_object_is_type(v, json_type_string))
				return json_cur_fail(&lc, -EINVAL, "label value must be a string");
			nl = realloc(w->labels, (w->nlabels + 1) * sizeof(*nl));
			if (!nl)
				return -ENOMEM;
			w->labels = nl;
			nl[w->nlabels].key = nsx_strdup(k);
			nl[w->nlabels].value = nsx_strdup(json_object_get_string(v));
			w->nlabels++;
			if (!nl[w->nlabels - 1].key || !nl[w->nlabels - 1].value)
				return -ENOMEM;
		}
	}
	return 0;
}

int
nsx_inventory_load(struct nsx_model *m, const char *file, struct diag *d)
{
	static const char *const f[] = { "workloads", NULL };
	struct json_object *root = NULL;
	struct json_cur c, a, e;
	int rc;

	if ((rc = json_doc_load(file, NSX_MAX_FILE_BYTES, &root, d)))
		return rc;
	json_cur_root(&c, root, d);
	rc = json_check_keys(&c, f, NULL);
	if (!rc)
		rc = json_get_arr(&c, "workloads", true, &a);
	for (size_t i = 0; !rc && i < json_arr_len(&a); i++) {
		json_arr_at(&a, i, &e);
		rc = inv_workload(m, &e);
		for (size_t k = 0; !rc && k + 1 < m->nwl; k++)
			if (!strcmp(m->wl[k].name, m->wl[m->nwl - 1].name))
				rc = json_cur_fail(&e, -EINVAL, "duplicate workload name '%.60s'",
				    m->wl[k].name);
	}
	json_object_put(root);
	return rc;
}
