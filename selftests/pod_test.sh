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
. "$top/tools/guest-lib.sh"

host=${DORMANT_HOST:-}
mem="$top/build/selftests/pod_mem"

[ -n "${DORMANT_PEER_IP:-}" ] || skip_all "no peer host (DORMANT_PEER_IP is empty)"
rdma link show 2>/dev/null | grep -q rxe0 || skip_all "no Soft-RoCE device rxe0"
require_root
require_module_file

case $host in
0) me=a; tap_plan 38 ;;
1) me=b; tap_plan 45 ;;
*) tap_plan 1; not_ok "pod: DORMANT_HOST is 0 or 1 (it is '$host')"; tap_exit ;;
esac

work=$(mktemp -d) || exit 1
mnt="$work/mnt"
mkdir "$mnt"
pod_pid=
cleanup() {
	[ -n "$pod_pid" ] && pod_stop
	umount "$mnt" 2>/dev/null
	unload_module
	rm -rf "$work"
}
trap cleanup EXIT

pod_file "$work/pod.json" '[
    { "name": "vm1", "size": "8M", "owner": "a" },
    { "name": "vm2", "size": "8M",
      "interleave": { "chunk": "2M", "members": ["a", "b"] } },
    { "name": "vm3", "size": "512M", "owner": "a" }
  ]'

modprobe kvm_amd 2>/dev/null || modprobe kvm_intel 2>/dev/null
load_module || { not_ok "pod: insmod"; tap_exit; }
mount -t dormant none "$mnt" || { not_ok "pod: mount"; tap_exit; }
up=0
pod_start "$work/pod.json" $me "$mnt" "$work" && up=1
check "pod: dormantd on $me connected to the other member" [ $up = 1 ]
[ $up = 1 ] || tap_exit

ctl="$top/build/bin/dormantctl"
# has TEXT PATTERN: a line of TEXT matches PATTERN
has() { printf '%s\n' "$1" | grep -q -- "$2"; }

# step DESCRIPTION pod_mem-ARGS...
step() {
	desc=$1
	shift
	if "$mem" "$mnt/vm1" "$@"; then ok "pod: $desc"; else not_ok "pod: $desc"; fi
}

# Both hosts take 1000 turns on one page of vm2: each turn checks every
# byte the other host wrote, and moves the page with its data. Between two
# processes (page 600, homed at b), then between the vCPUs of two raw-KVM
# guests (page 1100, homed at a), where every release must also take the
# page from KVM's NPT/EPT entries.
# bounce_check HOST-INDEX bounce|kvmbounce PAGE WHO
bounce_check() {
	g0=$(pod_counter grants_in)
	gd0=$(pod_counter grants_in_data)
	out=$("$mem" "$mnt/vm2" "$2" "$3" 1000 "$1" 200 2>&1)
	rc=$?
	g1=$(pod_counter grants_in)
	gd1=$(pod_counter grants_in_data)
	check "pod: one page bounced 1000 turns between $4 on a and b, every byte right (on $me: $out)" \
		[ $rc = 0 ]
	good=0
	# before the first turn's write the page is all zeros: those first
	# few grants (the block, then the page) rightly carry no data
	[ $((g1 - g0)) -ge 500 ] && [ $((gd1 - gd0)) -ge $((g1 - g0 - 4)) ] && good=1
	check "pod: $me took the page at least once a turn, with its data from the first write on ($((g1 - g0)) grants, $((gd1 - gd0)) with data)" \
		[ $good = 1 ]
}

