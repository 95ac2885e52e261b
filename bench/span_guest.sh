#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /guest.sh of make bench's span part (bench/span.sh): a fixed region of
# the guest's memory (a 32 MiB file in the initramfs' rootfs, i.e. page
# cache in guest RAM) rewritten with data that are not zero (32 copies of
# 1 MiB of random data: a page of zeros may move as a dormant page) and
# read back, over and over. Each pass prints "PASS N MS UPTIME": its
# number, how long it took by the guest's own clock (ms; /proc/uptime
# counts in 10 ms steps) and the guest's uptime at its end (s). The
# guest's clock stands still while a migration has it paused, so MS is
# the guest's run time, faults on moved pages included.
now() { read -r up _ < /proc/uptime; echo "$up"; }
dd if=/dev/urandom of=/chunk bs=1M count=1 2>/dev/null || exit 1
chunks=
for _ in $(seq 1 32); do chunks="$chunks /chunk"; done
# shellcheck disable=SC2086 # one word per copy
cat $chunks > /region || exit 1
i=0
while :; do
	t0=$(now)
	# shellcheck disable=SC2086
	cat $chunks | dd of=/region bs=1M conv=notrunc 2>/dev/null
	cat /region > /dev/null
	t1=$(now)
	echo "PASS $i $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 + 0.5 }') $t1"
	i=$((i + 1))
done
