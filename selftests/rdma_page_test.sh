#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Two-host RDMA selftest: in a pair of sandbox hosts joined by Soft-RoCE
# (tools/sandbox -H 2), host 0 runs rdma_page as the server on DORMANT_IP
# and host 1 as the client of DORMANT_PEER_IP, which RDMA WRITEs a page
# that the server checks. Host 1 also checks that bad command lines are
# refused with a usage message (exit 2). Skips (exit 4) without rxe0 or a
# peer.
#
#   tools/sandbox -H 2 -- 'sh selftests/rdma_page_test.sh'
set -u
. "$(dirname "$0")/lib.sh"

bin="$top/build/selftests/rdma_page"
# Both hosts boot at about the same time; the client retries until the
# server listens, so one timeout covers boot skew and a slow (TCG) run.
timeout=${RDMA_PAGE_TIMEOUT:-120}
host=${DORMANT_HOST:-}
peer=${DORMANT_PEER_IP:-}
ip=${DORMANT_IP:-}

skip_one() {
	tap_plan 1
	skip "rdma: page exchange with the peer" "$1"
	exit $KSFT_SKIP
}

[ -n "$peer" ] || skip_one "no peer host (DORMANT_PEER_IP is empty)"
command -v rdma >/dev/null 2>&1 || skip_one "no rdma command (iproute2)"
rdma link show 2>/dev/null | grep -q 'rxe0' || skip_one "no Soft-RoCE device rxe0"

# run_page DESCRIPTION ARGS...: rdma_page must exit 0; its output as diagnostics.
run_page() {
	desc=$1
	shift
	out=$("$bin" "$@" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	if [ $rc = 0 ]; then
		ok "$desc"
	else
		not_ok "$desc (exit $rc)"
	fi
}

# usage_case ARGS...: rdma_page must refuse with exit 2, a usage message on
# stderr and nothing on stdout.
usage_case() {
	errf=$(mktemp) || { not_ok "rdma: mktemp for 'rdma_page $*'"; return; }
	so=$("$bin" "$@" 2>"$errf")
	rc=$?
	if [ $rc = 2 ] && [ -z "$so" ] && grep -q '^usage: ' "$errf"; then
		ok "rdma: 'rdma_page $*' is refused with a usage message (exit 2)"
	else
		sed 's/^/# /' "$errf"
		[ -n "$so" ] && printf '%s\n' "$so" | sed 's/^/# stdout: /'
		not_ok "rdma: 'rdma_page $*' is refused with a usage message (exit $rc, want 2)"
	fi
	rm -f "$errf"
}

case "$host" in
0)
	tap_plan 1
	if [ ! -x "$bin" ]; then
		not_ok "rdma: server received and verified a 4 KiB RDMA WRITE from the peer # no $bin: run make selftests"
		tap_exit
	fi
	run_page "rdma: server received and verified a 4 KiB RDMA WRITE from the peer" \
		-s -a "$ip" -t "$timeout"
	;;
1)
	tap_plan 5
	if [ ! -x "$bin" ]; then
		for i in 1 2 3 4 5; do
			not_ok "rdma: client test $i # no $bin: run make selftests"
		done
		tap_exit
	fi
	run_page "rdma: client wrote a page the peer verified" \
		-c "$peer" -t "$timeout"
	usage_case -c
	usage_case -c "$peer" -p 99999
	usage_case -s -c "$peer"
	usage_case -c "$peer" extra
	;;
*)
	tap_plan 1
	not_ok "rdma: DORMANT_HOST is 0 or 1 (it is '$host')"
	;;
esac
tap_exit
