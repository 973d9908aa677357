#!/bin/bash
# End-to-end test of the amgtar application plugin against an installed
# prefix ($PREFIX): level 0 and level 1 backups of a generated tree,
# restores with plain GNU tar and with `amgtar restore`, index, state,
# estimates, selfcheck, validate and the privileged helper's refusals.
# TAP output; exits non-zero when a check fails.  Runs as root or not.
set -u

PREFIX=${PREFIX:?set PREFIX to the install prefix}
AMGTAR=$PREFIX/libexec/amanda/application/amgtar
RUNTAR=$PREFIX/libexec/amanda/amgtar-runtar
TAR=${GNUTAR:-tar}
PY=$(command -v python3 || true)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/t-amgtar.XXXXXX") || exit 1
[ -n "${KEEP:-}" ] || trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
chmod 755 "$WORK"
export AMANDA_DBGDIR=$WORK/debug AMANDA_TMPDIR=$WORK/tmp
unset AMANDA_GNUTAR_LISTDIR
SRC=$WORK/src
LIST=$WORK/lists
HOST=testhost
N=0
FAILED=0

ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"; }
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}
diag() { sed 's/^/# /' "$@" >&2; }

amgtar_backup() { # amgtar_backup LEVEL OUTPREFIX [extra options]
    local level=$1 out=$2; shift 2
    "$AMGTAR" backup --config T --host "$HOST" --disk "$SRC" --device "$SRC" \
        --level "$level" --message line --index line --gnutar-listdir "$LIST" \
        --state-stream 5 "$@" >"$out.img" 3>"$out.mesg" 4>"$out.index" 5>"$out.state"
}

# A manifest line per path: type, mode, size, mtime, link target, content
# digest, hard-link group.  Directory mtimes are left out: restoring into a
# directory legitimately changes them between levels.
manifest() {
    "$PY" - "$1" <<'EOF'
import hashlib, os, stat, sys
root = sys.argv[1]
seen = {}
out = []
for dirpath, dirs, files in os.walk(root):
    dirs.sort()
    for name in sorted(dirs + files):
        p = os.path.join(dirpath, name)
        rel = os.path.relpath(p, root)
        st = os.lstat(p)
        kind = stat.S_IFMT(st.st_mode)
        line = [repr(rel), oct(stat.S_IMODE(st.st_mode)), str(kind)]
        if stat.S_ISREG(kind):
            with open(p, 'rb') as f:
                line += [str(st.st_size), str(int(st.st_mtime)), hashlib.sha1(f.read()).hexdigest()]
            key = (st.st_dev, st.st_ino)
            line.append('link-group=' + seen.setdefault(key, repr(rel)))
        elif stat.S_ISLNK(kind):
            line += [os.readlink(p), str(int(st.st_mtime))]
        out.append(' '.join(line))
print('\n'.join(sorted(out)))
EOF
}

# Paths as index lines: rooted at "/", directories with a trailing "/",
# backslashes and newlines escaped the way GNU tar lists them.
expected_index() {
    "$PY" - "$1" <<'EOF'
import os, sys
root = sys.argv[1]
def esc(s):
    return s.replace('\\', '\\\\').replace('\n', '\\n')
out = ['/']
for dirpath, dirs, files in os.walk(root):
    for d in dirs:
        p = os.path.join(dirpath, d)
        out.append('/' + esc(os.path.relpath(p, root)) + ('' if os.path.islink(p) else '/'))
    for f in files:
        out.append('/' + esc(os.path.relpath(os.path.join(dirpath, f), root)))
print('\n'.join(sorted(out)))
EOF
}

is_sparse() { # allocated bytes well below the apparent size
    local f=$1
    [ $(( $(stat -c %b "$f") * $(stat -c %B "$f") )) -lt $(( $(stat -c %s "$f") / 2 )) ]
}

