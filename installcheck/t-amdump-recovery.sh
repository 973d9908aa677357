#!/bin/bash
# The amdump pipeline's failure paths: no usable volume (degraded mode:
# dumps stay on the holding disk, then amflush writes them), a client that
# cannot be reached (reported, the others succeed), the driver killed with
# SIGKILL mid-run (amdump refuses until amcleanup closed the run; the next
# amdump succeeds and autoflushes what was left), a dump spanning two
# volumes, and amstatus reading the trace.
. "$(dirname "$0")/lib.sh"

C=Rec
D="$T/data"
mkdir -p "$D/a" "$D/b" "$T/vtapes/slot1" "$T/vtapes/slot2" "$T/hold" "$T/lists" "$T/state"
for i in 1 2 3; do echo "file $i" > "$D/a/f$i"; done
head -c 40000000 /dev/urandom > "$D/b/big"
mkdir -p "$AMANDA_CONFIG_DIR/$C"
cat > "$AMANDA_CONFIG_DIR/$C/amanda.conf" <<CONF
org "$C"
dumpuser "$(id -un)"
dumpcycle 7
tapecycle 2
runtapes 1
inparallel 2
autoflush yes
etimeout 30
dtimeout 60
infofile "$T/state/curinfo"
logdir "$T/state/log"
indexdir "$T/state/index"
tapelist "$T/state/tapelist"
tpchanger "chg-disk:$T/vtapes"
labelstr "^$C-[0-9][0-9]*\$"
define tapetype VT {
  length 2000 mbytes
}
tapetype "VT"
holdingdisk hd {
  directory "$T/hold"
  use 500 mbytes
}
define application-tool gt {
  plugin "amgtar"
  property "GNUTAR-LISTDIR" "$T/lists"
}
define dumptype dt {
  program "APPLICATION"
  application "gt"
  auth "local"
  index yes
  compress none
  maxdumps 2
}
CONF
cat > "$AMANDA_CONFIG_DIR/$C/disklist" <<DL
localhost $D/a dt
localhost $D/b dt
DL

# --- no labelled volume and no autolabel: degraded mode
timeout 120 amdump "$C"
rc=$?
[ $((rc & 8)) -ne 0 ] && ok "amdump without a volume exits with the volume-error bit (rc $rc)" || not_ok "degraded rc $rc"
LOG=$(ls -t "$T"/state/log/log.*.[0-9]* | head -1)
is "both dumps succeeded to the holding disk" "$(grep -c '^SUCCESS dumper ' "$LOG")" "2"
grep -q '^ERROR taper no-tape' "$LOG" && ok "run log says the taper had no volume" || not_ok "no ERROR taper line"
is "two images wait on the holding disk" "$(find "$T/hold" -type f -name 'localhost.*' ! -name '*.tmp' | wc -l | tr -d ' ')" "2"
out=$(amstatus "$C" --summary)
echo "$out" | grep -q "the run is finished" && ok "amstatus reads the finished run" || { not_ok "amstatus"; echo "$out" | sed 's/^/# /'; }

# --- amflush after labelling a volume
timeout 30 amlabel "$C" "$C-001" slot 1 >/dev/null 2>&1
timeout 120 amflush -b "$C" >/dev/null
is "amflush exits 0" "$?" "0"
[ -z "$(find "$T/hold" -type f)" ] && ok "amflush emptied the holding disk" || not_ok "holding files left after amflush"
is "both dumps are on $C-001" "$(ls "$T/vtapes/slot1" | grep -c '^0000[1-9]\.')" "2"
info="$T/state/curinfo/localhost/$(echo "$D/b" | tr / _)/info"
grep -q "^stats: 0 .* $C-001\$" "$info" && ok "curinfo knows where amflush put the full" || not_ok "curinfo after amflush"
rm -rf "$T/r" && mkdir -p "$T/r"
f=$(ls "$T"/vtapes/slot1/0000*.localhost.*_b.0)
dd if="$f" bs=32k skip=1 status=none | tar -xf - -C "$T/r" && cmp -s "$T/r/big" "$D/b/big" &&
    ok "the flushed image restores byte-identical" || not_ok "flushed image restore"

# --- unreachable client (nothing listens on its port): reported, the other DLE succeeds
cat >> "$AMANDA_CONFIG_DIR/$C/amanda.conf" <<CONF
define dumptype remote {
  dt
  auth "bsdtcp"
  client_port "9"
}
CONF
echo "127.0.0.2 $D/a remote" >> "$AMANDA_CONFIG_DIR/$C/disklist"
timeout 30 amlabel "$C" "$C-002" slot 2 >/dev/null 2>&1
timeout 120 amdump "$C"
rc=$?
LOG=$(ls -t "$T"/state/log/log.*.[0-9]* | head -1)
grep -q "^FAIL planner 127\\.0\\.0\\.2 $D/a " "$LOG" && ok "the unreachable client is reported as FAIL" || not_ok "no FAIL for the unreachable client"
is "the local DLEs still dumped" "$(grep -c '^SUCCESS dumper localhost ' "$LOG")" "2"
[ $((rc & 2)) -ne 0 ] && ok "amdump exit status has the failed-dump bit (rc $rc)" || not_ok "rc $rc"
sed -i '/^127\.0\.0\.2 /d' "$AMANDA_CONFIG_DIR/$C/disklist"

