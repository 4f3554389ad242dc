#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Keeps the documentation true: every docs/examples/*.yaml must pass
# `cutoverd --check-config`, and docs/config.md must embed docs/examples/cutoverd.yaml
# verbatim. A broken copy of the example must be refused with its key path, so the
# check cannot pass vacuously. Pure file checks: no namespaces, no daemon.
set -eu

top=${CUTOVER_TOP:?CUTOVER_TOP not set}
bin=$top/build/asan/bin/cutoverd
[ -x "$bin" ] || { echo "docs_config: $bin missing (make build/asan/bin/cutoverd)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
for f in "$top"/docs/examples/*.yaml; do
	[ -e "$f" ] || { echo "docs_config: no docs/examples/*.yaml" >&2; exit 1; }
	if ! "$bin" --check-config "$f" >"$tmp/out" 2>&1; then
		echo "docs_config: FAIL $f:" >&2
		cat "$tmp/out" >&2
		exit 1
	fi
	n=$((n + 1))
done

# docs/config.md shows the full example: it must be the same text as the file.
ex=$top/docs/examples/cutoverd.yaml
awk '/^<!-- example:begin -->$/ { on = 1; next } /^<!-- example:end -->$/ { on = 0 }
	on && !/^```/' "$top/docs/config.md" >"$tmp/embedded.yaml"
if ! cmp -s "$tmp/embedded.yaml" "$ex"; then
	echo "docs_config: docs/config.md's example differs from docs/examples/cutoverd.yaml:" >&2
	diff -u "$ex" "$tmp/embedded.yaml" >&2 || true
	exit 1
fi

# Negative control: an out-of-range value in the example must be refused, naming the key.
sed 's/^\(      hold-time:\) 9$/\1 2/' "$ex" >"$tmp/bad.yaml"
cmp -s "$ex" "$tmp/bad.yaml" && { echo "docs_config: mutation did not apply" >&2; exit 1; }
if "$bin" --check-config "$tmp/bad.yaml" >"$tmp/out" 2>&1; then
	echo "docs_config: a hold-time of 2 was accepted" >&2
	exit 1
fi
grep -q 'bgp.peers\[0\].hold-time' "$tmp/out" || {
	echo "docs_config: error does not name the key:" >&2; cat "$tmp/out" >&2; exit 1; }

echo "docs_config: $n example(s) pass --check-config; config.md matches; bad copy refused"
