#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# IPAM concurrency on a real etcd (Debian etcd-server): etcd runs in its own lab
# namespace; two node namespaces reach it over veths and each runs an allocator
# (ipam-load) taking 5,000 addresses from the same pool at the same time — 10,000
# in all, both scanning from the same start so they really contend. Then: no
# address twice, every acknowledged allocation in etcd with the right node, the
# conflict path exercised. A second, smaller round does the same on a block pool
# (per-node /26 blocks claimed by compare-and-swap) and checks the blocks are
# disjoint and each node's advertise set covers only its own addresses.
set -eu
top=${CUTOVER_TOP:?run through make test}
bin=$top/build/asan/bin
. "$top/tests/lab/lab.sh"
lab_init ipam-etcd
export ASAN_OPTIONS=detect_leaks=0
PER_NODE=${IPAM_ETCD_PER_NODE:-5000}

lab_mkns etcd
lab_mkns node-a
lab_mkns node-b
lab_veth etcd ea node-a e0
lab_veth etcd eb node-b e0
lab_exec etcd ip addr add 10.254.1.1/24 dev ea
lab_exec etcd ip addr add 10.254.2.1/24 dev eb
lab_exec node-a ip addr add 10.254.1.2/24 dev e0
lab_exec node-b ip addr add 10.254.2.2/24 dev e0

# etcd's data on tmpfs keeps the test fast; durability is the SQLite test's subject
data=$(mktemp -d /dev/shm/cutover-lab-ipam-etcd-XXXXXX)
trap 'lab_down; rm -rf "$data"' EXIT
port=$((20000 + RANDOM % 20000))
lab_exec etcd etcd --name default --data-dir "$data/etcd" \
	--listen-client-urls "http://10.254.1.1:$port,http://10.254.2.1:$port" \
	--advertise-client-urls "http://10.254.1.1:$port" \
	--listen-peer-urls "http://127.0.0.1:$((port + 1))" \
	--initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
	--initial-cluster "default=http://127.0.0.1:$((port + 1))" \
	--log-level error > "$data/etcd.log" 2>&1 &
url_a="etcd://10.254.1.1:$port"
url_b="etcd://10.254.2.1:$port"
lab_wait 20 lab_exec node-a "$bin/cutover" ipam --store "$url_a" pools >/dev/null

lab_exec node-a "$bin/cutover" ipam --store "$url_a" pools add --name shared \
	--cidr 10.160.0.0/18 --block 32 >/dev/null
lab_exec node-a "$bin/cutover" ipam --store "$url_a" pools add --name blocks \
	--cidr 10.170.0.0/20 --block 26 >/dev/null

t0=$(date +%s.%N)
lab_exec node-a "$bin/ipam-load" --store "$url_a" --node node-a --pool shared \
	--count "$PER_NODE" --cid-prefix a > "$LAB_DIR/a.out" 2> "$LAB_DIR/a.err" &
pa=$!
lab_exec node-b "$bin/ipam-load" --store "$url_b" --node node-b --pool shared \
	--count "$PER_NODE" --cid-prefix b > "$LAB_DIR/b.out" 2> "$LAB_DIR/b.err" &
pb=$!
wait $pa || { cat "$LAB_DIR/a.err"; exit 1; }
wait $pb || { cat "$LAB_DIR/b.err"; exit 1; }
t1=$(date +%s.%N)
echo "shared pool: $((2 * PER_NODE)) allocations by two nodes in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s"

lab_exec node-a "$bin/ipam-load" --store "$url_a" --node node-a --pool blocks \
	--count 300 --cid-prefix ba > "$LAB_DIR/ba.out" 2> "$LAB_DIR/ba.err" &
pa=$!
lab_exec node-b "$bin/ipam-load" --store "$url_b" --node node-b --pool blocks \
	--count 300 --cid-prefix bb > "$LAB_DIR/bb.out" 2> "$LAB_DIR/bb.err" &
pb=$!
wait $pa || { cat "$LAB_DIR/ba.err"; exit 1; }
wait $pb || { cat "$LAB_DIR/bb.err"; exit 1; }

lab_exec node-a "$bin/cutover" ipam --store "$url_a" show --json > "$LAB_DIR/show.json"
lab_exec node-a "$bin/cutover" ipam --store "$url_a" show --advertise --node node-a --json \
	> "$LAB_DIR/adv-a.json"
lab_exec node-b "$bin/cutover" ipam --store "$url_b" show --advertise --node node-b --json \
	> "$LAB_DIR/adv-b.json"
python3 - "$LAB_DIR" "$PER_NODE" <<'PY'
import ipaddress, json, sys
d, per = sys.argv[1], int(sys.argv[2])
def acks(name):
    out = {}
    for line in open("%s/%s.out" % (d, name)):
        p = line.split()
        if p[0] == "ACK":
            out[p[1]] = p[2]
    return out
leases = json.load(open(d + "/show.json"))["leases"]
ips = [l["ip"] for l in leases]
assert len(ips) == len(set(ips)), "an address is held twice in etcd"
held = {l["cid"]: (l["ip"], l["node"]) for l in leases}
for name, node, n in (("a", "node-a", per), ("b", "node-b", per),
                      ("ba", "node-a", 300), ("bb", "node-b", 300)):
    a = acks(name)
    assert len(a) == n, "%s: %d of %d acknowledged" % (name, len(a), n)
    for cid, ip in a.items():
        assert held.get(cid) == (ip, node), "%s: %s -> %s not in etcd" % (name, cid, ip)
sa, sb = set(acks("a").values()), set(acks("b").values())
assert not sa & sb, "collision: %r" % list(sa & sb)[:5]
# both scan from the same start: they met (conflicts) and interleave
conf = [int(open("%s/%s.out" % (d, n)).read().split("DONE")[1].split()[2]) for n in ("a", "b")]
order = ["a" if i in sa else "b" for i in sorted(sa | sb, key=ipaddress.ip_address)]
switches = sum(1 for x, y in zip(order, order[1:]) if x != y)
print("compare-and-swap conflicts: node-a %d, node-b %d; %d interleavings" % (conf[0], conf[1], switches))
assert sum(conf) > 0 and switches > 10, "the allocators never contended"
# blocks: disjoint /26s, advertise sets cover only own addresses
own = {"node-a": set(acks("ba").values()), "node-b": set(acks("bb").values())}
for node, f in (("node-a", "adv-a"), ("node-b", "adv-b")):
    nets = [ipaddress.ip_network(p) for p in json.load(open("%s/%s.json" % (d, f)))["advertise"]]
    other = own["node-b" if node == "node-a" else "node-a"]
    for ip in own[node]:
        assert any(ipaddress.ip_address(ip) in n for n in nets), "%s: %s not advertised" % (node, ip)
    for ip in other:
        assert not any(ipaddress.ip_address(ip) in n for n in nets), "%s advertises %s" % (node, ip)
    print("%s advertises %d prefixes, e.g. %s" % (node, len(nets), " ".join(str(n) for n in nets[-3:])))
print("%d leases in etcd, %d + %d shared-pool allocations, no collision" % (len(leases), len(sa), len(sb)))
PY
echo ok
