#!/bin/bash
# The key interoperability check of our client: Debian's stock AMANDA 3.5.1
# server (amcheck, amdump, amfetchdump, run as user backup) talks to OUR
# amandad over bsdtcp on 127.0.0.1:10080 (the port stock bsdtcp always
# uses), and what it dumped restores identical to the source tree: level 0
# uncompressed and client-compressed (our zlib), then a level 1 that holds
# only the change and restores, over the level 0, to the changed tree.
#
# Needs root (port 10080, runuser).  A stock inetd serving 10080 is stopped
# for the duration and started again afterwards; the throwaway config
# /etc/amanda/amst-PID is removed at exit.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/amdump ] || [ ! -x /usr/sbin/amfetchdump ] ||
   ! getent passwd backup >/dev/null || ! command -v socat >/dev/null; then
    echo "1..0 # SKIP needs root, user backup, socat and Debian's amanda-server"
    exit 0
fi
CONF=amst-$$
PORT=10080
SOCAT_PID=
INETD_CMD=
as_backup() { timeout 300 runuser -u backup -- "$@"; }
cleanup() {
    [ -n "$SOCAT_PID" ] && kill "$SOCAT_PID" 2>/dev/null && wait "$SOCAT_PID" 2>/dev/null
    rm -rf "/etc/amanda/$CONF"
    if [ -n "$INETD_CMD" ]; then
        echo "# restarting the stock inetd: $INETD_CMD"
        $INETD_CMD
    fi
    cleanup_tmp
}
trap cleanup EXIT

# ---- port 10080: ours for the duration (one such test at a time) -----------
exec 9>/tmp/amanda-ng-port-10080.lock
flock -w 300 9 || { echo "1..0 # SKIP port 10080 lock busy for 5 minutes"; exit 0; }
listener() { ss -Hltnp "sport = :$PORT" 2>/dev/null; }
if listener | grep -q '"inetd"'; then
    pid=$(listener | sed -n 's/.*"inetd",pid=\([0-9]*\).*/\1/p' | head -1)
    INETD_CMD=$(tr '\0' ' ' < "/proc/$pid/cmdline")
    echo "# stopping the stock inetd (pid $pid) while our amandad has port $PORT"
    kill "$pid"
fi
for _ in $(seq 1 60); do [ -z "$(listener)" ] && break; sleep 1; done
if [ -n "$(listener)" ]; then
    echo "1..0 # SKIP port $PORT stays busy: $(listener | head -1)"
    exit 0
fi

# ---- our client: amandad under socat, as inetd would run it ----------------
export AMANDA_AMANDAHOSTS=$T/amandahosts
echo "localhost backup amdump" > "$AMANDA_AMANDAHOSTS"
chmod 600 "$AMANDA_AMANDAHOSTS"
socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" \
    "EXEC:$AMANDA_LIBEXECDIR/amandad -auth=bsdtcp amdump,nofork" 2>"$T/socat.err" &
SOCAT_PID=$!
for _ in $(seq 1 50); do [ -n "$(listener)" ] && break; sleep 0.1; done

# ---- the data: every kind of file tar must carry --------------------------
D=$T/data
mk_tree() {  # mk_tree DIR
    mkdir -p "$1/sub/deep" "$1/empty dir"
    ( cd "$1" || exit 1
      echo hello > a.txt; chmod 640 a.txt
      head -c 3000000 /dev/urandom > sub/big.bin
      seq 1 40000 > sub/numbers.txt; chmod 600 sub/numbers.txt
      echo spaced > "sub/deep/name with spaces"
      ln -s a.txt link; ln -s ../missing sub/dangling; ln a.txt hard.txt
      truncate -s 30M sparse; printf data | dd of=sparse bs=1 seek=15000000 conv=notrunc 2>/dev/null
      chmod 750 sub/deep
      find . -exec touch -h -d @1700000000 {} + )
}
mk_tree "$D/plain"
mk_tree "$D/zipped"
describe() {  # what must survive: types, modes, mtimes (tar keeps seconds), links,
              # sizes, contents, holes
    ( cd "$1" && find . -printf '%y %m %T@ %n %p -> %l\n' | awk '{ $3 = int($3); print }' |
          LC_ALL=C sort -k5 &&
      find . -type f -printf '%p %s\n' -exec md5sum {} + | LC_ALL=C sort &&
      find . -name sparse -printf '%b\n' | awk '{ print "sparse-holes-kept", ($1 < 1024) }' )
}

