#!/usr/bin/env bash
# etcd-versions: none (no etcd member involved)
# Static checks: shellcheck (warnings) on every shell script of the project, cppcheck on the C
# sources of proto/, probe/ and diag/. Both must be clean.
set -u
cd "$(dirname "$0")/../.." || exit 2
sh tests/lib/need-packages.sh shellcheck cppcheck >/dev/null || { echo "skip - lint (shellcheck/cppcheck not installable)"; exit 0; }
failed=0

mapfile -t scripts < <( { find tests deploy -type f \( -name '*.sh' -o -name 'etcd-install' \); echo .ci/run; } | sort)
if out=$(shellcheck -S warning "${scripts[@]}" 2>&1); then
	echo "ok - shellcheck -S warning clean (${#scripts[@]} scripts)"
else
	echo "$out" | head -40 | sed 's/^/#   /'
	echo "not ok - shellcheck -S warning"
	failed=1
fi

# The generated protobuf-c header is left out: cppcheck cannot see the version macros it checks.
if out=$(cppcheck --quiet --enable=warning,portability,performance --error-exitcode=1 \
	--inline-suppr -I. --suppress=missingIncludeSystem --suppress=missingInclude \
	proto probe diag 2>&1); then
	echo "ok - cppcheck clean (proto, probe, diag)"
else
	echo "$out" | head -40 | sed 's/^/#   /'
	echo "not ok - cppcheck"
	failed=1
fi
exit "$failed"
