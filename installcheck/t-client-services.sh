#!/bin/bash
# End-to-end checks of the client services run by hand, as amandad runs
# them: the request on stdin, the reply on stdout, sendbackup's streams on
# fds 150 (DATA), 152 (MESG), 154 (INDEX) and 156 (STATE).
. "$(dirname "$0")/lib.sh"

L="$AMANDA_LIBEXECDIR"
FEAT="ffffffff9efefbfffffffffffffff3fffbf71f"
D="$T/data"
mkdir -p "$D/sub dir" "$D/empty" "$T/lists" "$T/out"
printf 'hello\n' > "$D/a.txt"
head -c 300000 /dev/urandom > "$D/sub dir/blob.bin"
seq 1 20000 > "$D/sub dir/numbers.txt"
ln -s a.txt "$D/link"

dle() { amgtar_dle "$1" "$T/lists" "$2"; }  # dle DISK EXTRA-TAGS
opts() { echo "OPTIONS features=$FEAT;maxdumps=${1:-1};hostname=localhost;config=TestConf;timestamp=20261125120000;"; }

# --- noop
out=$(opts | "$L/noop" amandad bsdtcp)
case "$out" in "OPTIONS features="*";") ok "noop replies with our features" ;; *) not_ok "noop reply: $out" ;; esac
out=$(printf 'garbage\n' | "$L/noop" 2>&1)
case "$out" in "OPTIONS features="*) ok "noop answers even a garbled request" ;; *) not_ok "noop garbled: $out" ;; esac
"$L/noop" --evil </dev/null >/dev/null 2>&1
is "a service refuses unknown arguments" "$?" "2"

# --- selfcheck
out=$({ opts; dle "$D" "<level>0</level>"; } | "$L/selfcheck" amandad bsdtcp)
echo "$out" | grep -q "^OK localhost: $D: application amgtar is ready" && ok "selfcheck OK for a good DLE" || { not_ok "selfcheck OK"; echo "$out" | sed 's/^/# /'; }
! echo "$out" | grep -q '^ERROR' && ok "selfcheck of a good DLE has no ERROR line" || not_ok "selfcheck unexpected ERROR"
out=$({ opts; dle "$T/missing" "<level>0</level>"; } | "$L/selfcheck")
echo "$out" | grep -q "^ERROR .*$T/missing" && ok "selfcheck ERROR for a missing directory" || { not_ok "selfcheck ERROR missing dir"; echo "$out" | sed 's/^/# /'; }
out=$({ opts; dle "$D" "<level>0</level>" | sed 's/amgtar/nosuchapp/'; } | "$L/selfcheck")
echo "$out" | grep -q "^ERROR .*nosuchapp" && ok "selfcheck ERROR for a missing application" || { not_ok "selfcheck missing app"; echo "$out" | sed 's/^/# /'; }
out=$({ opts; dle "$D" "<level>0</level><compress>CUSTOM<custom-compress>/no/such/zip</custom-compress></compress>"; } | "$L/selfcheck")
echo "$out" | grep -q "^ERROR .*/no/such/zip" && ok "selfcheck ERROR for a missing custom compressor" || { not_ok "selfcheck custom compress"; echo "$out" | sed 's/^/# /'; }
out=$({ opts; echo "<dle><disk>/x</disk><frobnicate>1</frobnicate></dle>"; } | "$L/selfcheck")
echo "$out" | grep -q "^ERROR .*frobnicate" && ok "an unknown DLE tag is named in the error reply" || { not_ok "unknown tag"; echo "$out" | sed 's/^/# /'; }

# --- sendsize: levels 0 and 1, a failing DLE, a server-estimated level
out=$({ opts 2; dle "$D" "<level>0</level><level>1</level>"; dle "$T/missing" "<level>0</level>";
        dle "$D/empty" "<level>0<server>YES</server></level>"; } | "$L/sendsize" amandad bsdtcp)
