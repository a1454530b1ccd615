#!/usr/bin/env bash
# etcd binaries by version: Debian 12's 3.4 from PATH, 3.5 from Debian's next releases fetched on
# demand into a cache under build/ (never installed system-wide, never committed).
#
#   bash tests/lib/etcd-versions.sh dir VERSION   prints the directory holding etcd and etcdctl
#                                                 (exit 0), or one line on stderr and exit 77 when
#                                                 the version cannot be had (mirror unreachable),
#                                                 exit 2 for an unknown version or a bad download
#   bash tests/lib/etcd-versions.sh list          prints the known versions, one a line
#   bash tests/lib/etcd-versions.sh full VERSION  prints what that etcd says of itself (3.4.23)
#   . tests/lib/etcd-versions.sh; etcd_use_version
#       with ETCD_VERSION set, puts that version's etcd and etcdctl first in PATH (so every `etcd`,
#       `etcdctl` and `command -v etcd` of a harness, the demo, the bench and the installer finds
#       them); either way sets ETCD_VERSION_FULL, what the etcd on PATH says it is (neither is
#       exported: etcd reads ETCD_* variables as flags). Returns 77
#       when the version cannot be had, 2 on other errors (one line on stderr).
#
# VERSION: 3.4 (Debian 12's etcd-server, 3.4.23) | 3.5.16 (trixie 3.5.16-4) | 3.5.30 (sid 3.5.30-2).
# Each .deb is checked against the SHA-256 pinned below before dpkg-deb -x unpacks it. The mirror is
# the one this machine's apt already uses for bookworm (ETCD_VERSIONS_MIRROR overrides it); apt gets a private sources list, state and
# cache (LAB_NOTES, "etcd 3.5 beside Debian 12's 3.4"), so the system's apt setup is not touched.

# version, suite, Debian version, SHA-256 of etcd-server, SHA-256 of etcd-client
ETCD_VERSION_TABLE=(
	"3.5.16 trixie 3.5.16-4 0875921bb0d023f2af9b8e15cdfbe417a03e65731345fb832c40f9c2dd72967b 7eb67e305ba2ce523a5a0b29bf88750ded3f724769c7111a83382b7909f9977b"
	"3.5.30 sid 3.5.30-2 11a4f7e350c5020b83edff5160a6063d4e56ac9cd014d21ce8916378bf96de79 1e66ad2aba4cba6842a1ac35d5c525e750102b8fb42748225bcb2e34d6595931"
)
EV_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EV_CACHE=${ETCD_VERSIONS_CACHE:-$EV_TOP/build/etcd-versions}

ev_say() { echo "etcd-versions: $*" >&2; }

# ev_mirror: the URI this machine's apt uses for bookworm (deb822 sources or a one-line list).
ev_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { u = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") s = 1 }
			/^$/ { if (u != "" && s) { print u; exit } u = ""; s = 0 }
			END { if (u != "" && s) print u }' "$f" | head -1
	done | head -1 | grep . && return 0
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) { if ($(i + 1) == "bookworm") { print $i; exit } break } }' | grep .
}

# ev_fetch VERSION SUITE DEBVER SUM_SERVER SUM_CLIENT: downloads and unpacks into $EV_CACHE/VERSION.
ev_fetch() {
	local ver=$1 suite=$2 debver=$3 sum_s=$4 sum_c=$5 d=$EV_CACHE/$1 w mirror opts p sum
	mirror=${ETCD_VERSIONS_MIRROR:-$(ev_mirror)} || { ev_say "no bookworm entry in /etc/apt/sources.list*: cannot find a mirror for $suite"; return 77; }
	w=$(mktemp -d "$EV_CACHE/.fetch.XXXXXX") || return 2
	mkdir -p "$w/lists/partial" "$w/cache/archives/partial" "$w/debs"
	echo "deb $mirror $suite main" >"$w/sources.list"
	opts=(-o "Dir::Etc::sourcelist=$w/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$w/lists"
		-o "Dir::Cache=$w/cache" -o APT::Sandbox::User=root -q)
	if ! timeout 180 apt-get "${opts[@]}" update >"$w/update.log" 2>&1 || grep -q '^[WE]: ' "$w/update.log"; then
		ev_say "cannot reach the Debian mirror for $suite ($(grep -m1 '^[WE]: ' "$w/update.log" || echo 'apt-get update failed')): etcd $ver not available"
		rm -rf "$w"; return 77
	fi
	if ! (cd "$w/debs" && timeout 300 apt-get "${opts[@]}" download "etcd-server=$debver" "etcd-client=$debver") >"$w/download.log" 2>&1; then
		ev_say "cannot download etcd-server/etcd-client $debver from $suite ($(grep -m1 '^E: ' "$w/download.log")): etcd $ver not available"
		rm -rf "$w"; return 77
	fi
	for p in server client; do
		[ $p = server ] && sum=$sum_s || sum=$sum_c
		if ! echo "$sum  $(echo "$w"/debs/etcd-${p}_*.deb)" | sha256sum -c --status; then
			ev_say "etcd-${p} $debver from $suite does not match its pinned SHA-256 $sum: refused"
			rm -rf "$w"; return 2
		fi
		dpkg-deb -x "$w"/debs/etcd-${p}_*.deb "$w/root" || { rm -rf "$w"; return 2; }
	done
	rm -rf "$d"
	mkdir -p "$d" && mv "$w/root/usr/bin/etcd" "$w/root/usr/bin/etcdctl" "$d/" && rm -rf "$w" || return 2
	"$d/etcd" --version 2>/dev/null | grep -q "^etcd Version: $ver\$" ||
		{ ev_say "$d/etcd does not say it is $ver"; rm -rf "$d"; return 2; }
}

