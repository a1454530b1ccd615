# shellcheck shell=bash
# Scenario result lines for integration scripts, in the form tests/lib/run-all.sh counts:
#   ok NAME / notok NAME DETAIL... / skip NAME WHY; FAILED is 1 once any scenario failed.
# shellcheck disable=SC2034 # FAILED is read by the scripts that source this file
FAILED=0
ok() { echo "ok - $1"; }
notok() {
	local name=$1
	shift
	printf '    %s\n' "$@" | head -30
	echo "not ok - $name"
	# shellcheck disable=SC2034
	FAILED=1
}
skip() { echo "skip - $1 ($2)"; }
