#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo-span: tools/demo-span-host.sh in two sandbox hosts joined by
# Soft-RoCE, on the newest kernel series (KVERS picks another): guests of
# each size in DEMO_SPAN_SIZES (default "1G 8G") boot on host a and move
# live to host b; then one line per size with what the move cost.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. tools/lib.sh
kver=$(kernels | tail -n 1)
[ -n "$kver" ] || { echo "make demo-span: no kernel headers installed: run 'make deps'" >&2; exit 1; }
sizes=${DEMO_SPAN_SIZES:-1G 8G}
run=$(mktemp -d "$top/build/runs/demo-span.XXXXXX") || exit 1
tools/sandbox -k "$kver" -H 2 -m 3072 -t 2400 -o "$run" -- \
	"DEMO_SPAN_SIZES='$sizes' sh tools/demo-span-host.sh"
rc=$?
[ $rc = 0 ] || { echo "make demo-span: failed ($rc); the run's files are in $run" >&2; exit $rc; }
for s in $sizes; do
	read -r total down stream < "$run/host0/out/move-$s" &&
	read -r bytes bad < "$run/host1/out/pages-$s" || {
		echo "make demo-span: no figures for the $s guest in $run" >&2
		exit 1
	}
	printf '%4s guest  move: downtime %s ms, stream %s KB, page data %s MiB (total %s ms)\n' \
		"$s" "$down" "$stream" "$((bytes >> 20))" "$total"
done