# --- a client that answers no sendbackup: TRY-AGAIN, retried retry_dump times,
# and no holding image is left behind for amflush
# (estimate server: the planner plans from the history without asking it)
cat >> "$AMANDA_CONFIG_DIR/$C/amanda.conf" <<CONF
define dumptype gone {
  remote
  estimate server
  maxpromoteday 0
  retry_dump 1
}
CONF
echo "127.0.0.3 $D/a gone" >> "$AMANDA_CONFIG_DIR/$C/disklist"
info="$T/state/curinfo/127.0.0.3/$(echo "$D/a" | tr / _)"
mkdir -p "$info"
now=$(date +%s)
printf 'version: 0\ncommand: 0\nfull-rate:\nfull-comp:\nincr-rate:\nincr-comp:\nstats: 0 10 10 1 %s 1 %s-001\nlast_level: 0 1\nhistory: 0 10 10 %s 1\n//\n' \
    "$((now - 86400))" "$C" "$((now - 86400))" > "$info/info"
timeout 120 amdump "$C" >/dev/null 2>&1
LOG=$(ls -t "$T"/state/log/log.*.[0-9]* | head -1)
is "two dump attempts of the unreachable DLE (1 + retry_dump 1)" \
    "$(grep -c "dump-failed time .* 127.0.0.3 $D/a " "$T/state/log/amdump.1")" "2"
grep -q "^FAIL driver 127\.0\.0\.3 $D/a .*after 2 tries" "$LOG" && ok "the driver logs the final FAIL" || not_ok "no final FAIL"
[ -z "$(find "$T/hold" -name '127.0.0.3.*')" ] && ok "the failed dump left no holding image" || not_ok "failed dump left a holding image"
sed -i '/^127\.0\.0\.3 /d' "$AMANDA_CONFIG_DIR/$C/disklist"

# --- a volume fills mid-dump: the part is rewritten on the next volume
cp "$AMANDA_CONFIG_DIR/$C/amanda.conf" "$T/amanda.conf.saved"
sed -i 's/^runtapes 1$/runtapes 2/; s/^  length 2000 mbytes$/  length 30 mbytes\n  part_size 4 mbytes/' "$AMANDA_CONFIG_DIR/$C/amanda.conf"
rm -f "$D/b/zeros"
for s in 4 5; do mkdir -p "$T/vtapes/slot$s"; chown backup "$T/vtapes/slot$s" 2>/dev/null; done
timeout 30 amlabel "$C" "$C-004" slot 4 >/dev/null 2>&1
timeout 30 amlabel "$C" "$C-005" slot 5 >/dev/null 2>&1
timeout 30 amadmin "$C" force localhost "$D/b" >/dev/null 2>&1
timeout 180 amdump "$C" >/dev/null 2>&1
LOG=$(ls -t "$T"/state/log/log.*.[0-9]* | head -1)
grep -q '^PARTPARTIAL taper ' "$LOG" && ok "a part cut by the end of a volume is logged PARTPARTIAL" || not_ok "no PARTPARTIAL"
vols=$(grep '^START taper ' "$LOG" | wc -l)
[ "$vols" -eq 2 ] && ok "the run went on to a second volume" || not_ok "volumes used: $vols"
grep -q "^DONE taper .* $D/b " "$LOG" && ok "the spanning dump completed" || not_ok "spanning dump not DONE"
# restore b from its parts, in part order, skipping the partial copy
rm -rf "$T/rs" && mkdir -p "$T/rs"
ts=$(sed -n "s|^DONE taper .* $D/b \([0-9]*\) .*|\1|p" "$LOG" | tail -1)
grep "^PART taper .* $D/b $ts " "$LOG" | awk '{print $5, $6, $10}' |
    while read -r label fn kn; do
        s=$(grep -l "" "$T"/vtapes/slot*/00000."$label" | head -1)
        f=$(ls "$(dirname "$s")"/$(printf '%05d' "$fn").* )
        dd if="$f" bs=32k skip=1 status=none
    done | tar -xf - -C "$T/rs" 2>/dev/null
