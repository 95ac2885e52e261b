# SPDX-License-Identifier: GPL-2.0
# Shared by the shell selftests: TAP output, root and module helpers.
# Source it with: . "$(dirname "$0")/lib.sh"

top=$(cd "$(dirname "$0")/.." && pwd)
KO=${DORMANT_KO:-$top/build/$(uname -r)/dormant.ko}
KSFT_PASS=0 KSFT_FAIL=1 KSFT_SKIP=4
tap_n=0
tap_failed=0

# BAD_LOG_RE, the kernel log lines that mean a kernel bug, and the other
# helpers shared with tools/.
. "$top/tools/lib.sh"

tap_plan() { echo "TAP version 13"; echo "1..$1"; }
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n $*"; }
not_ok() { tap_n=$((tap_n + 1)); echo "not ok $tap_n $*"; tap_failed=1; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n $1 # SKIP $2"; }
# check DESCRIPTION COMMAND...: one TAP line for the command's success.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
skip_all() { echo "TAP version 13"; echo "1..0 # SKIP $*"; exit $KSFT_SKIP; }
tap_exit() { [ $tap_failed = 0 ] && exit $KSFT_PASS; exit $KSFT_FAIL; }
diag() { echo "# $*"; }

require_root() { [ "$(id -u)" = 0 ] || skip_all "needs root"; }
require_module_file() { [ -f "$KO" ] || skip_all "no $KO: run make"; }

# The kernel log from a mark on: mark=$(log_mark); ...; log_since "$mark".
# expect_fail DESC STATUS PATTERN ARGS...: dormantctl ($ctl) exits with
# STATUS and says PATTERN on stderr.
expect_fail() {
	desc=$1 want=$2 pat=$3
	shift 3
	err=$("$ctl" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc = "$want" ] && printf '%s' "$err" | grep -q -- "$pat"; then
		ok "$desc"
	else
		not_ok "$desc (exit $rc, said: $(printf '%s' "$err" | head -n 1))"
	fi
}

log_mark() { dmesg | wc -l; }
log_since() { dmesg | tail -n +$(($1 + 1)); }
# True when the kernel log since the mark has no line of BAD_LOG_RE.
log_clean_since() {
	bad=$(log_since "$1" | grep -E "$BAD_LOG_RE")
	[ -z "$bad" ] && return 0
	printf '%s\n' "$bad" | sed 's/^/# /'
	return 1
}

module_loaded() { [ -d /sys/module/dormant ]; }
load_module() { module_loaded || insmod "$KO" "$@"; }
unload_module() { ! module_loaded || rmmod dormant; }
