#!/usr/bin/env bash
# etcd-versions: none
# deploy/man: etcd-probe(1), etcd-diag(1), etcd-install(8) against the programs they describe.
#   - every option the program's --help names is a tag in the page's OPTIONS
#   - every option tagged in OPTIONS exists: named in --help, or else accepted by the program
#     (`PROG OPTION [VALUE] -h` does not answer "unknown/unrecognized option"; -h ends the parse
#     before anything is done, and the environment is emptied so no input comes from it)
#   - the sections a man page needs are there; groff -man -ww and man -l render it without a warning
#   - make install DESTDIR=... puts the pages in share/man/man1 and man8, mode 0644
set -u
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib/tap.sh
. tests/lib/tap.sh

for c in groff:groff-base man:man-db; do
	command -v "${c%%:*}" >/dev/null 2>&1 || sh tests/lib/need-packages.sh "${c#*:}" >&2
done
TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

PAGES=(
	"build/etcd-probe deploy/man/etcd-probe.1"
	"build/etcd-diag deploy/man/etcd-diag.1"
	"deploy/etcd-install deploy/man/etcd-install.8"
)
SECTIONS=(NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" FILES ENVIRONMENT EXAMPLES "SEE ALSO")
# An option: -X or --long-name, not inside a word (etcd-probe.service, 127.0.0.1:2379-...).
OPT_RE='(^|[^A-Za-z0-9_.-])(--[a-z][a-z0-9-]*[a-z0-9]|-[A-Za-z])'

# Named in a --help but not an option of that program: etcd's own flag (etcd-probe --help says
# where kubeadm's members serve /metrics).
NOT_OURS='^--listen-metrics-urls$'

# options_in TEXT-FILE: the options named in it, one per line, sorted.
options_in() { grep -oE "$OPT_RE" "$1" | sed -E 's/^[^-]//' | grep -vE "$NOT_OURS" | sort -u; }

# man_plain PAGE: the roff source with font escapes, \- and quotes made plain.
man_plain() { sed -E 's/\\f[BIRP]//g; s/\\-/-/g; s/\\\(aq/'"'"'/g; s/"//g' "$1"; }

# man_tags PAGE: the tag lines of OPTIONS (the line after each .TP / .TQ).
man_tags() {
	man_plain "$1" | awk '/^\.SH /{ in_o = ($0 == ".SH OPTIONS"); next }
		in_o && /^\.(TP|TQ)/ { tag = 1; next }
		in_o && tag { print; tag = 0 }'
}

# takes_value TAGLINE OPTION: true when OPTION is followed by a value in the tag (" F", "=FILE"),
# false for a flag or an optional value ("[=PREFIX]").
takes_value() {
	local rest=${1#*"$2"}
	rest=${rest# }
	case $rest in
	"" | ,* | -* | "["*) return 1 ;;
	*) return 0 ;;
	esac
}

for entry in "${PAGES[@]}"; do
	prog=${entry% *} page=${entry#* }
	name=$(basename "$page")
	if [ ! -x "$prog" ]; then notok "$name: $prog exists" "build first (make)"; continue; fi
	if [ ! -f "$page" ]; then notok "$name exists" "$page is missing"; continue; fi

	timeout 10 env -i PATH="$PATH" "$prog" --help >"$TMP/help" 2>&1
	options_in "$TMP/help" >"$TMP/help.opts"
	man_tags "$page" >"$TMP/tags"
	options_in "$TMP/tags" >"$TMP/man.opts"
	if [ ! -s "$TMP/help.opts" ] || [ ! -s "$TMP/man.opts" ]; then
		notok "$name: options found in --help and in OPTIONS" "--help: $(wc -l <"$TMP/help.opts"), OPTIONS: $(wc -l <"$TMP/man.opts")"
		continue
	fi

	undocumented=$(comm -23 "$TMP/help.opts" "$TMP/man.opts" | tr '\n' ' ')
	if [ -z "$undocumented" ]; then
		ok "$name: every option of $(basename "$prog") --help is in OPTIONS ($(wc -l <"$TMP/help.opts") options)"
	else
		notok "$name: every option of $(basename "$prog") --help is in OPTIONS" \
			"in --help, not documented in $page OPTIONS: $undocumented"
	fi

	missing=()
	while read -r opt; do
		grep -qxF -- "$opt" "$TMP/help.opts" && continue
		tag=$(grep -m1 -E -- "(^|[^A-Za-z0-9_.-])$opt([^a-z0-9-]|\$)" "$TMP/tags")
		args=("$opt")
		takes_value "$tag" "$opt" && args+=(1)
		timeout 10 env -i PATH="$PATH" "$prog" "${args[@]}" -h >"$TMP/try" 2>&1
		if grep -qiE 'unknown option|unrecognized option|invalid option' "$TMP/try"; then
			missing+=("$opt ($(grep -m1 -iE 'unknown option|unrecognized option|invalid option' "$TMP/try"))")
		fi
	done <"$TMP/man.opts"
	if [ ${#missing[@]} = 0 ]; then
		ok "$name: every option documented in OPTIONS exists in $(basename "$prog") ($(wc -l <"$TMP/man.opts") options)"
	else
		notok "$name: every option documented in OPTIONS exists in $(basename "$prog")" \
			"documented in $page, but $(basename "$prog") does not know it:" "${missing[@]}"
	fi

	absent=()
	for s in "${SECTIONS[@]}"; do
		grep -qxE "\\.SH \"?$s\"?" "$page" || absent+=("$s")
	done
	if [ ${#absent[@]} = 0 ]; then ok "$name: has ${#SECTIONS[@]} sections, NAME to SEE ALSO"; else
		notok "$name: has NAME to SEE ALSO" "sections missing: ${absent[*]}"; fi

	warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	manerr=$(LC_ALL=C.UTF-8 MANWIDTH=80 timeout 20 man --warnings -l "$page" 2>&1 >"$TMP/rendered")
	rc=$?
	if [ -z "$warn" ] && [ -z "$manerr" ] && [ "$rc" = 0 ] && grep -q "^NAME" "$TMP/rendered"; then
		ok "$name: groff -man -ww and man -l render it without warnings"
	else
		notok "$name: groff -man -ww and man -l render it without warnings" "groff: $warn" "man (exit $rc): $manerr"
	fi
done

# make install puts the pages where man looks for them
dest=$TMP/dest
if make -s install DESTDIR="$dest" PREFIX=/usr/local >"$TMP/install.out" 2>&1; then
	bad=()
	for f in man1/etcd-probe.1 man1/etcd-diag.1 man8/etcd-install.8; do
		p=$dest/usr/local/share/man/$f
		if [ ! -f "$p" ]; then bad+=("$f missing"); continue; fi
		[ "$(stat -c %a "$p")" = 644 ] || bad+=("$f mode $(stat -c %a "$p")")
		cmp -s "$p" "deploy/man/$(basename "$f")" || bad+=("$f differs from deploy/man")
	done
	if [ ${#bad[@]} = 0 ]; then ok "make install DESTDIR= installs the three pages (share/man/man1, man8, 0644)"; else
		notok "make install DESTDIR= installs the three pages (share/man/man1, man8, 0644)" "${bad[@]}"; fi
else
	notok "make install DESTDIR= installs the three pages (share/man/man1, man8, 0644)" "$(tail -5 "$TMP/install.out")"
fi
exit "$FAILED"