echo "$out" | sed 's/^/#   /'
is "sendsize starts with the OPTIONS line" "$(echo "$out" | head -1 | cut -c1-17)" "OPTIONS features="
echo "$out" | grep -Eq "^$D 0 SIZE [1-9][0-9]*$" && ok "sendsize level 0 of a DLE" || not_ok "sendsize level 0"
echo "$out" | grep -Eq "^$D 1 SIZE [0-9]+$" && ok "sendsize level 1 of a DLE" || not_ok "sendsize level 1"
echo "$out" | grep -q "^$T/missing 0 ERROR " && ok "a failing DLE gets an ERROR line" || not_ok "sendsize error line"
! echo "$out" | grep -q "$D/empty" && ok "levels the server estimates are skipped" || not_ok "server level skipped"

# --- sendbackup level 0 with the streams captured
O="$T/out"
{ opts; dle "$D" "<level>0</level>"; } > "$T/req-backup"
"$L/sendbackup" amandad bsdtcp < "$T/req-backup" > "$O/reply" \
    150>"$O/data" 152>"$O/mesg" 154>"$O/index" 156>"$O/state"
is "sendbackup exits 0" "$?" "0"
is "sendbackup reply" "$(head -1 "$O/reply")" "CONNECT DATA 150 MESG 151 INDEX 152 STATE 153"
grep -q '^sendbackup: start \[localhost:' "$O/mesg" && ok "MESG starts the dump" || not_ok "MESG start"
grep -q '^sendbackup: info end$' "$O/mesg" && ok "MESG has the header info" || not_ok "MESG info"
grep -Eq '^sendbackup: size [0-9]+$' "$O/mesg" && ok "MESG has the size" || not_ok "MESG size"
grep -Eq '^sendbackup: native-CRC [0-9a-f]{8}:[0-9]+$' "$O/mesg" && ok "MESG has the native CRC" || not_ok "MESG CRC"
is "MESG ends with end" "$(tail -1 "$O/mesg")" "sendbackup: end"
crc=$(sed -n 's/^sendbackup: native-CRC [0-9a-f]*:\([0-9]*\)$/\1/p' "$O/mesg")
is "native CRC size is the DATA size" "$crc" "$(stat -c %s "$O/data")"
mkdir "$O/x"
tar -xf "$O/data" -C "$O/x" && diff -r "$D" "$O/x" >/dev/null && ok "DATA extracts with GNU tar to the same tree" || not_ok "DATA restore"
grep -qx '/sub dir/numbers.txt' "$O/index" && ok "INDEX lists the files" || not_ok "INDEX"

# --- sendbackup with client compression
{ opts; dle "$D" "<level>0</level><compress>BEST</compress>"; } > "$T/req-gz"
"$L/sendbackup" < "$T/req-gz" > "$O/reply2" 150>"$O/data.gz" 152>"$O/mesg2" 154>/dev/null 156>/dev/null
mkdir "$O/y"
gzip -dc "$O/data.gz" | tar -xf - -C "$O/y" && diff -r "$D" "$O/y" >/dev/null && ok "compressed DATA restores" || not_ok "compressed DATA"
grep -q '^sendbackup: info COMPRESS_SUFFIX=.gz$' "$O/mesg2" && ok "COMPRESS_SUFFIX announced" || not_ok "COMPRESS_SUFFIX"
ccrc=$(sed -n 's/^sendbackup: client-CRC [0-9a-f]*:\([0-9]*\)$/\1/p' "$O/mesg2")
is "client CRC size is the compressed size" "$ccrc" "$(stat -c %s "$O/data.gz")"

# --- sendbackup failures
{ opts; dle "$T/missing" "<level>0</level>"; } | "$L/sendbackup" > "$O/reply3" 150>/dev/null 152>"$O/mesg3" 154>/dev/null 156>/dev/null
rc=$?
[ $rc -ne 0 ] && grep -q '^sendbackup: error \[' "$O/mesg3" && ok "a failing backup says sendbackup: error and exits non-zero" || not_ok "backup failure rc=$rc"
out=$({ opts; dle "$D" "<level>0</level>"; } | "$L/sendbackup" 2>/dev/null)
echo "$out" | grep -q '^ERROR \[.*fd 150' && ok "sendbackup without its streams refuses" || not_ok "no streams: $out"

done_testing
