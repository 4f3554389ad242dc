#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs last in `make test`: runs the demo (what `make demo` runs), then asserts that
# neither the demo nor any earlier test of this run left a namespace, a BIRD or other
# lab process, or a pinned BPF object behind.
set -eu
. "$CUTOVER_TOP/tests/lab/lab.sh"

bash "$CUTOVER_TOP/scripts/demo.sh" > "${TMPDIR:-/tmp}/cutover-demo-$CUTOVER_RUN.log" 2>&1 || {
	tail -40 "${TMPDIR:-/tmp}/cutover-demo-$CUTOVER_RUN.log"
	echo "demo failed" >&2
	exit 1
}
rm -f "${TMPDIR:-/tmp}/cutover-demo-$CUTOVER_RUN.log"
left=$(lab_leftovers "$CUTOVER_RUN")
if [ -n "$left" ]; then
	echo "left behind by this run ($CUTOVER_RUN):" >&2
	echo "$left" >&2
	exit 1
fi
echo "no leftovers for run $CUTOVER_RUN"
