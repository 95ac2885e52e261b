#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rig's tools. Garbage to tools/sandbox, tools/rig-soak and the scripts
# and programs they run inside sandbox hosts, and to the shared number
# check: each must refuse it with its status for bad usage and a message
# naming the bad value, before it boots or loads anything. Then the
# watchdog: a sandbox host whose command falls silent is killed and
# reported soon, as "silent", with status 123 and a death in rig-deaths.
# Runs on the build host (make check), TAP output.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. tools/lib.sh
n=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# refuse NAME STATUS NEEDLE COMMAND...: COMMAND exits STATUS within 30 s,
# saying NEEDLE, and no QEMU was started
refuse() {
	local name=$1 want=$2 needle=$3 rc
	shift 3
	n=$((n + 1))
	timeout 30 "$@" > "$out" 2>&1 < /dev/null
	rc=$?
	if [ "$rc" = "$want" ] && grep -qF -- "$needle" "$out"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: status $rc (want $want), output:"
		sed 's/^/# /' "$out"
		failed=$((failed + 1))
	fi
}

# count_is VALUE 0|1: is_count's verdict on VALUE
count_is() {
	n=$((n + 1))
	if is_count "$1"; then got=1; else got=0; fi
	if [ "$got" = "$2" ]; then
		echo "ok $n - is_count '$1' is $2"
	else
		echo "not ok $n - is_count '$1' is $got, want $2"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
count_is 1 1
count_is 600 1
count_is 0 0
count_is 007 0
count_is -1 0
count_is '' 0
count_is 1e3 0
count_is 1234567890 0

refuse "sandbox: --silence not a number" 125 "needs a positive number, got 'soon'" \
	tools/sandbox -s soon -- true
refuse "sandbox: --silence negative" 125 "got '-5'" tools/sandbox -s -5 -- true
refuse "sandbox: --emulator unknown" 125 "unknown QEMU version '9.9'" tools/sandbox -e 9.9 -- true
refuse "sandbox: --emulator missing its value" 125 "-e needs a value" tools/sandbox -e
refuse "sandbox: --timeout zero" 125 "got '0'" tools/sandbox -t 0 -- true
refuse "sandbox: --peer-kernel without two hosts" 125 "--peer-kernel needs --hosts 2" \
	tools/sandbox -K "$(uname -r)" -- true
refuse "sandbox: --peer-kernel not installed" 125 "no readable /boot/vmlinuz-0.0-none" \
	tools/sandbox -H 2 -K 0.0-none -- true
refuse "sandbox: unknown option" 125 "unknown option '--fast'" tools/sandbox --fast -- true
refuse "sandbox: --append missing its value" 125 "-a needs a value" tools/sandbox -a
refuse "sandbox: --append with a quote" 125 "is not kernel arguments" tools/sandbox -a "x='y'" -- true
refuse "sandbox: --append with a newline" 125 "is not kernel arguments" tools/sandbox -a "$(printf 'a\nb')" -- true

refuse "rig-soak: --vms zero" 2 "--vms needs a positive number, got '0'" tools/rig-soak --vms 0
refuse "rig-soak: --guests not a number" 2 "got 'many'" tools/rig-soak -g many
refuse "rig-soak: --emulator unknown" 2 "--emulator must be 7.2 or 10.0" tools/rig-soak -e 8.0
refuse "rig-soak: --vmm unknown" 2 "--vmm must be 7.2 or 10.0" tools/rig-soak --vmm qemu
refuse "rig-soak: unknown option" 2 "unknown option" tools/rig-soak --forever 1
refuse "rig-soak: an option without its value" 2 "missing value: '-k'" tools/rig-soak -k

refuse "vm_churn: no arguments" 2 "usage: vm_churn" build/tools/vm_churn
refuse "vm_churn: count zero" 2 "COUNT must be 1..1000000, got '0'" build/tools/vm_churn 0
refuse "vm_churn: count negative" 2 "got '-3'" build/tools/vm_churn -3
refuse "vm_churn: count too large" 2 "got '2000000'" build/tools/vm_churn 2000000
refuse "vm_churn: count with junk" 2 "got '12x'" build/tools/vm_churn 12x

refuse "soak-host: VMS not a count" 2 "VMS must be a count" sh tools/soak-host.sh x 1
refuse "soak-host: unknown VMM" 2 "unknown QEMU version" sh tools/soak-host.sh 1 1 6.0

refuse "demo: DEMO_RAM without a unit" 2 "DEMO_RAM must be a size in GiB such as 8G, got '8'" \
	env DEMO_RAM=8 sh tools/demo-host.sh
refuse "demo: DEMO_RAM zero" 2 "got '0G'" env DEMO_RAM=0G sh tools/demo-host.sh
refuse "demo-pod: DEMO_POD_RAM in MiB" 2 "DEMO_POD_RAM must be a size in GiB such as 2G, got '512M'" \
	env DEMO_POD_RAM=512M sh tools/demo-pod-host.sh
refuse "demo-pod: outside a pair of sandbox hosts" 2 "run it in two sandbox hosts" \
	env DORMANT_HOST= sh tools/demo-pod-host.sh
refuse "demo-span: a size in MiB" 2 "DEMO_SPAN_SIZES must be sizes in GiB such as '1G 8G', got '512M'" \
	env DEMO_SPAN_SIZES="1G 512M" sh tools/demo-span-host.sh
refuse "demo-span: no sizes at all" 2 "DEMO_SPAN_SIZES must be sizes in GiB" \
	env DEMO_SPAN_SIZES=" " sh tools/demo-span-host.sh
refuse "demo-span: outside a pair of sandbox hosts" 2 "run it in two sandbox hosts" \
	env DORMANT_HOST= sh tools/demo-span-host.sh
refuse "qmp.py: no arguments" 2 "qmp.py: talk to a QEMU" python3 tools/qmp.py
refuse "qmp.py: an unknown operation" 2 "'frob' with 0 arguments" python3 tools/qmp.py /tmp/none.sock frob
refuse "qmp.py: wait-socket 0 s" 1 "'0' is not a number of seconds from 1 to 86400" \
	python3 tools/qmp.py /tmp/none.sock wait-socket 0
refuse "qmp.py: a socket that is not there" 1 "No such file" \
	python3 tools/qmp.py /tmp/none.sock run query-status
refuse "qmp.py: arguments that are not JSON" 1 "qmp.py: Expecting" \
	python3 tools/qmp.py /tmp/none.sock run query-status '{x'
# the watchdog: 90 s of silence allowed (a loaded machine boots a sandbox
# host in well under that), the command sleeps for 900
wd=$(mktemp -d)
t0=$(date +%s)
tools/sandbox -q -s 90 -t 1200 -o "$wd" -- 'echo "# ==== quiet_test ===="; sleep 900' > "$out" 2>&1
rc=$? took=$(( $(date +%s) - t0 ))
n=$((n + 1))
if [ $rc = 123 ] && grep -q "sandbox host0 .* silent: nothing printed for 90s, killed; last test: # ==== quiet_test" "$out" &&
   grep -q '^death host0 silent' "$wd/rig-deaths" && [ $took -lt 600 ]; then
	echo "ok $n - a silent sandbox host is killed after 90 s and reported ($took s in all)"
else
	echo "not ok $n - a silent sandbox host is killed after 90 s and reported: status $rc after $took s, output:"
	sed 's/^/# /' "$out" "$wd/rig-deaths" 2>/dev/null
	failed=$((failed + 1))
fi
rm -rf "$wd"
echo "1..$n"
[ $failed = 0 ]
