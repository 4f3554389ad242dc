#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# IPAM benchmark (make bench): machine facts, then bench-ipam's figures with their
# anchors (see bench/ipam/bench_ipam.c). Needs etcd (Debian etcd-server).
set -eu
top=${CUTOVER_TOP:?run through make bench}
echo "machine: $(nproc) cores, $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)," \
	"$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r)"
echo "/tmp: $(df -T /tmp | awk 'NR == 2 { print $2 }') (SQLite file and etcd data dir)"
echo "sqlite $(pkg-config --modversion sqlite3) (WAL, synchronous=FULL)," \
	"$(etcd --version | head -1), date $(date -u +%F)"
"$top/build/bin/bench-ipam" "$@"
