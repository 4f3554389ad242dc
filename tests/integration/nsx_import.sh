#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cutover nsx-import end to end on the real NSX fixtures (ASan binary): golden
# outputs, every emitted YAML valid against Cilium's CRD schemas, the checker finds
# no mismatch on exact rules and finds injected mistakes, exit codes 0/1/2, errors
# name file and position, no partial output on bad input. No network, no root.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top"
bin=$top/build/asan/bin/cutover
fx=tests/fixtures/nsx
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cut-nsx-$$-XXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. Goldens (the same cases make golden-update rewrites).
CUTOVER_BIN=$bin scripts/nsx-golden.sh

# 2. Every golden YAML passes the CRD schema check; the checker agrees.
for dir in tests/golden/nsx/*/; do
	tests/helpers/validate_cnp.py "$dir/cilium-policies.yaml" > "$tmp/v.out" ||
		{ cat "$tmp/v.out"; fail "$(basename "$dir"): invalid YAML"; }
	read -r -a args < "$dir/args"
	"$bin" nsx-import verify "${args[@]}" --against "$dir" --samples 50 > "$tmp/verify.out" ||
		{ tail -5 "$tmp/verify.out"; fail "$(basename "$dir"): verify found mismatches"; }
	for what in policy bundle; do
		grep -q "^verify: $what: [0-9]* flows, [0-9]* mismatches (0 on rules reported exact" \
			"$tmp/verify.out" ||
			fail "$(basename "$dir"): unexpected verify summary: $(cat "$tmp/verify.out")"
	done
done
echo "goldens valid and verified"

# 3. Injected mistakes are found and blamed on the deciding NSX rule.
g=tests/golden/nsx/nsxt-3tier-inventory
sed 's/port: "22"/port: "2222"/' "$g/cilium-policies.yaml" > "$tmp/bad1.yaml"
rc=0
"$bin" nsx-import verify "$fx/nsxt-hapi-3-tier-app.json" --inventory "$fx/inventory-3tier.json" \
	--against "$tmp/bad1.yaml" --samples 20 > "$tmp/bad1.out" || rc=$?
[ $rc -eq 1 ] || fail "injected port change not detected (rc=$rc)"
grep -q 'MISMATCH .* port=22: NSX DROP (rule /infra/domains/default/security-policies/Ops/rules/Allow-SSH' \
	"$tmp/bad1.out" || fail "mismatch does not name the deciding rule"
# Drop the deny section of one workload entirely.
awk '/name: nsx-vm-db-01/{db=1} db && /^  ingressDeny:/{skip=1; next} skip && /^  [a-z]/{skip=0} !skip' \
	"$g/cilium-policies.yaml" > "$tmp/bad2.yaml"
cmp -s "$g/cilium-policies.yaml" "$tmp/bad2.yaml" && fail "test setup: nothing removed"
rc=0
"$bin" nsx-import verify "$fx/nsxt-hapi-3-tier-app.json" --inventory "$fx/inventory-3tier.json" \
	--against "$tmp/bad2.yaml" --samples 20 > "$tmp/bad2.out" || rc=$?
[ $rc -eq 1 ] || fail "removed deny not detected"
grep -q 'MISMATCH db-01 ingress' "$tmp/bad2.out" || fail "removed deny: wrong endpoint blamed"
# The bundle is checked as well: widen one allow rule's port.
g2=tests/golden/nsx/nsxt-3tier-namespace
python3 - "$g2/bundle.json" "$tmp/bad3.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
for ep in b["endpoints"]:
    for r in ep["rules"]:
        if r.get("port") == 3306 and r["action"] == "allow":
            r["port"] = 3307
json.dump(b, open(sys.argv[2], "w"))
PY
rc=0
"$bin" nsx-import verify "$fx/nsxt-hapi-3-tier-app.json" --inventory "$fx/inventory-3tier.json" \
	--default drop --against "$tmp/bad3.json" --samples 20 > "$tmp/bad3.out" || rc=$?
[ $rc -eq 1 ] || fail "injected bundle mistake not detected"
grep -q 'MISMATCH db-01 ingress .* port=3306: NSX ALLOW (rule .*allow-mysql.*), bundle DROP' \
	"$tmp/bad3.out" || fail "bundle mismatch not blamed on allow-mysql"
echo "injected mistakes found"

# 4. Exit codes: --strict with gaps -> 1; exact -> 0; bad input -> 2.
rc=0; "$bin" nsx-import "$fx/nsxt-hapi-3-tier-app.json" --strict > /dev/null 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "--strict with gaps: rc=$rc"
rc=0; "$bin" nsx-import "$fx/nsxv-dfw-config-get.xml" --strict > /dev/null 2>&1 || rc=$?
[ $rc -eq 0 ] || fail "exact export with --strict: rc=$rc"
check_bad() {	# expected-substring file...
	local want=$1 rc=0; shift
	rm -rf "$tmp/out"
	"$bin" nsx-import "$@" -o "$tmp/out" > /dev/null 2> "$tmp/err" || rc=$?
	[ $rc -eq 2 ] || fail "bad input $*: rc=$rc"
	grep -qF -- "$want" "$tmp/err" || fail "bad input $*: message '$(cat "$tmp/err")' lacks '$want'"
	[ ! -e "$tmp/out/cilium-policies.yaml" ] || fail "partial output written for $*"
}
check_bad "nsxt-hapi-2-tier-app.json.tmpl:27:32: JSON syntax error" "$fx/nsxt-hapi-2-tier-app.json.tmpl"
printf '{"resource_type": "Group", "id": "g", "expresion": []}' > "$tmp/unk.json"
check_bad 'unk.json: $.expresion: unknown field' "$tmp/unk.json"
printf '<section id="1">\n<rule id="2"><action>allow</action>\n' > "$tmp/trunc.xml"
check_bad "trunc.xml:3:" "$tmp/trunc.xml"
printf '[{"resource_type":"Group","id":"a","expression":[{"resource_type":"PathExpression","paths":["/infra/domains/default/groups/a"]}]}]' > "$tmp/cyc.json"
check_bad "cycle of nested groups" "$tmp/cyc.json"
# Oversize input (sparse file: nothing is read).
truncate -s 300M "$tmp/huge.json"
check_bad "huge.json: file too large" "$tmp/huge.json"
printf '{"workloads": [{"name": "a", "ips": ["10.0.0.1/24"]}]}' > "$tmp/inv.json"
check_bad "inv.json: \$.workloads[0].ips[0]: not an IP address" "$fx/nsxv-dfw-config-get.xml" \
	--inventory "$tmp/inv.json"
# The good file is loaded first: still nothing written.
check_bad "unknown field" "$fx/nsxt-hapi-3-tier-app.json" "$tmp/unk.json"
rc=0; "$bin" nsx-import > /dev/null 2>&1 || rc=$?
[ $rc -eq 2 ] || fail "no arguments: rc=$rc"
"$bin" nsx-import --help | grep -q '^EXIT STATUS' || fail "--help is not a man page"
"$bin" help nsx-import | grep -q 'verify EXPORT' || fail "cutover help nsx-import"
echo "exit codes and errors ok"