# ---- the stock server's configuration --------------------------------------
S=$T/srv
mkdir -p "/etc/amanda/$CONF" "$S/vt" "$S/st/curinfo" "$S/st/index" "$S/hold" "$T/lists"
: > "$S/st/tapelist"
cat > "/etc/amanda/$CONF/amanda.conf" <<EOF
org "$CONF"
mailto ""
dumpuser "backup"
infofile "$S/st/curinfo"
logdir "$S/st"
indexdir "$S/st/index"
tapelist "$S/st/tapelist"
dumpcycle 7
runspercycle 7
define changer vtapes {
  tpchanger "chg-disk:$S/vt"
  property "num-slot" "4"
  property "auto-create-slot" "yes"
}
tpchanger "vtapes"
define tapetype VTAPE {
  length 500 mbytes
}
tapetype "VTAPE"
labelstr "^$CONF-[0-9][0-9]*\$"
autolabel "$CONF-%%%" empty volume_error
holdingdisk hd1 {
  directory "$S/hold"
  use 200 mbytes
}
define application-tool app_amgtar {
  plugin "amgtar"
  property "GNUTAR-LISTDIR" "$T/lists"
}
define dumptype ours {
  program "APPLICATION"
  application "app_amgtar"
  auth "bsdtcp"
  index yes
  record yes
  estimate client
  compress none
  maxpromoteday 0
}
define dumptype ours-zipped {
  ours
  compress client fast
}
EOF
printf 'localhost %s ours\nlocalhost %s ours-zipped\n' "$D/plain" "$D/zipped" \
    > "/etc/amanda/$CONF/disklist"
chown -R backup:backup "/etc/amanda/$CONF" "$S"

# ---- amcheck ---------------------------------------------------------------
as_backup /usr/sbin/amcheck -c "$CONF" > "$T/amcheck.out" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q "0 problems found" "$T/amcheck.out"; then
    ok "stock amcheck: our client has 0 problems"
else
    not_ok "stock amcheck against our amandad (exit $rc)"; sed 's/^/#   /' "$T/amcheck.out"
fi