if [ $me = a ]; then
	bounce_check 0 bounce 600 "two processes"
	bounce_check 0 kvmbounce 1100 "two vCPUs"
	step "a writes 63 pages of vm1" write 1 63 1
	step "a marks page 0 for b" mark 0 0x600d
	step "b's mark comes back to a" wait 0 0xb0b 300
	step "the 63 pages b rewrote come back with b's data" check 1 63 2

	# b's dormantd crashes and restarts: what b owns stays b's
	# (page 0 stays with b while its dormantd is away: a waits for it)
	step "b's mark before its crash reaches a" wait 0 0x5e1 240
	step "a acknowledges" mark 0 0xa11
	check "pod: a sees b's dormantd go" pod_await peer_drops 1 120
	check "pod: a sees b's dormantd come back" pod_await peers_up 1 240
	step "b's mark after its restart reaches a" wait 0 0xbac 240
	step "a acknowledges" mark 0 0xabc
	step "the pages b wrote before its dormantd crashed come with their data" check 100 10 3
	r=$(pod_counter reports_in)
	check "pod: the restarted b reported the pages it owns ($r reports)" [ "$r" -ge 1 ]

	# b's dormantd dies: its pages are lost to a until it comes back
	step "b's second mark reaches a" wait 0 0xdea 240
	step "a acknowledges" mark 0 0xa12
	check "pod: a sees b's dormantd go again" pod_await peer_drops 2 120
	f0=$(pod_counter failed)
	lost=$(pod_counter lost_pages)
	t0=$(date +%s)
	"$mem" "$mnt/vm1" check 200 1 4 2>/dev/null
	rc=$?
	t=$(($(date +%s) - t0))
	f1=$(pod_counter failed)
	check "pod: a page b owned fails on a with SIGBUS (exit $rc) in $t s, not after pod_timeout_ms" \
		[ "$rc" = 135 -a "$t" -lt 8 ]
	check "pod: a counts b's pages as lost ($lost) and its failed request ($f0 -> $f1)" \
		[ "$lost" -ge 2 -a "$f1" = $((f0 + 1)) ]
	check "pod: the kernel log names the lost owner" \
		sh -c 'dmesg | grep -q "which the pod daemon reports lost"'
	check "pod: a sees b's dormantd come back again" pod_await peers_up 1 240
	step "b's mark after its second restart reaches a" wait 0 0xbac2 240
	step "b's pages come with their data once it is back" check 200 2 4

	# a, the pages' home, restarts: its objects and its directory
	pod_crash
	up=0
	pod_start "$work/pod.json" $me "$mnt" "$work" && up=1
	check "pod: a's dormantd, killed with SIGKILL, restarts and takes its objects over" \
		[ $up = 1 -a "$(grep -c 'taken over' "$work/dormantd.log")" = 3 ]
	step "a marks page 0 after its restart" mark 0 0xa13
	step "b's answer reaches a" wait 0 0xb13 240
	step "pages b wrote before a's crash come with their data" check 300 2 5
	step "a says it is done" mark 0 0xd0e
	step "b acknowledges" wait 0 0xe0d 240
	# b's dormantd goes; b connects with garbage (pod_peer, 9 cases)
	check "pod: a drops the connection at each of b's 9 bad messages" \
		pod_await bad_messages 9 240
	n=$(pod_counter bad_messages)
	check "pod: a counted exactly those 9 ($n)" [ "$n" = 9 ]
	lost=$(pod_counter lost_pages)
	check "pod: b drained before it left: a lost none of its pages ($lost)" [ "$lost" = 0 ]
	step "with b gone, the pages b last wrote read on a with b's data" check 300 2 5
	step "and b's mark" wait 0 0xe0d 10
