#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /guest.sh of the spanning guest (selftests/span_test.sh): 16 MiB of
# random data in the guest's memory and their sum, then, until the test
# ends the guest, over and over: check the sum, overwrite one MiB with new
# random data, take the new sum. The guest writes all the time while the
# test moves it between hosts; "SPAN_CHECK N bad B" counts the checks that
# found the memory changed behind the guest's back since it booted.
dd if=/dev/urandom of=/pattern bs=1M count=16 2>/dev/null || exit 1
sum=$(md5sum < /pattern)
echo "SPAN_SUM $sum"
bad=0
i=0
while :; do
	now=$(md5sum < /pattern)
	[ "$now" = "$sum" ] || bad=$((bad + 1))
	echo "SPAN_CHECK $i bad $bad"
	dd if=/dev/urandom of=/pattern bs=1M count=1 seek=$((i % 16)) \
		conv=notrunc 2>/dev/null
	sum=$(md5sum < /pattern)
	i=$((i + 1))
done
