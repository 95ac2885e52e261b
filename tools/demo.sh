#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: the main job, tools/demo-host.sh, in a sandbox host (10 GiB,
# two NUMA nodes) on the newest kernel series (KVERS picks another).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. tools/lib.sh
kver=$(kernels | tail -n 1)
[ -n "$kver" ] || { echo "make demo: no kernel headers installed: run 'make deps'" >&2; exit 1; }
exec tools/sandbox -k "$kver" -n 2 -m 10240 -t 1800 -- \
	"DEMO_RAM=${DEMO_RAM:-8G} sh tools/demo-host.sh"
