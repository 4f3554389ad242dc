#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bundle contract between nsx-import and the datapath: every bundle nsx-import
# emits for the NSX fixtures parses and compiles (`cutover policy check`), and a
# corrupted one is refused with its JSON path.
set -eu
BIN=$CUTOVER_TOP/build/asan/bin/cutover
FIX=$CUTOVER_TOP/tests/fixtures/nsx
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cutover-dpnsx-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
n=0
for pair in "nsxt-hapi-2-tier-app.json inventory-2tier.json" \
	"nsxt-hapi-3-tier-app.json inventory-3tier.json"; do
	set -- $pair
	[ -f "$FIX/$1" ] && [ -f "$FIX/$2" ] || continue
	"$BIN" nsx-import --format bundle --inventory "$FIX/$2" "$FIX/$1" \
		> "$WORK/b.json" 2>/dev/null || [ $? -eq 1 ]	# 1 = translated with gaps
	"$BIN" policy check "$WORK/b.json" | tee "$WORK/check.out"
	grep -q ": valid; " "$WORK/check.out"
	n=$((n + 1))
done
[ "$n" -ge 1 ]
# break it: the parser names the place
python3 - "$WORK/b.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))
b["endpoints"][0]["rules"][0]["action"] = "permit"
json.dump(b, open(sys.argv[1], "w"))
PY
set +e
"$BIN" policy check "$WORK/b.json" 2> "$WORK/err"
rc=$?
set -e
[ $rc -eq 2 ]
grep -q '\$.endpoints\[0\].rules\[0\].action: "permit" is not one of: allow, deny' "$WORK/err"
echo "datapath_nsx_bundle: ok ($n bundles)"