make_tree() {
    mkdir -p "$SRC/dir with blank/sub" "$SRC/empty" "$SRC/deep/a/b/c"
    echo "plain" >"$SRC/plain.txt"
    echo "secret" >"$SRC/private"; chmod 600 "$SRC/private"
    printf '#!/bin/sh\necho hi\n' >"$SRC/script.sh"; chmod 755 "$SRC/script.sh"
    echo "ro" >"$SRC/readonly"; chmod 444 "$SRC/readonly"
    head -c 300000 /dev/urandom >"$SRC/dir with blank/random.bin"
    echo "blank" >"$SRC/dir with blank/file with blanks.txt"
    echo "back" >"$SRC/back\\slash"
    echo "nl" >"$SRC/new"$'\n'"line"
    echo "deep" >"$SRC/deep/a/b/c/leaf"
    for i in $(seq 1 40); do echo "log line $i" >"$SRC/dir with blank/sub/f$i.log"; done
    echo "old" >"$SRC/old.txt"; touch -d '2001-02-03 04:05:06' "$SRC/old.txt"
    echo "gone soon" >"$SRC/to-delete"
    mkdir "$SRC/dir-to-delete"; echo x >"$SRC/dir-to-delete/x"
    ln -s plain.txt "$SRC/link-to-plain"
    ln -s "does not exist" "$SRC/dangling"
    ln -s "dir with blank" "$SRC/link-to-dir"
    ln "$SRC/plain.txt" "$SRC/hardlink-to-plain"
    ln "$SRC/deep/a/b/c/leaf" "$SRC/dir with blank/leaf-hardlink"
    truncate -s 20M "$SRC/sparse.img"
    echo "middle" | dd of="$SRC/sparse.img" bs=1 seek=10000000 conv=notrunc status=none
    echo "end" >>"$SRC/sparse.img"
    touch -d '2020-01-01 12:00:00' "$SRC/plain.txt"
}

echo "1..45"
if [ ! -x "$AMGTAR" ] || [ -z "$PY" ]; then
    echo "Bail out! $AMGTAR not installed or python3 missing"
    exit 1
fi
make_tree

# --- support, selfcheck, bad options -----------------------------------
"$AMGTAR" support >"$WORK/support"
check "support claims MAX-LEVEL 399, INDEX-LINE and STATE-STREAM" \
    grep -qx "MAX-LEVEL 399" "$WORK/support"
check "support says INDEX-XML NO" grep -qx "INDEX-XML NO" "$WORK/support"

"$AMGTAR" selfcheck --config T --host "$HOST" --disk "$SRC" --device "$SRC" \
    --gnutar-listdir "$LIST" >"$WORK/selfcheck" 2>&1
check "selfcheck prints OK lines with the tar version" \
    grep -q "^OK amgtar gtar-version [0-9]" "$WORK/selfcheck"
check "selfcheck has no ERROR for a good DLE" bash -c "! grep -q '^ERROR' '$WORK/selfcheck'"
"$AMGTAR" selfcheck --host "$HOST" --disk "$WORK/missing" --gnutar-listdir "$LIST" \
    >"$WORK/selfcheck2" 2>&1
check "selfcheck reports ERROR for a missing directory" \
    grep -q "^ERROR amgtar: directory $WORK/missing" "$WORK/selfcheck2"
if "$AMGTAR" backup --disk "$SRC" --frobnicate yes 2>"$WORK/badopt"; then
    not_ok "unknown option is refused"
else
    check "unknown option is refused with its name" grep -q "unknown option --frobnicate" "$WORK/badopt"
fi

# --- level 0 -------------------------------------------------------------
if amgtar_backup 0 "$WORK/l0" --record; then ok "level 0 backup exits 0"; else not_ok "level 0 backup exits 0"; diag "$WORK/l0.mesg"; fi
tar_line() { # the tar command line of the newest backup, from amgtar's debug logs
    local newest
    newest=$(ls -t $(grep -rl "running .*--create --file - " "$WORK/debug") | head -1)
    grep -h "running .*--create --file - " "$newest" | tail -1
}
check "CHECK-DEVICE defaults to yes, as in AMANDA: no --no-check-device for tar" \
    bash -c '[ -n "$1" ] && ! echo "$1" | grep -q -- --no-check-device' _ "$(tar_line)"
amgtar_backup 0 "$WORK/nc" --check-device no
check "CHECK-DEVICE no gives tar --no-check-device" \
    bash -c 'echo "$1" | grep -q -- --no-check-device' _ "$(tar_line)"
