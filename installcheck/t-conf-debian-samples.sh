#!/bin/bash
# End-to-end check of the configuration parser: the sample files shipped
# by Debian's amanda-common 3.5.1 must parse with no error through the
# INSTALLED amgetconf ($PREFIX/sbin/amgetconf).  Each sample is placed in a
# temp config dir as CONF/amanda.conf (AMANDA_CONFIG_DIR points there).
#
# What "parses with no error" means per file (warnings are allowed):
#  - doc/amanda.conf.gz: used as is; spot values are checked.
#  - doc/disklist: read with the sample amanda.conf (which defines every
#    dumptype it names).  One entry names interface "le0", which the
#    sample amanda.conf does not define (AMANDA itself rejects an
#    undefined interface), so that config gets a one-line stub
#    "define interface le0" appended; nothing else is changed.
#  - doc/amanda-client.conf: used as $AMANDA_CONFIG_DIR/amanda-client.conf.
#  - template.d/amanda-*.conf: complete configs written by amserverconfig,
#    which also copies dumptypes/tapetypes to /etc/amanda/template.d and
#    advanced.conf next to amanda.conf.  We do the same: advanced.conf is
#    copied beside each config and the absolute /etc/amanda/template.d/
#    include paths are pointed at the packaged copies.
#  - template.d/advanced.conf and tapetypes parse on their own; dumptypes
#    names a parent "global" defined by the including config, so it is
#    only checked through the templates.  *.in files are unsubstituted
#    templates and chg-manual.conf is not amanda.conf syntax: skipped.
# TAP output; exits non-zero on failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

AMGETCONF=$PREFIX/sbin/amgetconf
DOC=/usr/share/doc/amanda-common
TPL=/usr/share/amanda-common/template.d
CD=$AMANDA_CONFIG_DIR

if [ ! -d "$DOC" ] || [ ! -d "$TPL" ]; then
    echo "# amanda-common is not installed: nothing to compare with"
    ok "skipped: no Debian amanda-common samples # SKIP"
    done_testing
    exit $?
fi

# agc DESCRIPTION EXPECTED ARGS...: amgetconf must succeed and print EXPECTED
agc() {
    local d=$1 want=$2; shift 2
    local got
    if got=$("$AMGETCONF" "$@" 2>"$T/err"); then
        is "$d" "$got" "$want"
    else
        not_ok "$d (exit status $?)"
        sed 's/^/#   /' "$T/err"
    fi
}

# parses NAME DESCRIPTION: amgetconf NAME must load the config without error
parses() {
    if "$AMGETCONF" "$1" org >/dev/null 2>"$T/err"; then
        ok "$2"
    else
        not_ok "$2"
        sed 's/^/#   /' "$T/err"
    fi
}

# --- doc/amanda.conf.gz
mkdir -p "$CD/sample"
gunzip -c "$DOC/amanda.conf.gz" >"$CD/sample/amanda.conf"
parses sample "doc/amanda.conf parses"
agc "sample org" DailySet1 sample org
agc "sample dumpcycle 4 weeks = 28 days" 28 sample dumpcycle
agc "sample netusage 8000 Kbps" 8000 sample netusage
agc "sample tapetype HP-DAT length in KiB" 1976320 sample tapetype:HP-DAT:length
agc "sample part_size inherited from tapetype global" 3145728 sample tapetype:DLT:part_size
agc "sample holdingdisk hd1 use -100 Mb" -102400 sample holdingdisk:hd1:use
agc "sample comp-user-tar compress" "CLIENT FAST" sample dumptype:comp-user-tar:compress
agc "sample comp-user-tar inherits index from root-tar" yes sample dumptype:comp-user-tar:index
agc "sample taperscan" taper_lexical sample taperscan

# --- doc/disklist with the sample amanda.conf (+ interface stub, see above)
mkdir -p "$CD/sample-dl"
cp "$CD/sample/amanda.conf" "$CD/sample-dl/amanda.conf"
printf 'define interface le0 {\n    comment "stub for the sample disklist"\n}\n' \
    >>"$CD/sample-dl/amanda.conf"
cp "$DOC/disklist" "$CD/sample-dl/disklist"
want=$(grep -Ec '^[a-z][a-z]*[[:space:]]+/?[A-Za-z0-9/]' "$DOC/disklist")
if n=$("$AMGETCONF" sample-dl --list disklist 2>"$T/err" | wc -l) && [ ! -s "$T/err" ]; then
    is "doc/disklist parses: every entry listed" "$n" "$want"
else
    not_ok "doc/disklist parses"
    sed 's/^/#   /' "$T/err"
fi

# --- doc/amanda-client.conf
cp "$DOC/amanda-client.conf" "$CD/amanda-client.conf"
agc "amanda-client.conf parses: index_server" localhost --client index_server
agc "amanda-client.conf auth" bsdtcp --client auth
agc "amanda-client.conf conf" DailySet1 --client conf

# --- template.d
for f in "$TPL"/amanda-*.conf; do
    name=$(basename "$f" .conf)
    mkdir -p "$CD/$name"
    sed "s|/etc/amanda/template.d/|$TPL/|g" "$f" >"$CD/$name/amanda.conf"
    cp "$TPL/advanced.conf" "$CD/$name/"
    parses "$name" "template.d/$name.conf parses"
done
agc "template harddisk tapetype" HARDDISK amanda-harddisk tapetype
agc "template harddisk part_size 500 mbytes" 512000 amanda-harddisk tapetype:HARDDISK:part_size
for frag in advanced.conf tapetypes; do
    mkdir -p "$CD/frag-$frag"
    cp "$TPL/$frag" "$CD/frag-$frag/amanda.conf"
    parses "frag-$frag" "template.d/$frag parses on its own"
done

# --- a broken config is refused with FILE:LINE messages and status 1
mkdir -p "$CD/broken"
printf 'org "x"\ndumpcycle ten\nnosuchparam 1\n' >"$CD/broken/amanda.conf"
if "$AMGETCONF" broken org >/dev/null 2>"$T/err"; then
    not_ok "broken config is refused"
else
    ok "broken config is refused"
fi
check "broken config: both errors reported with file and line" \
    grep -q "broken/amanda.conf:3: unknown parameter \"nosuchparam\"" "$T/err"
check "broken config: first error reported too" \
    grep -q "broken/amanda.conf:2: dumpcycle: a number is expected" "$T/err"

done_testing
