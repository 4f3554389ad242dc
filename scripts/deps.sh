#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install every Debian package cutover needs to build, test, benchmark and demo.
# Idempotent: when all packages are present it only runs dpkg-query and exits.
# apt-get update runs only when something is missing. Needs root to install.
set -eu

PKGS=(
	# toolchain
	build-essential pkg-config clang llvm lld bpftool libbpf-dev libelf-dev zlib1g-dev
	libclang-rt-14-dev cppcheck
	# libraries
	libevent-dev libjson-c-dev libsqlite3-dev libcurl4-openssl-dev libxml2-dev
	libnl-3-dev libnl-route-3-dev libyaml-dev libcmocka-dev
	# lab, tests and benchmarks
	iproute2 iptables iputils-ping procps psmisc bird2 etcd-server etcd-client sqlite3
	containernetworking-plugins bgpdump socat netcat-openbsd curl python3
	python3-yaml python3-jsonschema gnuplot-nox
)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: run as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The bird2 and etcd-server packages start system services; cutover runs its own
# instances inside namespaces and never wants the system ones.
for svc in bird etcd; do
	if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
		systemctl stop "$svc" || true
		systemctl disable "$svc" >/dev/null 2>&1 || true
	fi
done
echo "deps.sh: done" >&2
