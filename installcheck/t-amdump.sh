#!/bin/bash
# End to end: a config with 4 DLEs on the local client (auth local), 5
# chg-disk vtapes labelled by amlabel, a holding disk.  amdump level 0,
# change files, amdump incrementals; every image restores (dd skip 32 KiB
# + tar) byte-identical to its source at that moment; curinfo and the run
# log are read by AMANDA's own amadmin find and amreport when installed; a second
# amdump of the same config is refused while one runs.
. "$(dirname "$0")/lib.sh"

C=Daily
D="$T/data"
mkdir -p "$D/small" "$D/blobs" "$D/tree/x/y" "$D/sp ace" "$T/vtapes" "$T/hold" "$T/lists"
for i in 1 2 3 4 5 6 7 8; do echo "small $i" > "$D/small/f$i"; done
head -c 2000000 /dev/urandom > "$D/blobs/big.bin"
head -c 700000 /dev/urandom > "$D/blobs/mid.bin"
seq 1 30000 > "$D/tree/x/y/numbers"
echo deep > "$D/tree/x/y/z.txt"
echo "blank name" > "$D/sp ace/a b.txt"
for s in 1 2 3 4 5; do mkdir -p "$T/vtapes/slot$s"; done

mkdir -p "$AMANDA_CONFIG_DIR/$C"
cat > "$AMANDA_CONFIG_DIR/$C/amanda.conf" <<CONF
org "$C"
dumpuser "$(id -un)"
mailto ""
dumpcycle 7
runspercycle 7
tapecycle 5
runtapes 2
inparallel 4
netusage 80000
etimeout 60
dtimeout 60
infofile "$T/state/curinfo"
logdir "$T/state/log"
indexdir "$T/state/index"
tapelist "$T/state/tapelist"
tpchanger "chg-disk:$T/vtapes"
labelstr "^$C-[0-9][0-9]*\$"
autolabel "$C-%%%" empty
define tapetype VT {
  length 200 mbytes
  part_size 1 mbytes
}
tapetype "VT"
holdingdisk hd {
  directory "$T/hold"
  use 500 mbytes
  chunksize 1 mbytes
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
  maxpromoteday 0
}
define dumptype dtz {
  dt
  compress server fast
}
CONF
cat > "$AMANDA_CONFIG_DIR/$C/disklist" <<DL
localhost $D/small dt
localhost $D/blobs dtz
localhost $D/tree dt
localhost "$D/sp ace" dt
DL
mkdir -p "$T/state"

for s in 1 2 3 4 5; do
    timeout 30 amlabel "$C" "$C-00$s" slot "$s" >/dev/null 2>&1 || not_ok "amlabel $C-00$s"
done
is "five labelled volumes in the tapelist" "$(grep -c "$C-00" "$T/state/tapelist" 2>/dev/null)" "5"

snapshot() { rm -rf "$T/snap$1"; cp -a "$D" "$T/snap$1"; }

