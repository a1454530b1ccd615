#!/bin/sh
# Installs the Debian packages named as arguments, but only those missing (apt-get only when needed).
# No service may start because of it: a package's postinst (prometheus, etcd-server) would start
# a daemon that keeps running after the tests and can hold the ports they use.
set -eu
# Packages installed without their Recommends: prometheus (wanted for promtool alone) recommends
# prometheus-node-exporter, whose collectors pull in smartmontools and openipmi, all daemons.
NO_RECOMMENDS=" prometheus "
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "need-packages: missing Debian packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "need-packages: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive

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
