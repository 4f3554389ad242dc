#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# BFD benchmarks (make bench BENCH=bfd): detection time against BIRD's BFD
# (bfd_detect.sh), then the BGP session teardown through cutoverd (bfd_bgp_teardown.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/bfd_detect.sh"
echo
bash "$here/bfd_bgp_teardown.sh"
