#!/bin/bash
# Our server backs up a stock AMANDA 3.5.1 client (Debian's amandad,
# sendsize, sendbackup and amgtar, run through auth "local" with
# amandad_path pointing at them): a full and an incremental restore
# byte-identical, and the CRC the stock client reports matches ours.
# Then the same over bsdtcp on 127.0.0.1: AMANDA's amandad started per
# connection by socat (as inetd would, as user backup) and our amdump as
# the dump user "backup", connecting from a reserved port (which the stock
# client requires for bsdtcp) through our setuid-root ambind -- or as root
# (dumpuser "root") when ambind was not installed setuid.
# Needs root (the stock amandad must run as the user "backup").
. "$(dirname "$0")/lib.sh"

STOCK=/usr/lib/amanda/amandad
if [ ! -x "$STOCK" ] || [ "$(id -u)" != 0 ] || ! id backup >/dev/null 2>&1 ||
   ! runuser -u backup -- test -x "$PREFIX/sbin/amdump"; then
    ok "stock client # SKIP AMANDA 3.5.1 client not installed, not root, or $PREFIX not readable by backup"
    done_testing
    exit 0
fi
C=Stock
D="$T/data"
mkdir -p "$D/one/sub" "$D/two" "$T/vtapes/slot1" "$T/vtapes/slot2" "$T/vtapes/slot3" "$T/hold" \
         "$T/lists" "$T/state" "$AMANDA_CONFIG_DIR/$C"
seq 1 5000 > "$D/one/sub/numbers"
echo hello > "$D/one/hello"
head -c 500000 /dev/urandom > "$D/two/blob"
cat > "$AMANDA_CONFIG_DIR/$C/amanda.conf" <<CONF
org "$C"
dumpuser "backup"
dumpcycle 7
tapecycle 2
runtapes 1
infofile "$T/state/curinfo"
logdir "$T/state/log"
indexdir "$T/state/index"
tapelist "$T/state/tapelist"
tpchanger "chg-disk:$T/vtapes"
labelstr "^$C-[0-9][0-9]*\$"
autolabel "$C-%%%" empty
define tapetype VT {
  length 100 mbytes
}
tapetype "VT"
holdingdisk hd {
  directory "$T/hold"
}
define application-tool gt {
  plugin "amgtar"
  property "GNUTAR-LISTDIR" "$T/lists"
}
define dumptype stock {
  program "APPLICATION"
  application "gt"
  auth "local"
  amandad_path "$STOCK"
  index yes
  compress none
  maxpromoteday 0
}
CONF
printf 'localhost %s stock\nlocalhost %s stock\n' "$D/one" "$D/two" > "$AMANDA_CONFIG_DIR/$C/disklist"
chown -R backup "$T"
as_backup() { timeout 120 runuser -u backup -- env PATH="$PATH" "$@"; }

cp -a "$D" "$T/snap0"
as_backup amdump "$C"
is "amdump against the stock client exits 0" "$?" "0"
LOG=$(ls -t "$T"/state/log/log.*.[0-9]* | head -1)
is "two dumps from the stock client" "$(grep -c '^SUCCESS dumper localhost ' "$LOG")" "2"
same=$(awk '/^SUCCESS dumper/ { if ($7 == $8) n++ } END { print n+0 }' "$LOG")
is "the stock client's native CRC equals the CRC we computed" "$same" "2"
restore_into() { # restore_into DIR LEVEL DEST: newest image of DIR at LEVEL
    local f
    f=$(ls -t "$T"/vtapes/slot*/0*."localhost.$(echo "$1" | tr / _).$2" 2>/dev/null | head -1)
    [ -n "$f" ] || return 1
    mkdir -p "$3" && dd if="$f" bs=32k skip=1 status=none | tar -x -G -f - -C "$3" 2>/dev/null
}
for d in one two; do
    rm -rf "$T/r"
    restore_into "$D/$d" 0 "$T/r/$d" && diff -r "$T/r/$d" "$T/snap0/$d" >/dev/null &&
        ok "level 0 of $d from the stock client restores byte-identical" || not_ok "restore $d level 0"
done

sleep 1
echo more >> "$D/one/hello"
echo new > "$D/one/sub/new"
rm -rf "$T/snap1"; cp -a "$D" "$T/snap1"
chown -R backup "$D"
as_backup amdump "$C"
is "incremental amdump against the stock client exits 0" "$?" "0"
LOG=$(ls -t "$T"/state/log/log.*.[0-9]* | head -1)
grep -q "^SUCCESS dumper localhost $D/one [0-9]* 1 " "$LOG" && ok "level 1 of one" || not_ok "no level 1 of one"
rm -rf "$T/r"
restore_into "$D/one" 0 "$T/r/one" && restore_into "$D/one" 1 "$T/r/one" &&
    diff -r "$T/r/one" "$T/snap1/one" >/dev/null &&
    ok "level 0 + 1 from the stock client restore the changed tree" || not_ok "incremental restore of one"
