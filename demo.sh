#!/usr/bin/env bash
# demo.sh: set up everything on a fresh Debian 12 machine and run the demo.
#
# It installs the build dependencies (apt-get, as root or through sudo),
# builds the suite, installs it under ./_demo/inst (nothing outside this
# directory is touched), writes the built-in demo configuration
# (example/demo/) with every path under ./_demo, makes a sample directory,
# backs it up and restores it, and checks that the restored files equal the
# originals byte for byte.
#
# The demo labels five vtapes, runs amcheck, then two amdump runs (a full,
# then an incremental after changing files) with their reports, lists the
# catalogue with amadmin find, and restores the directory as of each run
# with amfetchdump + GNU tar, comparing with a copy taken at that time.
set -euo pipefail
top=$(cd "$(dirname "$0")" && pwd)
demo="$top/_demo"
inst="$demo/inst"
say() { printf '\n>>> %s\n' "$*"; }

say "installing build dependencies (if any are missing)"
. "$top/.ci/deps.sh"
CI_WANT_TEST_DEPS= ci_install_deps

say "building and installing into $inst"
if [ ! -x "$top/configure" ]; then (cd "$top" && autoreconf -fi); fi
mkdir -p "$demo/build"
if [ ! -f "$demo/build/Makefile" ]; then
    (cd "$demo/build" && "$top/configure" -q --prefix="$inst" CFLAGS="-O2 -g -Wall -Wextra")
fi
make -C "$demo/build" -s -j2
make -C "$demo/build" -s install >/dev/null

export PATH="$inst/sbin:$PATH"
export AMANDA_CONFIG_DIR="$demo/etc/amanda"
export AMANDA_STATEDIR="$demo/state"
export AMANDA_GNUTAR_LISTDIR="$demo/state/gnutar-lists"
export AMANDA_DBGDIR="$demo/log"
export AMANDA_LIBEXECDIR="$inst/libexec/amanda"
export AMANDA_APPLICATION_DIR="$inst/libexec/amanda/application"
export AMANDA_SBINDIR="$inst/sbin"
export AMANDA_TMPDIR="$demo/tmp"
rm -rf "$demo/etc" "$demo/state" "$demo/log" "$demo/tmp" "$demo/vtapes" "$demo/holding" \
       "$demo/sample" "$demo/restored" "$demo/images"
mkdir -p "$AMANDA_CONFIG_DIR/demo" "$AMANDA_GNUTAR_LISTDIR" "$AMANDA_DBGDIR" "$AMANDA_TMPDIR" \
         "$demo/vtapes" "$demo/holding" "$demo/images" "$demo/restored"

say "writing the demo configuration to $AMANDA_CONFIG_DIR/demo"
for f in amanda.conf disklist; do
    sed -e "s|@DEMO@|$demo|g" -e "s|@USER@|$(id -un)|g" "$top/example/demo/$f" > "$AMANDA_CONFIG_DIR/demo/$f"
done

say "making the sample directory $demo/sample"
sample="$demo/sample"
mkdir -p "$sample/docs/deep/er" "$sample/bin"
for i in $(seq 1 200); do
    printf 'line %d of a sample document\n' $(seq 1 $((i * 3))) > "$sample/docs/doc$i.txt"
done
head -c 3000000 /dev/urandom > "$sample/bin/random.dat"
cp /etc/os-release "$sample/docs/deep/er/os-release"
ln -s ../docs/doc1.txt "$sample/bin/link-to-doc1"
ln "$sample/docs/doc2.txt" "$sample/docs/hardlink-to-doc2"
echo "a file with a blank in its name" > "$sample/docs/name with blank.txt"

say "amgetconf demo: the configuration parses"
for p in org dumpcycle tapecycle tapetype tpchanger dumptype:demo-tar:program; do
    printf '  %-28s %s\n' "$p" "$(amgetconf demo "$p")"
done

say "labelling five vtapes with amlabel"
mkdir -p "$AMANDA_STATEDIR/log" "$AMANDA_STATEDIR/index" "$AMANDA_STATEDIR/curinfo"
for s in 1 2 3 4 5; do
    mkdir -p "$demo/vtapes/slot$s"
    amlabel demo "demo-0$s" slot "$s"
done

say "amcheck demo"
amcheck demo

run_amdump() {
    say "amdump demo ($1)"
    amdump demo
    # amdump ran amreport; with no mailto the report is kept in the log dir.
    cat "$(ls -t "$AMANDA_STATEDIR"/log/amreport.* | head -1)"
}
snapshot() { rm -rf "$demo/snap$1"; cp -a "$sample" "$demo/snap$1"; }

snapshot 0
run_amdump "first run: a full dump"

say "changing files, then the second run (an incremental)"
sleep 1
echo "changed after the full" >> "$sample/docs/doc5.txt"
echo "new file" > "$sample/docs/new-after-full.txt"
rm "$sample/docs/doc7.txt"
snapshot 1
run_amdump "second run"

say "amadmin demo find: every dump in the catalogue"
amadmin demo find

# restore_as_of N: fetch every dump up to run N with amfetchdump and
# extract them in order (full, then incrementals) with GNU tar.
restore_as_of() {
    local dest="$demo/restored$1" n=0
    rm -rf "$dest"; mkdir -p "$dest"
    amadmin demo find localhost | awk 'NR > 1 && $1 ~ /^[0-9]/ { print $1, $2, $5 }' | sort |
    while read -r date time level; do
        [ "$n" -le "$1" ] || break
        stamp=$(echo "$date$time" | tr -d ':-')
        echo "  amfetchdump -p demo localhost $sample $stamp $level | tar -x -G -C $dest"
        amfetchdump -p demo localhost "$sample" "$stamp" "$level" | tar -x -G -f - -C "$dest"
        n=$((n + 1))
    done
    if diff -r --no-dereference "$demo/snap$1" "$dest"; then
        say "demo: the tree restored as of run $((1 + $1)) equals the sample directory at that time (diff -r clean)"
    else
        say "demo: RESTORE DIFFERS from the sample directory as of run $((1 + $1))"; exit 1
    fi
}
restore_as_of 0
restore_as_of 1
say "demo done: vtapes in $demo/vtapes, catalogue in $AMANDA_STATEDIR, debug logs in $AMANDA_DBGDIR"
