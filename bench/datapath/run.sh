#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Datapath benchmarks, one run, ratios against anchors measured in this run:
#  1. verdict cost per packet (BPF_PROG_TEST_RUN, repeat) at 10, 1k, 100k, 1M policy
#     and ipcache entries; anchor: 10 entries (target: 1M <= 1.2x).
#  2. TCP connect/request/response rate and CPU between two pods on a node: an
#     iptables chain of N rules (the old CNI's per-pod chain, conntrack first) against
#     the eBPF datapath with the same N rules, N = 10, 1000, 10000; anchor: no policy
#     (target at 10k: eBPF >= 10x iptables).
#  3. one rule change at N = 10,000: iptables-restore of the table vs one map update
#     (and a whole bundle apply by diff).
# Writes build/bench-logs/datapath*.dat and datapath.png; docs/benchmarks.md quotes a run
# (its plot is a copy of datapath.png in docs/img/).
set -eu
. "$CUTOVER_TOP/tests/lab/lab.sh"
lab_init dpbench
B=$CUTOVER_TOP/build/bin
OUT=$CUTOVER_TOP/build/bench-logs
mkdir -p "$OUT"
PIN=/sys/fs/bpf/cutover-bench-$CUTOVER_RUN-$$
SECS=${DP_BENCH_SECS:-2}
export CUTOVER_BPF_ROOT=$PIN-live
node() { nsenter --net="/run/netns/$(lab_ns node)" "$@"; }
cleanup() {
	node "$B/cutover" policy unload >/dev/null 2>&1 || true
	rm -rf "$PIN-v" "$PIN-u" "$PIN-live"
	lab_down
}
trap cleanup EXIT

echo "== 1. verdict cost per packet (BPF_PROG_TEST_RUN, median of 7 x 200k runs)"
"$B/dp_bench" verdict "$PIN-v" | tee "$LAB_DIR/verdict.txt"
rm -rf "$PIN-v"
v10=$(awk '/^verdict_ns_10 /{print $2}' "$LAB_DIR/verdict.txt")
for n in 10 1000 100000 1000000; do
	v=$(awk -v k="verdict_ns_$n" '$1==k{print $2}' "$LAB_DIR/verdict.txt")
	awk -v n="$n" -v v="$v" -v a="$v10" 'BEGIN{printf "  %8d entries: %4d ns/packet  ratio %.2fx of 10\n", n, v, v/a}'
done

echo "== 3. one rule change at N=10000"
"$B/dp_bench" update "$PIN-u" | tee "$LAB_DIR/update.txt"
rm -rf "$PIN-u"

lab_up_router
lab_add_node node 1
lab_add_pod node web 10.40.0.10
lab_add_pod node cli 10.40.0.20

