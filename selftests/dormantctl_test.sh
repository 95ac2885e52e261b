#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dormantctl against the loaded module: what it prints, and what it says to
# garbage on its command line.
set -u
. "$(dirname "$0")/lib.sh"

ctl="$top/build/bin/dormantctl"
require_root
require_module_file
[ -x "$ctl" ] || skip_all "no $ctl: run make"

loaded_here=0
if ! module_loaded; then
	insmod "$KO" || skip_all "cannot insmod $KO"
	loaded_here=1
fi
version=$(cat /sys/kernel/dormant/version)
nodes=$(cat /sys/kernel/dormant/nr_nodes)

tap_plan 51
out=$("$ctl" info)
check "info prints the module version" sh -c "printf '%s' '$out' | grep -q 'module version *$version'"
check "info prints the node count" sh -c "printf '%s' '$out' | grep -q 'NUMA nodes *$nodes '"
json=$("$ctl" -j info)
check "--json info prints the module version" \
	sh -c "printf '%s' '$json' | grep -q '\"module_version\": *\"$version\"'"
out=$("$ctl" stats)
check "stats shows a column per node" \
	sh -c "printf '%s' '$out' | head -n 1 | grep -o node | wc -l | grep -qx '$nodes'"
check "stats shows the fault counters" sh -c "printf '%s' '$out' | grep -q '^fault_zeroed '"
json=$("$ctl" --json stats)
check "--json stats has every node" \
	sh -c "test \$(printf '%s' '$json' | grep -c '\"node\":') = $nodes"
mnt=$(mktemp -d)
mount -t dormant none "$mnt"
truncate -s 1M "$mnt/obj"
out=$("$ctl" stat "$mnt/obj")
check "stat shows a new object's 256 dormant pages" \
	sh -c "printf '%s' '$out' | grep -q ' 1 *0 *256 *0 *0 '"
# a process holding an object: objects finds it, by pid
sleep 30 < "$mnt/obj" &
holder=$!
out=$("$ctl" objects)
check "objects finds the object a process holds" \
	sh -c "printf '%s' '$out' | grep -q '^$holder .*$mnt/obj'"
kill $holder 2>/dev/null
wait $holder 2>/dev/null
# as another user: that user's holder is found, root's is not, and it says
# that it could not look into every process
if command -v setpriv > /dev/null; then
	nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	chmod 755 "$mnt"
	chmod 644 "$mnt/obj"
	$nobody sleep 30 < "$mnt/obj" &
	nholder=$!
	sleep 30 < "$mnt/obj" &
	holder=$!
	# a copy nobody can run wherever the checkout lives
	ndir=$(mktemp -d)
	chmod 755 "$ndir"
	cp "$ctl" "$ndir/dormantctl"
	errf="$ndir/err"
	out=$($nobody "$ndir/dormantctl" objects 2> "$errf")
	check "objects as nobody finds nobody's holder" \
		sh -c "printf '%s' '$out' | grep -q '^$nholder .*$mnt/obj'"
	check "objects as nobody does not show root's holder" \
		sh -c "! printf '%s' '$out' | grep -q '^$holder '"
	check "objects as nobody says it cannot see every process" \
		grep -q "not ours to see: run as root" "$errf"
	kill $holder $nholder 2>/dev/null
	wait $holder $nholder 2>/dev/null
	rm -rf "$ndir"
else
	skip "objects as nobody (3 tests)" "no setpriv"
	skip "objects as nobody" "no setpriv"
	skip "objects as nobody" "no setpriv"
