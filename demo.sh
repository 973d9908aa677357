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
# What the demo runs grows with the suite: today it parses the demo
# configuration with amgetconf and runs a level-0 and a level-1 backup of
# the sample directory through the amgtar application, then restores both
# images into an empty directory and compares.
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
export AMANDA_TMPDIR="$demo/tmp"
rm -rf "$demo/etc" "$demo/state" "$demo/log" "$demo/tmp" "$demo/vtapes" "$demo/holding" \
       "$demo/sample" "$demo/restored" "$demo/images"
mkdir -p "$AMANDA_CONFIG_DIR/demo" "$AMANDA_GNUTAR_LISTDIR" "$AMANDA_DBGDIR" "$AMANDA_TMPDIR" \
         "$demo/vtapes" "$demo/holding" "$demo/images" "$demo/restored"

say "writing the demo configuration to $AMANDA_CONFIG_DIR/demo"
for f in amanda.conf disklist; do
    sed -e "s|@DEMO@|$demo|g" "$top/example/demo/$f" > "$AMANDA_CONFIG_DIR/demo/$f"
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

if [ -x "$inst/sbin/amgetconf" ]; then
    say "amgetconf demo: the configuration parses"
    for p in org dumpcycle tapecycle tapetype tpchanger dumptype:demo-tar:program; do
        printf '  %-28s %s\n' "$p" "$(amgetconf demo "$p")"
    done
fi

amgtar="$inst/libexec/amanda/application/amgtar"
if [ -x "$amgtar" ]; then
    say "backup level 0 of $sample through amgtar"
    common=(--config demo --host localhost --disk "$sample" --device "$sample"
            --gnutar-listdir "$AMANDA_GNUTAR_LISTDIR")
    "$amgtar" backup "${common[@]}" --level 0 --record --index line \
        > "$demo/images/level0.tar" 3> "$demo/images/level0.mesg" 4> "$demo/images/level0.index"
    grep 'sendbackup: size' "$demo/images/level0.mesg"
    echo "  index: $(wc -l < "$demo/images/level0.index") entries"

    say "changing files and taking a level 1"
    sleep 1
    echo "changed after the full" >> "$sample/docs/doc5.txt"
    echo "new file" > "$sample/docs/new-after-full.txt"
    rm "$sample/docs/doc7.txt"
    "$amgtar" backup "${common[@]}" --level 1 --record --index line \
        > "$demo/images/level1.tar" 3> "$demo/images/level1.mesg" 4> "$demo/images/level1.index"
    grep 'sendbackup: size' "$demo/images/level1.mesg"

    say "restoring level 0 then level 1 into $demo/restored"
    (cd "$demo/restored" && "$amgtar" restore --config demo --disk "$sample" --level 0 < "$demo/images/level0.tar" \
        && "$amgtar" restore --config demo --disk "$sample" --level 1 < "$demo/images/level1.tar")
    if diff -r --no-dereference "$sample" "$demo/restored"; then
        say "demo: restored tree is identical to the sample directory (diff -r clean)"
    else
        say "demo: RESTORE DIFFERS from the sample directory"; exit 1
    fi
fi
say "demo done; debug logs are under $AMANDA_DBGDIR"