# iptables table of the old CNI: FORWARD dispatches to the pod's chain; conntrack
# first; N-1 rules that do not match the client, then the one that does; drop.
ipt_table() {	# N [changed] [stateless]
	python3 - "$1" "${2:-0}" "${3:-}" <<'PY'
import sys
n, changed, stateless = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "stateless"
print("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:cali-tw-web - [0:0]")
print("-A FORWARD -o p-web -j cali-tw-web")
if not stateless:
    print("-A cali-tw-web -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
    print("-A cali-tw-web -m conntrack --ctstate INVALID -j DROP")
for i in range(n - 1):
    port = 9000 if i != changed else 9001
    print("-A cali-tw-web -s 10.99.%d.%d/32 -p tcp -m tcp --dport %d -j ACCEPT" % (i // 250, i % 250 + 1, port))
print("-A cali-tw-web -s 10.40.0.20/32 -p tcp -m tcp --dport 9000 -j ACCEPT")
print("-A cali-tw-web -j DROP")
print("COMMIT")
PY
}
bundle() {	# N
	python3 - "$1" <<'PY'
import json, sys
n = int(sys.argv[1])
ids = [{"id": 256, "name": "bench/web"}, {"id": 257, "name": "bench/cli"}]
cidrs, rules = [], []
for i in range(n - 1):
    ids.append({"id": 1000 + i, "name": "peer%d" % i})
    cidrs.append({"cidr": "10.99.%d.%d/32" % (i // 250, i % 250 + 1), "identity": 1000 + i})
    rules.append({"direction": "ingress", "peer": 1000 + i, "protocol": "tcp", "port": 9000, "action": "allow", "ref": "r%d" % i})
rules.append({"direction": "ingress", "peer": 257, "protocol": "tcp", "port": 9000, "action": "allow", "ref": "cli"})
b = {"version": 1, "identities": ids, "cidrs": cidrs, "endpoints": [
    {"id": 1, "name": "bench/web-0", "identity": 256, "interface": "p-web", "ips": ["10.40.0.10"], "rules": rules},
    {"id": 2, "name": "bench/cli-0", "identity": 257, "interface": "p-cli", "ips": ["10.40.0.20"]}]}
json.dump(b, sys.stdout)
PY
}
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat; }
crr1() {	# [client|rr] -> "tps cpu_us_per_txn"
	local b0 b1 out tps
	b0=$(busy)
	out=$(lab_exec pod-cli "$B/dp_rr" "${1:-client}" 10.40.0.10 9000 "$SECS")
	b1=$(busy)
	tps=$(echo "$out" | awk '/^tps/{print $2}')
	# CPU time (all cores, jiffies=10ms) per transaction, in microseconds
	echo "$b0 $b1 $tps $SECS" | awk '{ cpu=($3-$1)*10000; n=$5*$6; printf "%s %.1f\n", $5, (n>0?cpu/n:0) }'
}
crr() {	# median (by rate) of three runs: the machine is shared
	{ crr1 "$@"; crr1 "$@"; crr1 "$@"; } | sort -n | sed -n 2p
}

lab_exec pod-web "$B/dp_rr" server 10.40.0.10 9000 &
lab_wait 10 sh -c "ip netns exec $(lab_ns pod-cli) $B/dp_rr client 10.40.0.10 9000 0.1 >/dev/null"

echo "== 2. TCP connect/request/response, new connection each (median of 3 x ${SECS}s), CPU us per transaction (whole machine)"
crr1 >/dev/null	# warm-up (ARP, caches, CPU frequency)
read -r t0 c0 < <(crr)
echo "  anchor (no policy): $t0 tps, $c0 us CPU/txn"
: > "$OUT/datapath.dat"
for n in 10 1000 10000; do
	ipt_table "$n" > "$LAB_DIR/ipt-$n.txt"
	node iptables-restore < "$LAB_DIR/ipt-$n.txt"
	read -r ti ci < <(crr)
	node iptables -F
	node iptables -X cali-tw-web
	bundle "$n" > "$LAB_DIR/b-$n.json"
	node "$B/cutover" policy apply "$LAB_DIR/b-$n.json" >/dev/null
	read -r tb cb < <(crr)
	node "$B/cutover" policy unload >/dev/null
	echo "$n $ti $tb $ci $cb" >> "$OUT/datapath.dat"
	awk -v n="$n" -v ti="$ti" -v tb="$tb" -v ci="$ci" -v cb="$cb" -v t0="$t0" 'BEGIN{
	    printf "  N=%5d  iptables %6d tps (%.2fx anchor, %5.1f us CPU)   eBPF %6d tps (%.2fx anchor, %5.1f us CPU)   eBPF/iptables %.1fx\n",
	    n, ti, ti/t0, ci, tb, tb/t0, cb, tb/ti }'
done

echo "== 2b. request/response on one connection, iptables chain without the conntrack shortcut (every packet walks the chain) vs eBPF (policy on every packet)"
crr1 rr >/dev/null
read -r r0 rc0 < <(crr rr)
echo "  anchor (no policy): $r0 tps, $rc0 us CPU/txn"
: > "$OUT/datapath-rr.dat"
for n in 10 1000 10000; do
	ipt_table "$n" 0 stateless > "$LAB_DIR/ipts-$n.txt"
	node iptables-restore < "$LAB_DIR/ipts-$n.txt"
	read -r ti ci < <(crr rr)
	node iptables -F
	node iptables -X cali-tw-web
	node "$B/cutover" policy apply "$LAB_DIR/b-$n.json" >/dev/null
	read -r tb cb < <(crr rr)
	node "$B/cutover" policy unload >/dev/null
	echo "$n $ti $tb $ci $cb" >> "$OUT/datapath-rr.dat"
	awk -v n="$n" -v ti="$ti" -v tb="$tb" -v ci="$ci" -v cb="$cb" -v t0="$r0" 'BEGIN{
	    printf "  N=%5d  iptables %6d tps (%.2fx anchor, %5.1f us CPU)   eBPF %6d tps (%.2fx anchor, %5.1f us CPU)   eBPF/iptables %.1fx\n",
	    n, ti, ti/t0, ci, tb, tb/t0, cb, tb/ti }'
done

echo "== 3b. iptables-restore of the 10000-rule table with one rule changed"
ipt_table 10000 > "$LAB_DIR/ipt-a.txt"
ipt_table 10000 5000 > "$LAB_DIR/ipt-b.txt"
node iptables-restore < "$LAB_DIR/ipt-a.txt"
for i in 1 2 3 4 5; do
	s=$(date +%s%N)
	node iptables-restore < "$LAB_DIR/ipt-b.txt"
	e=$(date +%s%N)
	echo $(( (e - s) / 1000 ))
	node iptables-restore < "$LAB_DIR/ipt-a.txt"
done | sort -n | sed -n 3p > "$LAB_DIR/ipt-us.txt"
node iptables -F; node iptables -X cali-tw-web
ipt_us=$(cat "$LAB_DIR/ipt-us.txt")
map_ns=$(awk '/^update_map_ns/{print $2}' "$LAB_DIR/update.txt")
sync_ms=$(awk '/^update_sync_ms/{print $2}' "$LAB_DIR/update.txt")
awk -v i="$ipt_us" -v m="$map_ns" -v s="$sync_ms" 'BEGIN{
    printf "  iptables-restore: %.2f ms   one map update: %.1f us (%.0fx faster)   whole bundle diff+apply: %.1f ms (%.1fx faster)\n",
    i/1000, m/1000, i*1000/m, s, i/1000/s }'

# plot
awk '/^verdict_ns_/{sub("verdict_ns_","",$1); print $1, $2}' "$LAB_DIR/verdict.txt" > "$OUT/datapath-verdict.dat"
if command -v gnuplot >/dev/null; then
	gnuplot <<GP
set terminal pngcairo size 1100,420 font ",10" noenhanced
set output "$OUT/datapath.png"
set multiplot layout 1,2
set logscale x
set xlabel "policy + ipcache entries"
set ylabel "ns per packet (BPF_PROG_TEST_RUN)"
set yrange [0:*]
set title "eBPF verdict cost vs map size"
plot "$OUT/datapath-verdict.dat" using 1:2 with linespoints lw 2 title "cutover datapath"
set xlabel "policy rules for the pod (N)"
set ylabel "TCP connect/request/response per second"
set title "pod-to-pod request/response rate"
set key bottom left
set ylabel "transactions per second"
set logscale y
set yrange [*:*]
plot "$OUT/datapath.dat" using 1:2 with linespoints lw 2 title "new conn: iptables (conntrack first)", \
     "$OUT/datapath.dat" using 1:3 with linespoints lw 2 title "new conn: eBPF", \
     "$OUT/datapath-rr.dat" using 1:2 with linespoints lw 2 title "persistent: iptables (per packet)", \
     "$OUT/datapath-rr.dat" using 1:3 with linespoints lw 2 title "persistent: eBPF"
unset multiplot
GP
	echo "plot: $OUT/datapath.png"
fi
