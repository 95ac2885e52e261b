#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Two-host pod test: in a pair of sandbox hosts joined by Soft-RoCE
# (tools/sandbox -H 2), each runs the module and dormantd, members "a"
# (host 0) and "b" (host 1) of one pod. Object vm1 starts owned by a.
# a writes pages; b reads them (they come with their data), reads pages a
# never wrote (they come as ownership alone: no page data crosses the
# link), writes its own pattern; a reads that back. The hosts take turns
# through a mark in page 0 of vm1, which moves between them each time.
#
#   tools/sandbox -H 2 -- 'sh selftests/pod_test.sh'
set -u
. "$(dirname "$0")/lib.sh"

host=${DORMANT_HOST:-}
mem="$top/build/selftests/pod_mem"
daemon="$top/build/bin/dormantd"

[ -n "${DORMANT_PEER_IP:-}" ] || skip_all "no peer host (DORMANT_PEER_IP is empty)"
rdma link show 2>/dev/null | grep -q rxe0 || skip_all "no Soft-RoCE device rxe0"
require_root
require_module_file

case $host in
0) me=a ipa=$DORMANT_IP ipb=$DORMANT_PEER_IP; tap_plan 7 ;;
1) me=b ipa=$DORMANT_PEER_IP ipb=$DORMANT_IP; tap_plan 10 ;;
*) tap_plan 1; not_ok "pod: DORMANT_HOST is 0 or 1 (it is '$host')"; tap_exit ;;
esac

work=$(mktemp -d) || exit 1
mnt="$work/mnt"
mkdir "$mnt"
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid"
	umount "$mnt" 2>/dev/null
	unload_module
	rm -rf "$work"
}
trap cleanup EXIT

# The same bytes on both hosts: the members compare the file's hash.
cat > "$work/pod.json" <<EOF
{
  "version": 1,
  "members": [
    { "name": "a", "addr": "$ipa" },
    { "name": "b", "addr": "$ipb" }
  ],
  "objects": [
    { "name": "vm1", "size": "8M", "owner": "a" },
    { "name": "vm2", "size": "8M",
      "interleave": { "chunk": "2M", "members": ["a", "b"] } }
  ]
}
EOF

load_module || { not_ok "pod: insmod"; tap_exit; }
mount -t dormant none "$mnt" || { not_ok "pod: mount"; tap_exit; }
stats="$work/stats.json"
"$daemon" -p "$work/pod.json" -m $me -d "$mnt" -s "$stats" -t 120 \
	2> "$work/dormantd.log" &
pid=$!
up=0
for _ in $(seq 1 150); do
	grep -q 'pod up' "$work/dormantd.log" && { up=1; break; }
	kill -0 $pid 2>/dev/null || break
	sleep 1
done
check "pod: dormantd on $me connected to the other member" [ $up = 1 ]
if [ $up = 0 ]; then
	sed 's/^/# /' "$work/dormantd.log"
	tap_exit
fi

# counter NAME: a counter of this host's dormantd, fresh (SIGUSR1, then the
# file it rewrites).
counter() {
	rm -f "$stats"
	kill -USR1 $pid
	for _ in $(seq 1 50); do
		[ -s "$stats" ] && break
		sleep 0.1
	done
	grep -o "\"$1\": [0-9]*" "$stats" | head -n 1 | sed 's/.*: //'
}

# step DESCRIPTION pod_mem-ARGS...
step() {
	desc=$1
	shift
	if "$mem" "$mnt/vm1" "$@"; then ok "pod: $desc"; else not_ok "pod: $desc"; fi
}

if [ $me = a ]; then
	step "a writes 63 pages of vm1" write 1 63 1
	step "a marks page 0 for b" mark 0 0x600d
	step "b's mark comes back to a" wait 0 0xb0b 300
	step "the 63 pages b rewrote come back with b's data" check 1 63 2
	step "a says it is done" mark 0 0xd0e
	"$mem" "$mnt/vm1" wait 0 0xe0d 300 || diag "b did not acknowledge"
else
	d0=$(counter data_pages_in)
	p0=$(counter pages_in)
	step "64 pages a never wrote read as zero on b" zero 512 64
	d1=$(counter data_pages_in)
	p1=$(counter pages_in)
	good=0
	[ "$((p1 - p0))" = 64 ] && [ "$d1" = "$d0" ] && good=1
	check "pod: they came as 64 grants of ownership alone, no page data (pages $p0 -> $p1, with data $d0 -> $d1)" \
		[ $good = 1 ]
	step "a's mark reaches b" wait 0 0x600d 300
	step "the 63 pages a wrote came with their data" check 1 63 1
	d2=$(counter data_pages_in)
	bytes=$(counter data_bytes_in)
	good=0
	[ "$d2" = 64 ] && [ "$bytes" = $((64 * 4096)) ] && good=1
	check "pod: exactly those 64 pages with data (63 and the mark): $d2 pages, $bytes bytes" \
		[ $good = 1 ]
	step "b rewrites them" write 1 63 2
	step "b marks page 0 for a" mark 0 0xb0b
	step "a's last mark reaches b" wait 0 0xd0e 300
	"$mem" "$mnt/vm1" mark 0 0xe0d
	sleep 2
fi
errors=$(counter errors)
check "pod: dormantd on $me counted no errors ($errors)" [ "$errors" = 0 ]
kill $pid
wait $pid
rc=$?
pid=
[ $rc = 0 ] || diag "dormantd exited with $rc"
sed 's/^/# dormantd: /' "$work/dormantd.log"
tap_exit
