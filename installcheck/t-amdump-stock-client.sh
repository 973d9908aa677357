#!/bin/bash
# Our server backs up a stock AMANDA 3.5.1 client (Debian's amandad,
# sendsize, sendbackup and amgtar, run through auth "local" with
# amandad_path pointing at them): a full and an incremental restore
# byte-identical, and the CRC the stock client reports matches ours.
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
done_testing