# ---- amdump, level 0 -------------------------------------------------------
run_amdump() {  # run_amdump N: the run's timestamp on stdout
    as_backup /usr/sbin/amdump "$CONF" > "$T/amdump.$1.out" 2>&1
    local rc=$?
    local log; log=$(ls -t "$S"/st/log.*.0 2>/dev/null | head -1)
    echo "${log##*/log.}" | sed 's/\.0$//'
    return $rc
}
show_failure() {
    sed 's/^/#   /' "$T/amdump.$1.out" | tail -5
    grep -h -E '^(FAIL|STRANGE|  sendbackup|  \?)' "$S"/st/log.*.0 | sed 's/^/#   /' | tail -10
    ls -t "$AMANDA_DBGDIR"/amandad/* 2>/dev/null | head -1 | xargs -r tail -5 | sed 's/^/#   /'
}
TS1=$(run_amdump 1)
rc=$?
n=$(grep -c '^SUCCESS dumper localhost' "$S/st/log.$TS1.0" 2>/dev/null)
if [ $rc = 0 ] && [ "$n" = 2 ]; then
    ok "stock amdump dumps both DLEs from our client"
else
    not_ok "stock amdump (exit $rc, $n DLEs dumped)"; show_failure 1
fi
check "no dump failed or was strange" sh -c '! grep -q -E "^(FAIL|STRANGE)" "$1"' sh "$S/st/log.$TS1.0"
check "the index of the run lists our files" sh -c \
    'zcat "$1"/localhost/*plain/*_0*.gz 2>/dev/null | grep -q "^/sub/big.bin$"' sh "$S/st/index"

# ---- amfetchdump: the images restore to the tree ---------------------------
fetch() {  # fetch DISK TS LEVEL OUT
    mkdir -p "$T/fetch"; chown backup "$T/fetch"
    ( cd "$T/fetch" && as_backup /usr/sbin/amfetchdump -p "$CONF" localhost "$1" "$2" "$3" ) \
        > "$4" 2> "$T/fetch.err"
}
restore_check() {  # restore_check NAME DISK LEVELS...
    local name=$1 disk=$2; shift 2
    rm -rf "$T/x"; mkdir -p "$T/x"
    for img in "$@"; do
        tar -x -f "$img" -C "$T/x" --listed-incremental=/dev/null || return 1
    done
    describe "$disk" > "$T/want.$name"; describe "$T/x" > "$T/got.$name"
    diff "$T/want.$name" "$T/got.$name" > "$T/diff.$name"
}
for dle in plain zipped; do
    if fetch "$D/$dle" "$TS1" 0 "$T/$dle.0.tar" && [ -s "$T/$dle.0.tar" ]; then
        ok "stock amfetchdump fetches the $dle level 0"
    else
        not_ok "stock amfetchdump of $dle level 0"; sed 's/^/#   /' "$T/fetch.err"
    fi
    if restore_check "$dle" "$D/$dle" "$T/$dle.0.tar"; then
        ok "$dle level 0 restores identical (content, modes, mtimes, links, sparse)"
    else
        not_ok "$dle level 0 restore differs"; head -10 "$T/diff.$dle" | sed 's/^/#   /'
    fi
done
vfile=$(ls "$S"/vt/slot*/0000?.*plain.0 2>/dev/null | head -1)
check "the vtape file is the header plus exactly the fetched image" sh -c \
    '[ -f "$1" ] && [ -s "$2" ] && dd if="$1" bs=32k skip=1 2>/dev/null | cmp -s - "$2"' \
    sh "$vfile" "$T/plain.0.tar"
check "the zipped DLE went through our client compression" \
    grep -q "comp .gz" "$(ls "$S"/vt/slot*/0000?.*zipped.0 | head -1)"

# ---- level 1: only the change ----------------------------------------------
sleep 1
echo "a new file" > "$D/plain/sub/new.txt"
echo "changed" >> "$D/plain/a.txt"
TS2=$(run_amdump 2)
rc=$?
if [ $rc = 0 ] && grep -q "^SUCCESS dumper localhost $D/plain $TS2 1 " "$S/st/log.$TS2.0"; then
    ok "second stock amdump takes level 1 of the changed DLE"
else
    not_ok "second amdump level 1 (exit $rc)"; show_failure 2
fi
fetch "$D/plain" "$TS2" 1 "$T/plain.1.tar"
list=$(tar -t -f "$T/plain.1.tar" --listed-incremental=/dev/null 2>/dev/null)
check "level 1 holds the new and the changed file" \
    sh -c 'echo "$1" | grep -q "sub/new.txt" && echo "$1" | grep -q "a.txt"' sh "$list"
check "level 1 holds no unchanged file" \
    sh -c '[ -n "$1" ] && ! echo "$1" | grep -q -E "big.bin|numbers.txt|sparse"' sh "$list"
if restore_check plain1 "$D/plain" "$T/plain.0.tar" "$T/plain.1.tar"; then
    ok "level 0 + level 1 restore the changed tree identical"
else
    not_ok "level 0 + 1 restore differs"; head -10 "$T/diff.plain1" | sed 's/^/#   /'
fi
done_testing