size0=$(stat -c %s "$WORK/l0.img")
kb=$(sed -n 's/^sendbackup: size \([0-9]*\)$/\1/p' "$WORK/l0.mesg")
check "sendbackup: size ($kb) is the image size/1024 ($((size0 / 1024)))" \
    test "${kb:-x}" = "$((size0 / 1024))"
check "level 0 messages have no error or strange line" \
    bash -c "! grep -qE '^(\\?|sendbackup: error)' '$WORK/l0.mesg'"
expected_index "$SRC" >"$WORK/l0.expected-index"
sort "$WORK/l0.index" >"$WORK/l0.sorted-index"
if cmp -s "$WORK/l0.expected-index" "$WORK/l0.sorted-index"; then ok "level 0 index lists every path"
else not_ok "level 0 index lists every path"; diff "$WORK/l0.expected-index" "$WORK/l0.sorted-index" | diag; fi
check "state stream has one '<record> <path>' line per index line" \
    bash -c "[ \$(grep -cE '^[0-9]+ /' '$WORK/l0.state') -eq \$(wc -l <'$WORK/l0.index') ] && head -1 '$WORK/l0.state' | grep -qx '0 /'"
snap0="$LIST/${HOST}_$(echo "$SRC" | tr '/' '_')_0"
check "level 0 snapshot recorded as $snap0" bash -c "head -c 8 '$snap0' | grep -q 'GNU tar-'"
check "no .new snapshot is left behind" bash -c "! ls '$LIST' | grep -q '\\.new$'"

mkdir "$WORK/r0"
"$TAR" -x --listed-incremental=/dev/null -f "$WORK/l0.img" -C "$WORK/r0"
manifest "$SRC" >"$WORK/src0.manifest"
manifest "$WORK/r0" >"$WORK/r0.manifest"
if cmp -s "$WORK/src0.manifest" "$WORK/r0.manifest"; then ok "plain tar restores content, modes, mtimes, symlinks and hard links"
else not_ok "plain tar restores content, modes, mtimes, symlinks and hard links"; diff "$WORK/src0.manifest" "$WORK/r0.manifest" | diag; fi
check "sparse file is still sparse after restore" is_sparse "$WORK/r0/sparse.img"
check "validate accepts the image" "$AMGTAR" validate <"$WORK/l0.img"
head -c 2000 /dev/urandom >"$WORK/garbage"
check "validate refuses garbage" bash -c "! '$AMGTAR' validate <'$WORK/garbage' 2>/dev/null"
"$AMGTAR" index <"$WORK/l0.img" | sort >"$WORK/l0.index-cmd"
check "index command gives the same lines as the backup" cmp -s "$WORK/l0.index-cmd" "$WORK/l0.sorted-index"

# --- estimates -------------------------------------------------------------
"$AMGTAR" estimate --config T --host "$HOST" --disk "$SRC" --level 0 --level 1 \
    --gnutar-listdir "$LIST" >"$WORK/est" 2>&1
# Estimate lines are "LEVEL COUNT UNIT-KiB" (the application API): bytes = COUNT * UNIT * 1024.
est0=$(awk '$1 == 0 { print $2 * $3 * 1024 }' "$WORK/est")
est1=$(awk '$1 == 1 { print $2 * $3 * 1024 }' "$WORK/est")
check "estimate level 0 ($est0) is close to the image size ($size0)" \
    test "${est0:-0}" -ge $((size0 * 9 / 10)) -a "${est0:-0}" -le $((size0 * 11 / 10))
check "estimate level 1 ($est1) is below level 0" test "${est1:-0}" -gt 0 -a "${est1:-0}" -lt "${est0:-0}"
"$AMGTAR" estimate --config T --host "$HOST" --disk "$SRC" --level 0 --level 1 --calcsize \
    --gnutar-listdir "$LIST" >"$WORK/calc" 2>&1
calc0=$(awk '$1 == 0 { print $2 * $3 * 1024 }' "$WORK/calc")
calc1=$(awk '$1 == 1 { print $2 * $3 * 1024 }' "$WORK/calc")
check "calcsize level 0 ($calc0) is within 30% of the image size" \
    test "${calc0:-0}" -ge $((size0 * 7 / 10)) -a "${calc0:-0}" -le $((size0 * 13 / 10))
