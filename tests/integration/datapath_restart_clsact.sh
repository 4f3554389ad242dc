#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# datapath_restart.sh with the attach mode forced to clsact (cutoverd config
# "attach: clsact"): filters on clsact instead of tcx links, adopted across a
# SIGKILL restart without losing a packet.
set -eu
DP_TEST_ATTACH=clsact exec bash "$CUTOVER_TOP/tests/integration/datapath_restart.sh"