else
	# dormantctl pod: the table, and requests the daemon refuses
	out=$("$ctl" -c "$pod_ctl" pod)
	check "pod: dormantctl pod shows member a connected" has "$out" '^a  *yes '
	check "pod: dormantctl pod shows no drain" has "$out" '^drain: none$'
	r0=$(pod_counter control_refused)
	expect_fail "pod: dormantctl refuses to drain b to itself" 1 \
		"dormantd: 'b' is this host: drain to another member" -c "$pod_ctl" pod drain b
	expect_fail "pod: dormantctl refuses to drain to a member the pod lacks" 1 \
		"dormantd: the pod has no member 'z'" -c "$pod_ctl" pod drain z
	r1=$(pod_counter control_refused)
	check "pod: dormantd counted both refusals ($r0 -> $r1)" [ "$r1" = $((r0 + 2)) ]
	check "pod: dormantd logged them" \
		grep -q "control request refused: the pod has no member 'z'" "$work/dormantd.log"
	bounce_check 1 bounce 600 "two processes"
	bounce_check 1 kvmbounce 1100 "two vCPUs"
	d0=$(pod_counter data_pages_in)
	bytes0=$(pod_counter data_bytes_in)
	p0=$(pod_counter pages_in)
	g0=$(pod_counter grants_in)
	step "64 pages a never wrote read as zero on b" zero 512 64
	d1=$(pod_counter data_pages_in)
	p1=$(pod_counter pages_in)
	g1=$(pod_counter grants_in)
	good=0
	[ "$((p1 - p0))" = 512 ] && [ "$((g1 - g0))" = 1 ] && [ "$d1" = "$d0" ] && good=1
	check "pod: their 2 MiB block, wholly dormant on a, came whole as ownership alone: one grant, no page data (pages $p0 -> $p1, grants $g0 -> $g1, with data $d0 -> $d1)" \
		[ $good = 1 ]
	step "a's mark reaches b" wait 0 0x600d 300
	step "the 63 pages a wrote came with their data" check 1 63 1
	d2=$(pod_counter data_pages_in)
	bytes=$(pod_counter data_bytes_in)
	good=0
	[ $((d2 - d0)) = 64 ] && [ $((bytes - bytes0)) = $((64 * 4096)) ] && good=1
	check "pod: exactly those 64 pages with data (63 and the mark): $((d2 - d0)) pages, $((bytes - bytes0)) bytes" \
		[ $good = 1 ]
	step "b rewrites them" write 1 63 2
	step "b marks page 0 for a" mark 0 0xb0b
	# a stock guest on b whose memory (vm3) is all a's
	GUEST_INITRD="$work/initrd.gz" GUEST_SCRIPT= GUEST_SMP=2
	export GUEST_INITRD GUEST_SCRIPT GUEST_SMP
	b0=$(pod_counter data_bytes_in)
	g0=$(pod_counter grants_in)
	booted=0
	if guest_initrd "$GUEST_INITRD"; then
		t=$(guest_boot_retry "$work/guest.log" 600 -m 512 \
			-object "memory-backend-file,id=ram0,size=512M,mem-path=$mnt/vm3,share=on,align=2M" \
			-machine memory-backend=ram0)
		grep -q "DORMANT_GUEST_DONE 0" "$work/guest.log" && booted=1
	fi
	check "pod: a stock QEMU/KVM guest boots on b with its memory owned by a (/init after ${t:-?} s)" \
		[ $booted = 1 ]
	if [ $booted = 0 ]; then
		sed 's/^/# console: /' "$work/guest.log" | tail -n 30
		sed 's/^/# qemu: /' "$work/guest.log.qemu" | tail -n 10
	fi
	b1=$(pod_counter data_bytes_in)
	g1=$(pod_counter grants_in)
	good=0
	[ "$b1" = "$b0" ] && [ "$g1" -gt "$g0" ] && good=1
	check "pod: the boot's $((g1 - g0)) grants carried no page data ($((b1 - b0)) bytes)" [ $good = 1 ]
	# unload and umount under use: refused, nothing changes
	rmmod dormant 2>/dev/null
	rc=$?
	check "pod: the module refuses to unload while the pod uses it (rmmod exit $rc)" \
		[ $rc != 0 -a -e /sys/module/dormant ]
	umount "$mnt" 2>/dev/null
	rc=$?
	check "pod: the mount refuses to go while dormantd holds its objects (umount exit $rc)" \
		[ $rc != 0 ]

	# our dormantd crashes and restarts
	step "b writes pages 100-109" write 100 10 3
	step "b marks page 0 before its dormantd crashes" mark 0 0x5e1
	step "a's acknowledgement reaches b" wait 0 0xa11 300
	pod_crash
	up=0
	pod_start "$work/pod.json" $me "$mnt" "$work" && up=1
	check "pod: b's dormantd, killed with SIGKILL, restarts and takes its objects over" \
		[ $up = 1 -a "$(grep -c 'taken over' "$work/dormantd.log")" = 3 ]
	step "b marks page 0 after its restart" mark 0 0xbac
	step "a's acknowledgement reaches b" wait 0 0xabc 240

	# our dormantd dies for a while: a finds our pages lost
	step "b writes pages 200-201" write 200 2 4
	step "b marks page 0 before its dormantd dies" mark 0 0xdea
	step "a's acknowledgement reaches b" wait 0 0xa12 240
	pod_crash
	sleep 30	# a tries our pages meanwhile
	up=0
	pod_start "$work/pod.json" $me "$mnt" "$work" && up=1
	check "pod: b's dormantd comes back" [ $up = 1 ]
	step "b writes pages 300-301" write 300 2 5
	step "b marks page 0 after its second restart" mark 0 0xbac2

	# a's dormantd restarts: we call it again
	check "pod: b sees a's dormantd go" pod_await peer_drops 1 240
	check "pod: b calls a's restarted dormantd" pod_await peers_up 1 240
	step "a's mark after its restart reaches b" wait 0 0xa13 240
	step "b answers" mark 0 0xb13
	step "a's last mark reaches b" wait 0 0xd0e 240
	step "b answers" mark 0 0xe0d

	"$ctl" -c "$pod_ctl" pod | sed 's/^/# dormantctl pod: /'
	# b leaves the pod: it drains first, so that a loses nothing
	"$ctl" -c "$pod_ctl" -t 600 pod drain a > "$work/drain.log" 2>&1
	rc=$?
	sed 's/^/# drain: /' "$work/drain.log" | tail -n 3
	good=0
	[ $rc = 0 ] && grep -q '^drained: every page this host owned now belongs to a' "$work/drain.log" &&
		good=1
	check "pod: dormantctl pod drain a ends with every page of b's at a (exit $rc)" [ $good = 1 ]
	left=$("$mem" "$mnt/vm1" owned 2>&1; "$mem" "$mnt/vm2" owned 2>&1; "$mem" "$mnt/vm3" owned 2>&1)
	check "pod: b owns no page of any object after the drain ($(echo $left))" \
		[ "$(echo $left)" = "0 0 0" ]
	p=$(pod_counter drain_pushed)
	check "pod: the drain asked for pages ($p requests)" [ "$p" -gt 0 ]
fi
errors=$(pod_counter errors)
check "pod: dormantd on $me counted no errors ($errors)" [ "$errors" = 0 ]
if [ $me = b ]; then
	pod_stop || diag "dormantd exited with $?"
	"$top/build/selftests/pod_peer" "$work/pod.json" b > "$work/peer.log" 2>&1
	rc=$?
	sed 's/^/# /' "$work/peer.log"
	check "pod: a drops the connection at each of 9 bad messages from b (pod_peer exit $rc)" \
		[ $rc = 0 ]
fi
[ -n "$pod_pid" ] && { pod_stop || diag "dormantd exited with $?"; }
sed 's/^/# dormantd: /' "$work/dormantd.log"
tap_exit
