#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Check Cilium policy YAML against the CRD schemas in tests/fixtures/cilium/.

usage: validate_cnp.py FILE.yaml...

Every document must be cilium.io/v2 CiliumNetworkPolicy or
CiliumClusterwideNetworkPolicy, have a lowercase RFC 1123 metadata.name and match
the CRD's openAPIV3Schema (unknown fields are errors, as with kubectl's strict
field validation). Prints one line per document; exit 0 when all are valid,
1 when any is invalid, 2 on usage or read errors. Used by make test through
tests/integration/nsx_import.sh (tests must not read ../shared at run time).
"""
import ipaddress
import os
import re
import sys

try:
    import jsonschema
    import yaml
except ImportError as e:  # pragma: no cover
    print("validate_cnp.py: missing module: %s (apt-get install python3-yaml "
          "python3-jsonschema)" % e, file=sys.stderr)
    sys.exit(2)

HERE = os.path.dirname(os.path.realpath(__file__))
CRD_DIR = os.path.join(HERE, "..", "fixtures", "cilium")
CRDS = {
    "CiliumNetworkPolicy": "ciliumnetworkpolicies.yaml",
    "CiliumClusterwideNetworkPolicy": "ciliumclusterwidenetworkpolicies.yaml",
}
NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def to_jsonschema(node):
    """OpenAPI v3 (Kubernetes flavour) -> JSON Schema draft 7, strict objects."""
    if isinstance(node, list):
        return [to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, val in node.items():
        if key.startswith("x-kubernetes-") or key in ("description", "nullable"):
            continue
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {k: to_jsonschema(v) for k, v in val.items()}
        else:
            out[key] = to_jsonschema(val)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = out.get("anyOf", []) + [{"type": "integer"}, {"type": "string"}]
    if node.get("type") == "object" and "properties" in node \
            and not node.get("x-kubernetes-preserve-unknown-fields") \
            and "additionalProperties" not in node:
        out["additionalProperties"] = False
    if node.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True
    return out


def load_schema(kind):
    with open(os.path.join(CRD_DIR, CRDS[kind]), encoding="utf-8") as f:
        crd = yaml.safe_load(f)
    for version in crd["spec"]["versions"]:
        if version["name"] == "v2":
            return to_jsonschema(version["schema"]["openAPIV3Schema"])
    raise SystemExit("validate_cnp.py: no v2 schema in %s" % CRDS[kind])


FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("cidr", raises=ValueError)
def _cidr(value):
    if not isinstance(value, str) or "/" not in value:
        raise ValueError("not a CIDR")
    ipaddress.ip_network(value, strict=False)
    return True


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    validators = {}
    bad = 0
    for path in argv[1:]:
        try:
            with open(path, encoding="utf-8") as f:
                docs = list(yaml.safe_load_all(f))
        except (OSError, yaml.YAMLError) as e:
            print("validate_cnp.py: %s: %s" % (path, e), file=sys.stderr)
            return 2
        for i, doc in enumerate(docs, 1):
            if doc is None:
                continue
            errs = []
            kind = doc.get("kind") if isinstance(doc, dict) else None
            name = (doc.get("metadata") or {}).get("name", "?") if isinstance(doc, dict) else "?"
            if not isinstance(doc, dict) or doc.get("apiVersion") != "cilium.io/v2":
                errs.append("apiVersion must be cilium.io/v2")
            if kind not in CRDS:
                errs.append("kind must be one of %s" % ", ".join(sorted(CRDS)))
            else:
                if kind not in validators:
                    validators[kind] = jsonschema.Draft7Validator(load_schema(kind),
                                                                  format_checker=FORMATS)
                for e in validators[kind].iter_errors(doc):
                    where = "$" + "".join("[%d]" % p if isinstance(p, int) else "." + str(p)
                                          for p in e.absolute_path)
                    errs.append("%s: %s" % (where, e.message))
                if not isinstance(name, str) or not NAME_RE.match(name) or len(name) > 253:
                    errs.append("$.metadata.name: not a lowercase RFC 1123 subdomain")
            if errs:
                bad += 1
                print("INVALID %s#%d %s/%s: %s" % (path, i, kind, name, "; ".join(sorted(errs))))
            else:
                print("OK %s#%d %s/%s" % (path, i, kind, name))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