fi
out=$("$ctl" vcpus)
check "vcpus prints its table header" sh -c "printf '%s' '$out' | head -n 1 | grep -q '^VM .*VCPU .*DORMANT .*BACKED'"
json=$("$ctl" --json --reset vcpus)
check "--json --reset vcpus prints a JSON array" sh -c "printf '%s' '$json' | head -c 1 | grep -q '\['"
expect_fail "--reset with another command" 2 "only goes with 'vcpus'" --reset stats
expect_fail "vcpus with an argument" 2 "takes no arguments" vcpus 1
expect_fail "stat with no file" 2 "needs at least one FILE" stat
expect_fail "stat of a file that is not an object" 1 "not a dormant guest memory object" stat /etc/hostname
expect_fail "stat of a missing file" 1 "No such file" stat "$mnt/missing"
expect_fail "stats with an argument" 2 "takes no arguments" stats 1
umount "$mnt"
rmdir "$mnt"
expect_fail "unknown option" 2 "unrecognized option" --frobnicate info
expect_fail "no command" 2 "no command given"
expect_fail "unknown command" 2 "unknown command 'frob'" frob
expect_fail "info with an extra argument" 2 "takes no arguments" info extra
expect_fail "--device with no value" 2 "requires an argument" --device
expect_fail "--device that does not exist" 1 "cannot open /nonexistent" -d /nonexistent info
expect_fail "--device that is not ours" 1 "Inappropriate ioctl" -d /dev/null info
expect_fail "pod with an unknown subcommand" 2 "'pod frob': the pod commands are" pod frob
expect_fail "pod drain with no member" 2 "'pod drain' needs one MEMBER" pod drain
expect_fail "pod drain as JSON" 2 "'pod drain' prints no JSON" -j pod drain a
expect_fail "--control with another command" 2 "only goes with 'pod'" -c /tmp/x stats
expect_fail "--timeout 0" 2 "--timeout: '0' is not a number of seconds from 1 to 86400" -t 0 pod drain a
expect_fail "--timeout 12x" 2 "--timeout: '12x' is not a number" --timeout 12x pod drain a
expect_fail "--timeout -1" 2 "--timeout: '-1' is not a number" -t -1 pod drain a
expect_fail "--timeout past a day" 2 "--timeout: '86401' is not a number" -t 86401 pod drain a
expect_fail "--timeout with pod status" 2 "--timeout only goes with 'pod drain'" -t 5 pod status
expect_fail "--timeout with another command" 2 "--timeout only goes with 'pod drain'" -t 5 stats
expect_fail "move with no QMP socket" 2 "'move' needs the guest's QMP socket" move
expect_fail "move with two members" 2 "'move' needs the guest's QMP socket and at most one MEMBER" move /tmp/q a b
expect_fail "move as JSON" 2 "'move' prints no JSON" -j move /tmp/q
expect_fail "--port 0" 2 "--port: '0' is not a port number from 1 to 65535" -p 0 move /tmp/q
expect_fail "--port 65536" 2 "--port: '65536' is not a port number" --port 65536 move /tmp/q
expect_fail "--port 4x" 2 "--port: '4x' is not a port number" -p 4x move /tmp/q
expect_fail "--port -1" 2 "--port: '-1' is not a port number" -p -1 move /tmp/q
expect_fail "--port with another command" 2 "--port only goes with 'move'" -p 4444 pod
expect_fail "--drain with another command" 2 "--drain only goes with 'move'" --drain pod drain a
expect_fail "--timeout with stats names move too" 2 "--timeout only goes with 'pod drain', 'move' and 'accept'" -t 5 stats
expect_fail "accept with a member" 2 "'accept' needs the guest's QMP socket only" accept /tmp/q a
expect_fail "accept with --drain" 2 "'accept' takes no --drain" --drain accept /tmp/q
expect_fail "accept with no daemon" 1 "/nonexistent/ctl.sock: No such file or directory" -c /nonexistent/ctl.sock accept /tmp/q
expect_fail "move with no daemon" 1 "/nonexistent/ctl.sock: No such file or directory (is dormantd running?)" \
	-c /nonexistent/ctl.sock move /tmp/q
expect_fail "pod with no daemon" 1 "/nonexistent/ctl.sock: No such file or directory (is dormantd running?)" \
	-c /nonexistent/ctl.sock pod

[ $loaded_here = 1 ] && rmmod dormant
tap_exit