cmp -s "$T/rs/big" "$D/b/big" && ok "the dump spanning two volumes restores byte-identical" || not_ok "spanning restore"
# the same straight from the dumper (holdingdisk never): the part cache
# (part_cache_type memory) gives the cut part again
sed -i 's/^  part_size 4 mbytes$/  part_size 4 mbytes\n  part_cache_type memory/; s/^  maxdumps 2$/  maxdumps 2\n  holdingdisk never/' "$AMANDA_CONFIG_DIR/$C/amanda.conf"
for s in 6 7; do mkdir -p "$T/vtapes/slot$s"; timeout 30 amlabel "$C" "$C-00$s" slot $s >/dev/null 2>&1; done
timeout 30 amadmin "$C" force localhost "$D/b" >/dev/null 2>&1
timeout 180 amdump "$C" >/dev/null 2>&1
LOG=$(ls -t "$T"/state/log/log.*.[0-9]* | head -1)
grep -q "dumping time .* $D/b 0 to taper " "$T/state/log/amdump.1" && ok "b went straight to the taper" || not_ok "b not direct"
grep -q '^PARTPARTIAL taper ' "$LOG" && grep -q "^DONE taper .* $D/b " "$LOG" &&
    ok "a direct dump cut by the end of a volume completes from the part cache" || not_ok "direct spanning"
rm -rf "$T/rs" && mkdir -p "$T/rs"
ts=$(sed -n "s|^DONE taper .* $D/b \\([0-9]*\\) .*|\\1|p" "$LOG" | tail -1)
grep "^PART taper .* $D/b $ts " "$LOG" | awk '{print $5, $6, $10}' |
    while read -r label fn kn; do
        s=$(grep -l "" "$T"/vtapes/slot*/00000."$label" | head -1)
        f=$(ls "$(dirname "$s")"/$(printf '%05d' "$fn").* )
        dd if="$f" bs=32k skip=1 status=none
    done | tar -xf - -C "$T/rs" 2>/dev/null
cmp -s "$T/rs/big" "$D/b/big" && ok "the direct spanning dump restores byte-identical" || not_ok "direct spanning restore"
cp "$T/amanda.conf.saved" "$AMANDA_CONFIG_DIR/$C/amanda.conf"

# --- kill -9 of the driver mid-run
head -c 300000000 /dev/zero > "$D/b/zeros"
timeout 180 amdump "$C" >/dev/null 2>&1 &
apid=$!
dpid=""
for i in $(seq 1 100); do
    L=$(readlink "$T/state/log/log" 2>/dev/null)
    [ -n "$L" ] && grep -q "^START driver" "$T/state/log/$L" 2>/dev/null && grep -q "dumping time" "$T/state/log/amdump.1" 2>/dev/null &&
        dpid=$(sed -n 's/^INFO driver driver pid \([0-9]*\)$/\1/p' "$T/state/log/$L" | tail -1) && [ -n "$dpid" ] && break
    sleep 0.1
done
if [ -n "$dpid" ]; then
    out=$(timeout 20 amstatus "$C")
    echo "$out" | grep -q "dumping\|dumped\|writing to tape\|finished" && echo "$out" | grep -q "the run is in progress" &&
        ok "amstatus shows the run in progress" || { not_ok "amstatus mid-run"; echo "$out" | sed 's/^/# /'; }
    kill -9 "$dpid"
    wait "$apid"
    [ -L "$T/state/log/log" ] && ok "a killed driver leaves the run open" || not_ok "run closed after kill"
    out=$(timeout 30 amdump "$C" 2>&1)
    [ $? -ne 0 ] && echo "$out" | grep -q "amcleanup" && ok "amdump refuses until amcleanup" || { not_ok "amdump after crash"; echo "# $out"; }
    sleep 3  # orphaned dumpers finish
    out=$(timeout 30 amcleanup "$C")
    echo "$out" | grep -q "closed" && ok "amcleanup closes the run" || { not_ok "amcleanup"; echo "$out" | sed 's/^/# /'; }
    L=$(ls -t "$T"/state/log/log.*.[0-9]* | head -1)
    grep -q "^FINISH driver" "$L" && ok "the crashed run log ends with FINISH driver" || not_ok "no FINISH after amcleanup"
    timeout 30 amlabel -f "$C" "$C-001" slot 1 >/dev/null 2>&1
    timeout 180 amdump "$C" >/dev/null 2>&1
    rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] && ok "the next amdump succeeds (rc $rc)" || not_ok "amdump after amcleanup rc $rc"
    left=$(find "$T/hold" -type f ! -name '*.tmp' | wc -l)
    [ "$left" -eq 0 ] && ok "autoflush wrote what the killed run left on the holding disk" ||
        not_ok "$left holding files left after the autoflush run"
else
    not_ok "could not catch the driver mid-run"
    wait "$apid"
fi

done_testing
