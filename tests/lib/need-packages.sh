#!/bin/sh
# Installs the Debian packages named as arguments, but only those missing (apt-get only when needed).
# No service may start because of it: a package's postinst (prometheus, etcd-server) would start
# a daemon that keeps running after the tests and can hold the ports they use.
set -eu
# Packages installed without their Recommends: prometheus (wanted for promtool alone) recommends
# prometheus-node-exporter, whose collectors pull in smartmontools and openipmi, all daemons.
# nagios4-core and icinga2-bin (the schedulers' daemons, run in the foreground by the tests)
# recommend the web UIs and plugin packages with their own daemons (apache2, php, samba clients).
NO_RECOMMENDS=" prometheus nagios4-core icinga2-bin icinga2-common "
# PACKAGE:SERVICE pairs whose service the package enables at boot (a systemd unit link, an rc.d
# link, a timer) although the tests only ever run the program in the foreground: disabled again
# when this run installed the package (exim4 comes with nagios4-core, as its mailer).
DISABLE_SERVICES="nagios4-common:nagios4 icinga2-bin:icinga2 exim4-base:exim4 exim4-base:exim4-base.timer"
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=""
for p in "$@"; do
	installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "need-packages: missing Debian packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "need-packages: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
fresh=""
for ps in $DISABLE_SERVICES; do installed "${ps%%:*}" || fresh="$fresh $ps"; done

# invoke-rc.d and deb-systemd-invoke ask /usr/sbin/policy-rc.d first; 101 means "action
# forbidden". One that is already there (Docker images ship one) is left as it is; ours is removed
# on every way out.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
	trap 'rm -f "$POLICY"' EXIT
	trap 'exit 1' INT TERM HUP
	printf '#!/bin/sh\n# need-packages.sh: no service starts during a test install\nexit 101\n' >"$POLICY"
	chmod 0755 "$POLICY"
fi

plain=""
norec=""
for p in $missing; do
	case "$NO_RECOMMENDS" in
	*" $p "*) norec="$norec $p" ;;
	*) plain="$plain $p" ;;
	esac
done

# install [apt-get options] PACKAGES... (the first argument is the option list, maybe empty)
install() {
	opts=$1
	shift
	[ $# -gt 0 ] || return 0
	# shellcheck disable=SC2086
	apt-get install -y -q $opts "$@" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $opts "$@" >/dev/null; }
}
# shellcheck disable=SC2086
install "" $plain
# shellcheck disable=SC2086
install "--no-install-recommends" $norec

# What the packages just enabled: not started (policy-rc.d), now not enabled either. update-rc.d
# disables the init script and the systemd unit of that name (systemctl works offline).
for ps in $fresh; do
	installed "${ps%%:*}" || continue
	unit=${ps#*:}
	case $unit in
	*.timer) set -- systemctl disable "$unit" ;;
	*) set -- update-rc.d "$unit" disable ;;
	esac
	[ -e "/lib/systemd/system/$unit" ] || [ -e "/etc/init.d/$unit" ] || continue
	"$@" >/dev/null 2>&1 || echo "need-packages: could not disable $unit" >&2
done
exit 0
