#!/bin/bash
# Every installed program has a man page, and every man page formats
# without groff warnings (a broken macro shows up as a warning).
. "$(dirname "$0")/lib.sh"
MANDIR="$PREFIX/share/man"
progs=$(ls "$PREFIX/sbin" "$PREFIX/libexec/amanda" "$PREFIX/libexec/amanda/application" 2>/dev/null \
        | grep -v ':$' | grep -v '^$' | grep -vx application | sort -u)
[ -n "$progs" ] || not_ok "no programs installed under $PREFIX"
for p in $progs; do
    # amgtar-runtar is amgtar's privileged helper, documented in amgtar(8).
    case $p in amgtar-runtar) page=amgtar ;; *) page=$p ;; esac
    if [ -f "$MANDIR/man8/$page.8" ] || [ -f "$MANDIR/man1/$page.1" ]; then
        ok "man page for $p"
    else
        not_ok "man page for $p (no $MANDIR/man8/$page.8)"
    fi
done
for f in "$MANDIR"/man*/*.[1-8]; do
    [ -f "$f" ] || continue
    warn=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$f" 2>&1)
    is "$(basename "$f") formats without warnings" "$warn" ""
done
done_testing