check "calcsize level 1 ($calc1) is below level 0" test "${calc1:-0}" -gt 0 -a "${calc1:-0}" -lt "${calc0:-0}"
"$AMGTAR" estimate --host "$HOST" --disk "$WORK/missing" --level 0 --gnutar-listdir "$LIST" \
    >"$WORK/est-bad" 2>&1
check "estimate of a missing directory prints ERROR" grep -q "^ERROR" "$WORK/est-bad"

# --- changes and level 1 ---------------------------------------------------
sleep 1
echo "appended" >>"$SRC/dir with blank/file with blanks.txt"
echo "brand new" >"$SRC/deep/new file.txt"
rm -f "$SRC/to-delete"
rm -rf "$SRC/dir-to-delete"
chmod 640 "$SRC/readonly"
touch "$LIST/${HOST}_$(echo "$SRC" | tr '/' '_')_2"     # a stale higher level
if amgtar_backup 1 "$WORK/l1" --record; then ok "level 1 backup exits 0"; else not_ok "level 1 backup exits 0"; diag "$WORK/l1.mesg"; fi
"$TAR" -tf "$WORK/l1.img" >"$WORK/l1.list"
check "level 1 holds the modified and new files" \
    bash -c "grep -qx './dir with blank/file with blanks.txt' '$WORK/l1.list' && grep -qx './deep/new file.txt' '$WORK/l1.list'"
check "level 1 does not hold unchanged files" \
    bash -c "! grep -qE '^\\./(plain\\.txt|sparse\\.img|old\\.txt|dir with blank/random\\.bin)$' '$WORK/l1.list'"
check "level 1 image is much smaller than level 0" test "$(stat -c %s "$WORK/l1.img")" -lt $((size0 / 4))
check "level 1 index has the new file and all directories" \
    bash -c "grep -qx '/deep/new file.txt' '$WORK/l1.index' && grep -qx '/deep/a/b/c/' '$WORK/l1.index'"
check "recording level 1 removed the stale level-2 snapshot" \
    test ! -e "$LIST/${HOST}_$(echo "$SRC" | tr '/' '_')_2"
mkdir "$WORK/r1"
"$TAR" -x --listed-incremental=/dev/null -f "$WORK/l0.img" -C "$WORK/r1"
"$TAR" -x --listed-incremental=/dev/null -f "$WORK/l1.img" -C "$WORK/r1"
manifest "$SRC" >"$WORK/src1.manifest"
manifest "$WORK/r1" >"$WORK/r1.manifest"
if cmp -s "$WORK/src1.manifest" "$WORK/r1.manifest"; then ok "restoring level 0 then 1 reproduces the changed tree"
else not_ok "restoring level 0 then 1 reproduces the changed tree"; diff "$WORK/src1.manifest" "$WORK/r1.manifest" | diag; fi
check "deleted file and directory are gone after the level 1 restore" \
    test ! -e "$WORK/r1/to-delete" -a ! -e "$WORK/r1/dir-to-delete"

check "a level above 9 works (level 12)" amgtar_backup 12 "$WORK/l12"
check "an unrecorded backup leaves no snapshot" \
    bash -c "! ls '$LIST' | grep -qE '_12(\\.new)?$'"
check "exclude-file keeps matching files out of the image" \
    bash -c "'$AMGTAR' backup --host '$HOST' --disk '$SRC' --level 0 \
        --gnutar-listdir '$LIST' --exclude-file '*.log' --index line \
        >/dev/null 3>/dev/null 4>'$WORK/ex.index' && ! grep -q '\\.log$' '$WORK/ex.index' \
        && grep -qx '/plain.txt' '$WORK/ex.index'"

# --- amgtar restore ----------------------------------------------------------
mkdir "$WORK/r2"
( cd "$WORK/r2" && "$AMGTAR" restore "/dir with blank/file with blanks.txt" <"$WORK/l0.img" )
check "restore of one named file extracts only that file" \
    bash -c "[ \"\$(cd '$WORK/r2' && find . -type f)\" = './dir with blank/file with blanks.txt' ]"
mkdir "$WORK/r3"
printf '%s\n' '/back\\slash' '/new\nline' >"$WORK/include-list"
"$AMGTAR" restore --target "$WORK/r3" --include-list "$WORK/include-list" <"$WORK/l0.img"
check "restore --include-list takes escaped index names" \
    bash -c "[ \$(find '$WORK/r3' -type f -printf x | wc -c) -eq 2 ] && [ -f '$WORK/r3/back\\slash' ] \
        && [ -f '$WORK/r3/new'$'\\n''line' ]"