# --- the stock client over bsdtcp --------------------------------------
if ! command -v socat >/dev/null; then
    ok "stock client over bsdtcp # SKIP socat not installed"
    done_testing
    exit
fi
SOCAT_PID=
cleanup_bsdtcp() {
    [ -n "$SOCAT_PID" ] && kill "$SOCAT_PID" 2>/dev/null
    stock_amandahosts_restore
    cleanup_tmp
}
trap cleanup_bsdtcp EXIT
AMBIND=$PREFIX/libexec/amanda/ambind
if [ -u "$AMBIND" ] && [ "$(stat -c %u "$AMBIND")" = 0 ]; then
    TCP_USER=backup
else
    TCP_USER=root
    echo "# $AMBIND is not setuid root: the bsdtcp run is made as root"
fi
stock_amandahosts_allow "localhost $TCP_USER amdump"
PORT=$((20000 + $$ % 10000))
socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork,su=backup" \
    EXEC:"$STOCK -auth=bsdtcp amdump",nofork 2>"$T/socat.err" &
SOCAT_PID=$!
wait_for_port "$PORT"
C2=StockTcp
mkdir -p "$AMANDA_CONFIG_DIR/$C2" "$T/tcp/state" "$T/tcp/vtapes/slot1" "$T/tcp/vtapes/slot2" "$T/tcp/vtapes/slot3" "$T/tcp/hold" "$T/tcp/lists"
chown backup "$T/tcp/lists"
sed -e 's/^dumpuser "backup"$/dumpuser "'"$TCP_USER"'"/' -e "s|$T/|$T/tcp/|g" \
    -e 's/^  auth "local"$/  auth "bsdtcp"\n  client_port "'"$PORT"'"/' \
    -e '/^  amandad_path /d' "$AMANDA_CONFIG_DIR/$C/amanda.conf" > "$AMANDA_CONFIG_DIR/$C2/amanda.conf"
echo 'reserved-tcp-port 700,710' >> "$AMANDA_CONFIG_DIR/$C2/amanda.conf"
cp "$AMANDA_CONFIG_DIR/$C/disklist" "$AMANDA_CONFIG_DIR/$C2/"
grep -q 'auth "bsdtcp"' "$AMANDA_CONFIG_DIR/$C2/amanda.conf" || not_ok "the bsdtcp config was not made"
chown -R backup "$D"
rm -rf "$T/snap2"; cp -a "$D" "$T/snap2"
if [ "$TCP_USER" = backup ]; then
    chown -R backup "$T/tcp"
    as_backup amdump "$C2"
else
    timeout 120 amdump "$C2"
fi
is "amdump as $TCP_USER against the stock client over bsdtcp exits 0" "$?" "0"
if [ "$TCP_USER" = backup ]; then
    ports=$(cat "$AMANDA_DBGDIR"/server/planner.*.debug "$AMANDA_DBGDIR"/server/dumper.*.debug 2>/dev/null |
            sed -n 's/.*ambind: reserved port \([0-9]*\).*/\1/p')
    check "... its connections came from reserved ports given by ambind, in reserved-tcp-port 700,710" \
        test -n "$ports" -a -z "$(echo "$ports" | awk '$1 < 700 || $1 > 710')"
fi
LOG=$(ls -t "$T"/tcp/state/log/log.*.[0-9]* 2>/dev/null | head -1)
is "two level-0 dumps from the stock client over bsdtcp" \
    "$(grep -c "^SUCCESS dumper localhost $D/[a-z]* [0-9]* 0 " "$LOG" 2>/dev/null)" "2"
same=$(awk '/^SUCCESS dumper/ { if ($7 == $8) n++ } END { print n+0 }' "$LOG" 2>/dev/null)
is "... its native CRCs equal ours" "$same" "2"
for d in one two; do
    f=$(ls "$T"/tcp/vtapes/slot*/0*."localhost.$(echo "$D/$d" | tr / _).0" 2>/dev/null | head -1)
    rm -rf "$T/r2"; mkdir -p "$T/r2"
    [ -n "$f" ] && dd if="$f" bs=32k skip=1 status=none | tar -x -G -f - -C "$T/r2" 2>/dev/null &&
        diff -r "$T/r2" "$T/snap2/$d" >/dev/null &&
        ok "bsdtcp level 0 of $d restores byte-identical" || not_ok "bsdtcp restore of $d"
done
done_testing
