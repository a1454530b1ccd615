#!/usr/bin/env bash
# etcd-versions: none (no etcd member involved; apt-get, dpkg-query and the service tools are stand-ins)
# tests/lib/need-packages.sh with stand-ins first in PATH: it installs only what is missing, and
# disables again the boot-time services that the packages it installed enable (nagios4, icinga2,
# exim4 and its timer), never those of packages that were installed before it ran.
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

# The script writes /usr/sbin/policy-rc.d when there is none; this test must not touch the system.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	skip "need-packages disables the services it enabled" "no /usr/sbin/policy-rc.d here: the script would write one"
	exit 0
fi
TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
mkdir "$TMP/bin"
# dpkg-query: installed when the package is listed in $TMP/installed
cat >"$TMP/bin/dpkg-query" <<EOF
#!/bin/sh
for p; do :; done
grep -qx "\$p" "$TMP/installed" && printf 'install ok installed'
exit 0
EOF
# apt-get install: the packages named (and exim4-base, a dependency) become installed
cat >"$TMP/bin/apt-get" <<EOF
#!/bin/sh
echo "apt-get \$*" >>"$TMP/calls"
[ "\$1" = install ] || exit 0
for p; do case \$p in -*|install) ;; *) echo "\$p" >>"$TMP/installed" ;; esac; done
case " \$* " in *" nagios4-core "*) printf 'nagios4-common\nexim4-base\n' >>"$TMP/installed" ;; esac
EOF
for c in update-rc.d systemctl; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$c" "$TMP" >"$TMP/bin/$c"
done
printf '#!/bin/sh\necho 0\n' >"$TMP/bin/id"
chmod 0755 "$TMP/bin"/*

# run INSTALLED-BEFORE... -- PACKAGES...: the script's exit code; $TMP/calls holds what it ran
run() {
	: >"$TMP/installed"
	: >"$TMP/calls"
	while [ "$1" != -- ]; do echo "$1" >>"$TMP/installed"; shift; done
	shift
	PATH="$TMP/bin:$PATH" sh tests/lib/need-packages.sh "$@" >"$TMP/out" 2>&1
}

# The unit files and init scripts the script looks for are the real ones of the packages.
want=()
[ -e /etc/init.d/nagios4 ] || [ -e /lib/systemd/system/nagios4.service ] && want+=("update-rc.d nagios4 disable")
[ -e /etc/init.d/icinga2 ] || [ -e /lib/systemd/system/icinga2.service ] && want+=("update-rc.d icinga2 disable")
[ -e /etc/init.d/exim4 ] && want+=("update-rc.d exim4 disable")
[ -e /lib/systemd/system/exim4-base.timer ] && want+=("systemctl disable exim4-base.timer")

if run -- nagios4-core icinga2-bin; then
	miss=()
	for w in "${want[@]}"; do grep -qxF "$w" "$TMP/calls" || miss+=("$w"); done
	if [ ${#want[@]} -gt 0 ] && [ ${#miss[@]} = 0 ]; then
		ok "need-packages: the services the new packages enable are disabled (${#want[@]})"
	else
		notok "need-packages: the services the new packages enable are disabled" "not run: ${miss[*]:-(no unit files here)}" "$(cat "$TMP/calls")"
	fi
else
	notok "need-packages: the services the new packages enable are disabled" "exit $?" "$(cat "$TMP/out")"
fi

# nagios4 already there before (someone's own Nagios): its service is left as it is
if run nagios4-core nagios4-common exim4-base -- icinga2-bin; then
	if grep -qE 'nagios4|exim4' "$TMP/calls"; then
		notok "need-packages: a service of a package installed before is left alone" "$(cat "$TMP/calls")"
	else
		ok "need-packages: a service of a package installed before is left alone"
	fi
else
	notok "need-packages: a service of a package installed before is left alone" "$(cat "$TMP/out")"
fi

# nothing missing: no apt-get, nothing disabled
if run nagios4-core icinga2-bin -- nagios4-core icinga2-bin && [ ! -s "$TMP/calls" ]; then
	ok "need-packages: nothing missing, nothing run"
else
	notok "need-packages: nothing missing, nothing run" "$(cat "$TMP/calls" "$TMP/out")"
fi
exit "$FAILED"