check "restore refuses a path with .." \
    bash -c "! '$AMGTAR' restore --target '$WORK/r3' '../escape' <'$WORK/l0.img' 2>/dev/null"

# --- the privileged helper -----------------------------------------------------
check "helper refuses a relative disk" bash -c "! '$RUNTAR' estimate T h relative/dir 0 2>/dev/null"
ln -s "$SRC" "$WORK/srclink"
check "helper refuses a symlinked disk" bash -c "! '$RUNTAR' estimate T h '$WORK/srclink' 0 2>/dev/null"
check "helper refuses tar options and extra arguments" \
    bash -c "! '$RUNTAR' backup T h '$SRC' 0 --to-command=sh 2>/dev/null \
        && ! '$RUNTAR' --use-compress-program=sh backup T h '$SRC' 0 2>/dev/null \
        && ! '$RUNTAR' backup 'T;id' h '$SRC' 0 2>/dev/null \
        && ! '$RUNTAR' backup T h '$SRC' 400 2>/dev/null \
        && ! '$RUNTAR' backup-check-device T h '$SRC' 0 2>/dev/null"
HLIST=$PREFIX/var/lib/amanda/gnutar-lists
if mkdir -p "$HLIST" 2>/dev/null && [ -w "$HLIST" ]; then
    hsnap="$HLIST/${HOST}_$(echo "$SRC" | tr '/' '_')_0.est"
    : >"$hsnap"
    "$RUNTAR" estimate T "$HOST" "$SRC" 0 2>"$WORK/helper.out" >/dev/null
    check "helper runs a fixed tar estimate" grep -q "^Total bytes written: " "$WORK/helper.out"
    : >"$hsnap"
    "$RUNTAR" estimate-no-check-device T "$HOST" "$SRC" 0 2>"$WORK/helper2.out" >/dev/null
    check "helper runs the estimate with --no-check-device (CHECK-DEVICE no)" \
        grep -q "^Total bytes written: " "$WORK/helper2.out"
    rm -f "$hsnap"
else
    ok "helper runs a fixed tar estimate # SKIP $HLIST not writable"
fi

# As root with the dump user present: install a setuid copy of the helper
# and let amgtar (as that user) back up a directory it cannot read.
DUMPUSER=${AMGTAR_TEST_DUMPUSER:-backup}
if [ "$(id -u)" = 0 ] && id "$DUMPUSER" >/dev/null 2>&1 && command -v setpriv >/dev/null; then
    mkdir -p "$WORK/libexec" && cp "$RUNTAR" "$WORK/libexec/amgtar-runtar"
    chown root "$WORK/libexec/amgtar-runtar" && chmod 4755 "$WORK/libexec/amgtar-runtar"
    mkdir -p "$HLIST" && chown "$DUMPUSER" "$HLIST"
    chmod go+rx "$PREFIX/var" "$PREFIX/var/lib" "$PREFIX/var/lib/amanda"
    mkdir -m 700 "$WORK/rootonly" && echo "root data" >"$WORK/rootonly/f" && chmod 600 "$WORK/rootonly/f"
    mkdir -p "$WORK/debug" "$WORK/tmp" && chmod 777 "$WORK/debug" "$WORK/tmp"
    setpriv --reuid="$DUMPUSER" --regid="$(id -g "$DUMPUSER")" --clear-groups \
        env AMANDA_LIBEXECDIR="$WORK/libexec" "$AMGTAR" backup --config T --host "$HOST" \
        --disk "$WORK/rootonly" --level 0 --index line \
        >"$WORK/priv.img" 3>"$WORK/priv.mesg" 4>"$WORK/priv.index"
    check "setuid helper lets the dump user back up a root-only directory" \
        bash -c "grep -qx '/f' '$WORK/priv.index' && '$TAR' -xOf '$WORK/priv.img' ./f | grep -qx 'root data'"
else
    ok "setuid helper lets the dump user back up a root-only directory # SKIP needs root and user $DUMPUSER"
fi

echo "# $FAILED of $N checks failed"
[ "$FAILED" -eq 0 ]
