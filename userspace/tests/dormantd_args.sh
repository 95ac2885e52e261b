#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Garbage to dormantd's command line and pod file: each must be refused
# with status 2 and a message naming the bad value, before the daemon
# opens the module or the network. Runs on the build host (make check),
# TAP output.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/build/bin/dormantd"
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
n=0 failed=0

# refuse NAME NEEDLE ARGS...: dormantd ARGS exits 2 within 10 s, saying NEEDLE
refuse() {
	name=$1 needle=$2
	shift 2
	n=$((n + 1))
	timeout 10 "$bin" "$@" > "$work/out" 2>&1 < /dev/null
	rc=$?
	if [ $rc = 2 ] && grep -qF -- "$needle" "$work/out"; then
		echo "ok $n - dormantd: $name"
	else
		echo "not ok $n - dormantd: $name: status $rc (want 2), output:"
		sed 's/^/# /' "$work/out"
		failed=$((failed + 1))
	fi
}

cp "$top/Documentation/examples/pod.json" "$work/pod.json"
printf '{ "version": 1, "members": [ { "name": "a", "addr": "10.0.0.1" } ], "objects": [], "extra": 1 }' \
	> "$work/extra.json"
printf '{ "version": 1, "members": [ { "name": "a", "addr": "host.example" } ], "objects": [] }' \
	> "$work/hostname.json"
printf '{ "version": 1, ' > "$work/truncated.json"

echo "TAP version 13"
echo "1..16"
refuse "no arguments" "-p, -m and -d are needed"
refuse "no member" "-p, -m and -d are needed" -p "$work/pod.json" -d /tmp
refuse "an unknown option" "usage:" -p "$work/pod.json" -m a -d /tmp --frobnicate
refuse "a stray argument" "unexpected arguments" -p "$work/pod.json" -m a -d /tmp extra
refuse "timeout 0" "'0' is not a number of seconds" -p "$work/pod.json" -m a -d /tmp -t 0
refuse "timeout -1" "'-1' is not a number of seconds" -p "$work/pod.json" -m a -d /tmp -t -1
refuse "timeout 12x" "'12x' is not a number of seconds" -p "$work/pod.json" -m a -d /tmp -t 12x
refuse "timeout past a day" "'86401' is not a number of seconds" -p "$work/pod.json" -m a -d /tmp -t 86401
refuse "a missing pod file" "$work/none.json" -p "$work/none.json" -m a -d /tmp
refuse "a pod file with an unknown key" "extra" -p "$work/extra.json" -m a -d /tmp
refuse "a member address that is a host name" "members[0].addr" -p "$work/hostname.json" -m a -d /tmp
refuse "a truncated pod file" "truncated.json" -p "$work/truncated.json" -m a -d /tmp
refuse "a member the pod does not have" "has no member 'z'" -p "$work/pod.json" -m z -d /tmp
: > "$work/file"
refuse "a control path that is a file" "is not a socket: not removing it" \
	-p "$work/pod.json" -m a -d /tmp -c "$work/file"
refuse "a control path too long for a socket" "longer than 107 bytes" \
	-p "$work/pod.json" -m a -d /tmp -c "/$(printf '%0200d' 0)"
refuse "a control path in a missing directory" "$work/none/ctl.sock: No such file or directory" \
	-p "$work/pod.json" -m a -d /tmp -c "$work/none/ctl.sock"
[ $failed = 0 ]
