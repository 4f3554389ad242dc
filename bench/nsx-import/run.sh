#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nsx-import benchmark: generate a large NSX-T export (10,000 groups, 100,000 rules,
# 200 inventory workloads) and translate it; print wall time per phase and peak RSS
# against the targets (< 5 s, < 1 GiB), and the ratio to an anchor measured in the
# same run: the same pipeline on a 10x smaller export (1,000 groups, 10,000 rules).
# A ratio near 10 means the translation scales linearly with the export.
# The machine is shared: wall time depends on what else runs (the load average is
# printed), so the 5 s target is judged on the process's CPU time (user + sys).
# Sizes can be overridden: NSX_BENCH_GROUPS, NSX_BENCH_RULES, NSX_BENCH_WORKLOADS.
set -eu
top=${CUTOVER_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=$top/build/bin/cutover
gen=$top/build/bin/bench_nsx_gen
groups=${NSX_BENCH_GROUPS:-10000}
rules=${NSX_BENCH_RULES:-100000}
wls=${NSX_BENCH_WORKLOADS:-200}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cut-nsxbench-$$-XXXX")
trap 'rm -rf "$tmp"' EXIT

run() {	# name groups rules workloads -> sets secs (wall), cpu, rss_kib
	local name=$1
	"$gen" "$2" "$3" "$4" "$tmp/$name.json" "$tmp/$name-inv.json" 1
	local size
	size=$(stat -c %s "$tmp/$name.json")
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/$name.rss" "$bin" nsx-import "$tmp/$name.json" \
		--inventory "$tmp/$name-inv.json" -o "$tmp/$name-out" --timing 2> "$tmp/$name.err" || {
		cat "$tmp/$name.err"; exit 1; }
	read -r secs user sys rss_kib < <(tail -1 "$tmp/$name.rss")
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')
	printf '%-7s %6d groups %7d rules %4d workloads  export %6.1f MiB  wall %6.2f s  cpu %6.2f s  peak RSS %6.1f MiB\n' \
		"$name" "$2" "$3" "$4" "$(awk -v s="$size" 'BEGIN{print s/1048576}')" "$secs" "$cpu" \
		"$(awk -v k="$rss_kib" 'BEGIN{print k/1024}')"
	grep '^timing:' "$tmp/$name.err" | sed 's/^/        /'
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
run anchor $((groups / 10)) $((rules / 10)) "$wls"
anchor=$cpu
run full "$groups" "$rules" "$wls"
full=$cpu
full_rss=$rss_kib
echo "ratio full/anchor cpu (10x the export): $(awk -v a="$anchor" -v b="$full" 'BEGIN{printf "%.1f", b/a}')x"
ok=1
awk -v s="$full" 'BEGIN{exit !(s < 5)}' || ok=0
[ "$full_rss" -lt $((1024 * 1024)) ] || ok=0
if [ $ok -eq 1 ]; then
	echo "targets met: cpu $full s < 5 s (wall $secs s), $((full_rss / 1024)) MiB < 1024 MiB"
else
	echo "TARGET MISSED: cpu $full s (target < 5 s), $((full_rss / 1024)) MiB (target < 1024 MiB)"
	exit 1
fi
