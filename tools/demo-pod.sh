#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo-pod: tools/demo-pod-host.sh in two sandbox hosts joined by
# Soft-RoCE, on the newest kernel series (KVERS picks another): a stock
# QEMU/KVM guest boots on host b with its memory owned by host a.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. tools/lib.sh
kver=$(kernels | tail -n 1)
[ -n "$kver" ] || { echo "make demo-pod: no kernel headers installed: run 'make deps'" >&2; exit 1; }
exec tools/sandbox -k "$kver" -H 2 -m 4096 -t 1800 -- \
	"DEMO_POD_RAM=${DEMO_POD_RAM:-2G} sh tools/demo-pod-host.sh"