# ev_dir VERSION: prints the directory of that version's etcd and etcdctl (fetching it if needed).
ev_dir() {
	local ver=$1 row f rc
	case $ver in
	3.4 | 3.4.*)
		# Debian 12's own package, installed when missing
		[ -x /usr/bin/etcd ] && [ -x /usr/bin/etcdctl ] ||
			sh "$EV_TOP/tests/lib/need-packages.sh" etcd-server etcd-client || return 2
		f=$(/usr/bin/etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p')
		[ "$ver" = 3.4 ] && [[ $f == 3.4.* ]] || [ "$f" = "$ver" ] ||
			{ ev_say "/usr/bin/etcd is not etcd $ver"; return 2; }
		echo /usr/bin
		return 0
		;;
	esac
	for row in "${ETCD_VERSION_TABLE[@]}"; do
		# shellcheck disable=SC2086 # the row's words are the arguments
		set -- $row
		[ "$1" = "$ver" ] || continue
		mkdir -p "$EV_CACHE" || return 2
		(
			flock -w 600 9 || { ev_say "cache $EV_CACHE is locked"; exit 2; }
			[ -x "$EV_CACHE/$ver/etcd" ] && [ -x "$EV_CACHE/$ver/etcdctl" ] && exit 0
			ev_fetch "$@"
		) 9>"$EV_CACHE/.lock"
		rc=$?
		[ $rc = 0 ] && echo "$EV_CACHE/$ver"
		return $rc
	done
	ev_say "unknown etcd version '$ver' (known: $(ev_list | tr '\n' ' '))"
	return 2
}

ev_list() {
	local row
	echo 3.4
	for row in "${ETCD_VERSION_TABLE[@]}"; do echo "${row%% *}"; done
}

etcd_use_version() {
	local d
	if [ -n "${ETCD_VERSION:-}" ]; then
		d=$(ev_dir "$ETCD_VERSION") || return $?
		case ":$PATH:" in
		"$d":*) ;;
		*) PATH=$d:$PATH ;;
		esac
		export PATH
		# etcd takes every ETCD_* variable of its environment for a flag (ETCD_VERSION=3.4 is
		# "--version=3.4": it refuses to start), so the selector stays in this shell only
		export -n ETCD_VERSION
	fi
	ETCD_VERSION_FULL=$(etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p')
	[ -n "$ETCD_VERSION_FULL" ] || { ev_say "no runnable etcd on PATH"; return 2; }
}

# Sourced: the functions only.
[[ ${BASH_SOURCE[0]} != "$0" ]] && return 0
set -u
case ${1:-} in
dir) [ $# = 2 ] || { ev_say "usage: dir VERSION"; exit 2; }; ev_dir "$2" ;;
full)
	[ $# = 2 ] || { ev_say "usage: full VERSION"; exit 2; }
	d=$(ev_dir "$2") || exit $?
	"$d/etcd" --version | sed -n 's/^etcd Version: //p'
	;;
list) ev_list ;;
*) ev_say "usage: etcd-versions.sh dir|full VERSION, or list"; exit 2 ;;
esac
