# SPDX-License-Identifier: GPL-2.0
#
# Moving a guest between the two members of a pod in sandbox hosts, for
# selftests/span_test.sh and tools/demo-span-host.sh (sourced, after
# tools/guest-lib.sh and with the pod started: pod_ctl set). The guest runs
# selftests/span_guest.sh; each QEMU has a NAME: its console is
# $work/NAME.log, its QMP socket $work/NAME.sock.

span_ctl="$top/build/bin/dormantctl"
span_qmp="python3 $top/tools/qmp.py"

# span_qemu NAME ARGS...: start the guest's QEMU (guest_pid) and wait
# until its QMP socket answers
span_qemu() {
	_name=$1
	shift
	: > "$work/$_name.log"
	guest_qemu "$work/$_name.log" -qmp "unix:$work/$_name.sock,server=on,wait=off" "$@"
	$span_qmp "$work/$_name.sock" wait-socket 120 > /dev/null
}

# span_checks NAME: how many checks the guest made with NAME's QEMU;
# span_bad NAME: the count of failed checks in its last line ("" if none;
# the serial console ends lines with CR LF)
span_checks() { grep -c "^SPAN_CHECK" "$work/$1.log"; }
span_bad() { grep "^SPAN_CHECK" "$work/$1.log" | tail -n 1 | tr -d '\r' | sed 's/.* bad //'; }

# span_wait_checks NAME N SEC: until the guest made N more checks with
# NAME's QEMU (saying every minute that it waits, for tools/sandbox's
# watchdog); 1 if its QEMU ended or SEC went by first
span_wait_checks() {
	_want=$(($(span_checks "$1") + $2))
	for _i in $(seq 1 "$3"); do
		[ "$(span_checks "$1")" -ge $_want ] && return 0
		kill -0 "$guest_pid" 2>/dev/null || return 1
		[ $((_i % 60)) = 0 ] &&
			echo "# span: waiting for checks on $1 ($_i s): pod faults $(pod_counter faults), grants in $(pod_counter grants_in), console: $(tail -n 1 "$work/$1.log" | tr -d '\r')"
		sleep 1
	done
	return 1
}

# span_show NAME: the end of a QEMU's console and its own messages, the
# end of dormantd's log and its counters
span_show() {
	tail -n 20 "$work/$1.log" | sed "s/^/# $1 console: /"
	tail -n 10 "$work/$1.log.qemu" | sed "s/^/# $1 qemu: /"
	tail -n 10 "$work/dormantd.log" | sed "s/^/# dormantd: /"
	"$span_ctl" -c "$pod_ctl" pod | sed "s/^/# dormantctl pod: /"
}

# span_move ARGS...: dormantctl move ARGS, again while nothing waits on
# the other host yet (up to 10 minutes); its output in $work/move.out
span_move() {
	for _i in $(seq 1 300); do
		"$span_ctl" -c "$pod_ctl" -t 600 move "$@" > "$work/move.out" 2>&1
		_rc=$?
		grep -q "nothing waits" "$work/move.out" || return $_rc
		sleep 2
	done
	return 1
}

# span_accept NAME: dormantctl accept for NAME's QEMU (started with
# -incoming defer); its output in $work/accept.out
span_accept() {
	"$span_ctl" -c "$pod_ctl" -t 900 accept "$work/$1.sock" > "$work/accept.out" 2>&1
}

# span_field NAME: a figure of the last move's "moved to" line
# ("total", "downtime" or "stream")
span_field() { sed -n "s/^moved to .*[:,] $1 \([0-9]*\) .*/\1/p" "$work/move.out"; }