# image_files DISK LEVEL [DATESTAMP]: the vtape files of that dump, in part order
image_files() {
    local q=$1
    case "$1" in *" "*) q="\"$1\"" ;; esac
    for f in "$T"/vtapes/slot*/0*; do
        head -c 1000 "$f" | head -1 | grep -qF " localhost $q  part " || continue
        [ -z "${3:-}" ] || head -c 1000 "$f" | head -1 | grep -qF "SPLIT_FILE $3 " || continue
        head -c 1000 "$f" | head -1 | grep -q " lev $2 " || continue
        p=$(head -c 1000 "$f" | head -1 | sed 's/.* part \([0-9]*\)\/.*/\1/')
        echo "$p $f"
    done | sort -n | cut -d' ' -f2-
}
# restore DISK LEVEL DEST [DATESTAMP]: dd skip 32 KiB of every part | [gunzip |] tar -x -G
restore() {
    local files comp
    mapfile -t files < <(image_files "$1" "$2" "${4:-}")
    [ ${#files[@]} -gt 0 ] || return 1
    comp=$(head -c 1000 "${files[0]}" | head -1 | sed 's/.* comp \([^ ]*\) .*/\1/')
    mkdir -p "$3"
    for f in "${files[@]}"; do dd if="$f" bs=32k skip=1 status=none; done |
        if [ "$comp" = N ]; then cat; else gzip -dc; fi |
        tar -x -G -f - -C "$3" 2>/dev/null
}

# --- level 0
snapshot 0
timeout 120 amdump "$C"
is "amdump level 0 exits 0" "$?" "0"
LOG0=$(ls "$T"/state/log/log.*.0 | head -1)
is "four dumper SUCCESS lines" "$(grep -c '^SUCCESS dumper ' "$LOG0")" "4"
is "four taper DONE lines" "$(grep -c '^DONE taper ' "$LOG0")" "4"
grep -q '^FINISH driver date ' "$LOG0" && ok "run log closed by FINISH driver" || not_ok "no FINISH driver"
[ ! -e "$T/state/log/log" ] && ok "no run-in-progress link after the run" || not_ok "log link left"
[ -s "$T/state/log/amdump.1" ] && ok "amdump trace file written" || not_ok "no trace"
[ "$(image_files "$D/blobs" 0 | wc -l)" -ge 3 ] && ok "blobs (2.7 MB) written as parts of part_size 1 MiB" || not_ok "blobs parts"
for d in small blobs tree "sp ace"; do
    rm -rf "$T/r0"
    restore "$D/$d" 0 "$T/r0/$d" && diff -r "$T/r0/$d" "$T/snap0/$d" >/dev/null &&
        ok "level 0 of $d restores byte-identical" || not_ok "level 0 of $d restore"
done
for d in small tree; do
    info="$T/state/curinfo/localhost/$(echo "$D/$d" | tr / _)/info"
    grep -q "^stats: 0 .* $C-001\$" "$info" && ok "curinfo of $d has its level 0 on $C-001" || not_ok "curinfo $d"
done
idx="$T/state/index/localhost/$(echo "$D/tree" | tr / _)"
zcat "$idx"/*_0.gz 2>/dev/null | grep -qx "/x/y/z.txt" && ok "index of tree lists /x/y/z.txt" || not_ok "index of tree"
[ -z "$(find "$T/hold" -type f)" ] && ok "holding disk emptied after taping" || not_ok "holding files left"

# --- incrementals
sleep 1
echo "changed" >> "$D/small/f1"
echo "new file" > "$D/small/f9"
rm "$D/tree/x/y/z.txt"
echo "more" > "$D/tree/x/new.txt"
echo "second" > "$D/sp ace/c d.txt"
snapshot 1
timeout 120 amdump "$C"
is "amdump incremental exits 0" "$?" "0"
LOG1=$(ls -t "$T"/state/log/log.*.[0-9]* | head -1)
[ "$LOG1" != "$LOG0" ] && ok "a new run log for the second run" || not_ok "same run log"
is "four level-1 dumps" "$(grep -c '^SUCCESS dumper .* 1 [0-9a-f]*:' "$LOG1")" "4"
for d in small blobs tree "sp ace"; do
    rm -rf "$T/r1"
    restore "$D/$d" 0 "$T/r1/$d" && restore "$D/$d" 1 "$T/r1/$d" &&
        diff -r "$T/r1/$d" "$T/snap1/$d" >/dev/null &&
        ok "level 0 + level 1 of $d restore byte-identical to the changed source" ||
        not_ok "incremental restore of $d"
done

# --- auth bsdtcp: our amandad behind a socat listener on 127.0.0.1
if command -v socat >/dev/null && [ "$(id -u)" = 0 ]; then
    PORT=$((20000 + RANDOM % 20000))
    printf 'localhost %s amdump\n127.0.0.1 %s amdump\n' "$(id -un)" "$(id -un)" > "$T/amandahosts"
    chmod 600 "$T/amandahosts"
    AMANDA_AMANDAHOSTS=$T/amandahosts socat TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork \
        EXEC:"$AMANDA_LIBEXECDIR/amandad -auth=bsdtcp amdump",nofork 2>"$T/socat.err" &
    SOCAT_PID=$!
    wait_for_port "$PORT"
    cat >> "$AMANDA_CONFIG_DIR/$C/amanda.conf" <<CONF
define dumptype dtb {
  dt
  auth "bsdtcp"
  client_port "$PORT"
}
CONF
    sed -i "s|^localhost $D/small dt\$|localhost $D/small dtb|" "$AMANDA_CONFIG_DIR/$C/disklist"
    echo "third" > "$D/small/f10"
    snapshot 2
    timeout 120 amdump "$C"
    is "amdump with a bsdtcp DLE exits 0" "$?" "0"
    LOG2=$(ls -t "$T"/state/log/log.*.[0-9]* | head -1)
    grep -q "^SUCCESS dumper localhost $D/small " "$LOG2" && ok "the bsdtcp DLE was dumped" || not_ok "bsdtcp dump"
    lv=$(sed -n "s|^SUCCESS dumper localhost $D/small \\([0-9]*\\) \\([0-9]*\\) .*|\\1 \\2|p" "$LOG2")
    ts=${lv% *} lv=${lv#* }
    rm -rf "$T/r2"
    { restore "$D/small" 0 "$T/r2/small" && { [ "$lv" = 0 ] || restore "$D/small" "$lv" "$T/r2/small" "$ts"; }; } &&
        diff -r "$T/r2/small" "$T/snap2/small" >/dev/null &&
        ok "the bsdtcp dump (level $lv) restores byte-identical" || not_ok "bsdtcp restore (level $lv)"
    kill "$SOCAT_PID" 2>/dev/null
    wait "$SOCAT_PID" 2>/dev/null
    sed -i "s|^localhost $D/small dtb\$|localhost $D/small dt|" "$AMANDA_CONFIG_DIR/$C/disklist"
else
    ok "auth bsdtcp # SKIP socat not installed or not root"
fi

# --- holdingdisk never: dumps stream straight to the taper
cat >> "$AMANDA_CONFIG_DIR/$C/amanda.conf" <<CONF
define dumptype dtn {
  dt
  holdingdisk never
}
CONF
sed -i "s|^localhost $D/tree dt\$|localhost $D/tree dtn|" "$AMANDA_CONFIG_DIR/$C/disklist"
timeout 30 amadmin "$C" force localhost "$D/tree" >/dev/null 2>&1
echo "direct" > "$D/tree/direct.txt"
rm -rf "$T/snap3"; cp -a "$D" "$T/snap3"
timeout 120 amdump "$C"
is "amdump with a holdingdisk-never DLE exits 0" "$?" "0"
grep -q "dumping time .* $D/tree 0 to taper " "$T/state/log/amdump.1" && ok "the tree dump went straight to the taper" || not_ok "tree not direct"
LOG3=$(ls -t "$T"/state/log/log.*.[0-9]* | head -1)
ts3=$(sed -n "s|^DONE taper .* $D/tree \\([0-9]*\\) .*|\\1|p" "$LOG3")
rm -rf "$T/r3"
restore "$D/tree" 0 "$T/r3/tree" "$ts3" && diff -r "$T/r3/tree" "$T/snap3/tree" >/dev/null &&
    ok "the direct-to-taper full restores byte-identical" || not_ok "direct restore (ts $ts3)"
sed -i "s|^localhost $D/tree dtn\$|localhost $D/tree dt|" "$AMANDA_CONFIG_DIR/$C/disklist"

# --- server-side custom compression and encryption programs
printf '#!/bin/sh\nexec tr "A-Za-z" "N-ZA-Mn-za-m"\n' > "$T/rot13"
chmod 755 "$T/rot13"
cat >> "$AMANDA_CONFIG_DIR/$C/amanda.conf" <<CONF
define dumptype dte {
  dt
  compress server custom
  server_custom_compress "$(command -v gzip)"
  encrypt server
  server_encrypt "$T/rot13"
  server_decrypt_option "-d"
}
CONF
sed -i "s|^localhost \"$D/sp ace\" dt\$|localhost \"$D/sp ace\" dte|" "$AMANDA_CONFIG_DIR/$C/disklist"
timeout 30 amadmin "$C" force localhost "$D/sp ace" >/dev/null 2>&1
rm -rf "$T/snap4"; cp -a "$D" "$T/snap4"
timeout 120 amdump "$C"
is "amdump with server custom compress and encrypt exits 0" "$?" "0"
LOG4=$(ls -t "$T"/state/log/log.*.[0-9]* | head -1)
ts4=$(sed -n "s|^DONE taper .* \"$D/sp ace\" \\([0-9]*\\) .*|\\1|p" "$LOG4")
f=$(image_files "$D/sp ace" 0 "$ts4" | head -1)
head -c 1000 "$f" | head -1 | grep -q " comp cust .* crypt enc server_custom_compress .*gzip server_encrypt $T/rot13" &&
    ok "the header names the server compress and encrypt programs" || { not_ok "header"; head -c 300 "$f" | head -1 | sed 's/^/# /'; }
rm -rf "$T/r4" && mkdir -p "$T/r4"
dd if="$f" bs=32k skip=1 status=none | "$T/rot13" -d | gzip -dc | tar -x -G -f - -C "$T/r4" 2>/dev/null &&
    diff -r "$T/r4" "$T/snap4/sp ace" >/dev/null &&
    ok "decrypt | uncompress | tar restores it byte-identical" || not_ok "server filters restore"
sed -i "s|^localhost \"$D/sp ace\" dte\$|localhost \"$D/sp ace\" dt|" "$AMANDA_CONFIG_DIR/$C/disklist"

# --- lock: a second run of the same config is refused
exec 9>"$T/state/log/amdump.lock"
flock -n 9
out=$(timeout 20 amdump "$C" 2>&1)
rc=$?
exec 9>&-
[ "$rc" -ne 0 ] && echo "$out" | grep -q "another run of this configuration is in progress" &&
    ok "a concurrent amdump is refused with a clear message" || { not_ok "lock refusal"; echo "# $out"; }

# --- AMANDA's own amadmin reads our curinfo, tapelist and run logs
if [ -x /usr/sbin/amadmin ] && [ "$(id -u)" = 0 ]; then
    E="/etc/amanda/amdump-ic-$$"
    mkdir -p "$E" && cp "$AMANDA_CONFIG_DIR/$C/amanda.conf" "$AMANDA_CONFIG_DIR/$C/disklist" "$E/"
    sed -i "s/^org .*/org \"amdump-ic-$$\"/" "$E/amanda.conf"
    out=$(timeout 60 /usr/sbin/amadmin "amdump-ic-$$" find 2>&1)
    n=$(echo "$out" | grep -c " OK *$")
    timeout 60 /usr/sbin/amreport "amdump-ic-$$" --log="$LOG0" --text="$T/stock-report" >/dev/null 2>&1
    r=$(sed -n '/^DUMP SUMMARY/,$p' "$T/stock-report" 2>/dev/null | grep -c "^localhost .* 0 ")
    rm -rf "$E"
    is "stock amreport shows the four level-0 dumps of our run log" "$r" "4"
    [ "$n" -ge 8 ] && ok "stock amadmin find lists every dump ($n OK)" ||
        { not_ok "stock amadmin find"; echo "$out" | sed 's/^/# /'; }
else
    ok "stock amadmin find # SKIP AMANDA's amadmin not installed or not root"
    ok "stock amreport # SKIP AMANDA's amreport not installed or not root"
fi

done_testing
