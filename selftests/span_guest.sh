#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /guest.sh of the spanning guest (selftests/span_test.sh): 64 MiB of
# random data in the guest's memory, its sum, then the sum checked every
# second, 30 times, while the test moves the guest to the other
# host. Exit status 0 if every check matched.
checks=30
dd if=/dev/urandom of=/pattern bs=1M count=64 2>/dev/null || exit 1
sum=$(md5sum < /pattern)
echo "SPAN_SUM $sum"
bad=0
i=0
while [ $i -lt $checks ]; do
	now=$(md5sum < /pattern)
	[ "$now" = "$sum" ] || bad=$((bad + 1))
	echo "SPAN_CHECK $i bad $bad"
	i=$((i + 1))
	sleep 1
done
[ $bad = 0 ]
