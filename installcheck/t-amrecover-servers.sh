#!/bin/bash
# Our index and tape servers (amindexd, amidxtaped, started by our
# amandad over bsdtcp on 127.0.0.1) serve AMANDA 3.5's own amrecover.
# Volumes and catalogue come from the real AMANDA (stock amlabel + two
# amdump runs: a full, then an incremental after deleting, adding and
# changing files).  A scripted amrecover session browses both dates and
# restores one file, one directory and the whole DLE as of each date;
# the restored trees must equal the source as it was then.
# Then our own amrecover runs the same restores against our servers and
# against AMANDA's amindexd/amidxtaped (AMANDA's amandad on another port).
# A second, uncompressed DLE of 8 MiB checks Direct Access Recovery each
# way: two files restored from its full must be the source's, and the
# debug logs must show DAR ranges and far fewer bytes sent than the image.
# Needs root, user backup, AMANDA's amdump/amrecover and socat.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/amdump ] || [ ! -x /usr/sbin/amrecover ] ||
   ! getent passwd backup >/dev/null || ! command -v socat >/dev/null; then
    echo "1..0 # SKIP needs root, user backup, AMANDA's amdump and amrecover, and socat"
    exit 0
fi
CONF=amic-recover-$$
PORT=$((20000 + $$ % 10000))
SOCAT_PID=
SOCAT2_PID=
# AMANDA's amandad serves our amrecover (run as root) only when
# ~backup/.amandahosts lets root use amindexd and amidxtaped.
cleanup() {
    [ -n "$SOCAT_PID" ] && kill "$SOCAT_PID" 2>/dev/null
    [ -n "$SOCAT2_PID" ] && kill "$SOCAT2_PID" 2>/dev/null
    stock_amandahosts_restore
    rm -rf "/etc/amanda/$CONF"
    cleanup_tmp
}
trap cleanup EXIT
stock_amandahosts_allow "localhost root amindexd amidxtaped"
stock() { chown -R backup:backup "$T" "/etc/amanda/$CONF"; runuser -u backup -- timeout 120 "$@"; }
W=$T/w
D=$W/data/tree
mkdir -p "/etc/amanda/$CONF" "$W/vt" "$W/st/index" "$W/gl" "$W/hd" "$D/dir"
echo "first version" > "$D/a.txt"
echo "will be deleted" > "$D/gone.txt"
seq 1 3000 > "$D/dir/x"
echo "blank in the name" > "$D/sp ace.txt"
B=$W/data/big
mkdir -p "$B/sub"
for i in $(seq -w 1 40); do head -c 204800 /dev/urandom > "$B/sub/f$i.bin"; done
: > "$W/st/tapelist"
cat > "/etc/amanda/$CONF/amanda.conf" <<EOF
org "$CONF"
mailto ""
dumpuser "backup"
dumpcycle 7 days
runspercycle 7
tapecycle 4 tapes
infofile "$W/st/curinfo"
logdir "$W/st"
indexdir "$W/st/index"
tapelist "$W/st/tapelist"
define changer vtapes {
  tpchanger "chg-disk:$W/vt"
  property "num-slot" "3"
  property "auto-create-slot" "yes"
}
tpchanger "vtapes"
define tapetype VTAPE {
  length 20 mbytes
  part_size 1 mbytes
}
tapetype "VTAPE"
labelstr "^$CONF-[0-9][0-9]*\$"
autolabel "$CONF-%%%" empty volume_error
holdingdisk hd1 {
  directory "$W/hd"
  use 64 mbytes
}
define application-tool app_amgtar {
  plugin "amgtar"
  property "CHECK-DEVICE" "no"
  property "GNUTAR-LISTDIR" "$W/gl"
}
define dumptype tree {
  program "APPLICATION"
  application "app_amgtar"
  auth "local"
  index yes
  estimate server
  compress client fast
  maxpromoteday 0
}
define dumptype raw {
  tree
  compress none
}
EOF
printf 'localhost %s tree\nlocalhost %s raw\n' "$D" "$B" > "/etc/amanda/$CONF/disklist"

for s in 1 2; do
    stock /usr/sbin/amlabel "$CONF" "$CONF-00$s" slot "$s" >/dev/null 2>&1
done
stock /usr/sbin/amdump "$CONF" >/dev/null 2>&1
cp -a "$D" "$T/v1"
sleep 1
rm "$D/gone.txt"
echo "added later" > "$D/new.txt"
echo "second version" >> "$D/a.txt"
seq 1 10 > "$D/dir/y"
stock /usr/sbin/amdump "$CONF" >/dev/null 2>&1
cp -a "$D" "$T/v2"
LOGS=$(ls "$W"/st/log.*.0 2>/dev/null | sort)
TS1=$(echo "$LOGS" | sed -n 1p | sed 's/.*log\.\([0-9]*\)\.0/\1/')
TS2=$(echo "$LOGS" | sed -n 2p | sed 's/.*log\.\([0-9]*\)\.0/\1/')
levels=$(cat $LOGS 2>/dev/null | grep '^DONE taper' | awk '{print $(NF-8)}' | tr '\n' ' ')
if [ -z "$TS2" ] || ! grep -q "^DONE taper.* $TS2 [0-9]* 1 " $LOGS; then
    echo "# stock amdump did not produce a full then an incremental (levels: $levels)"
    not_ok "two stock amdump runs: a full, then an incremental"
    done_testing
    exit
fi
ok "two stock amdump runs: a full ($TS1), then an incremental ($TS2)"
nice1=$(echo "$TS1" | sed 's/\(....\)\(..\)\(..\)\(..\)\(..\)\(..\)/\1-\2-\3-\4-\5-\6/')
nice2=$(echo "$TS2" | sed 's/\(....\)\(..\)\(..\)\(..\)\(..\)\(..\)/\1-\2-\3-\4-\5-\6/')

# ---- our amidxtaped alone, given DAR ranges no amrecover would send ----
# The big DLE's full through our amfetchdump is the reference image; each
# set of ranges must come back as exactly those bytes of it, in order.
ours_env() { AMANDA_CONFIG_DIR=/etc/amanda timeout 60 "$@"; }
ours_env "$PREFIX/sbin/amfetchdump" -p "$CONF" localhost "$B" "$TS1" >"$T/big.img" 2>/dev/null
files=$(grep -h "^PART taper .* localhost $B $TS1 " $LOGS | awk '{print $6}' | paste -sd,)
label=$(grep -h "^PART taper .* localhost $B $TS1 " $LOGS | awk '{print $5}' | head -1)
# taped LINE...: our amidxtaped's DATA payload when amrecover's lines after
# DATAPATH-OK are LINE... (its CTL answers and debug log in $T/taped)
taped() {
    local h disk_re
    rm -rf "$T/taped"
    mkdir -p "$T/taped"
    disk_re=$(sed 's/[.]/\\./g' <<<"$B")
    { printf '%s\r\n' "FEATURES=ffffffff9efefbfffffffffffffff3fffbf71f" "CONFIG=$CONF" \
          "LABEL=$CONF:$label:$files" "HEADER" "HOST=^localhost\$" "DISK=^$disk_re\$" \
          "DATESTAMP=$TS1" "END" "HEADER-READY" "HEADER-DONE" "STATE-READY" "STATE-DONE" \
          "USE-DAR YES" "AVAIL-DATAPATH AMANDA" "DATAPATH-OK" "$@"; } >"$T/taped/in"
    echo "SERVICE amidxtaped" | AMANDA_DBGDIR=$T/taped ours_env \
        "$PREFIX/libexec/amanda/amidxtaped" 150>"$T/taped/ctl" 151<"$T/taped/in" \
        152>"$T/taped/data" 154>/dev/null >/dev/null 2>&1
    h=$(grep -a -o 'HEADER-SEND-SIZE [0-9]*' "$T/taped/ctl" | awk '{print $2}')
    tail -c +$((${h:-0} + 1)) "$T/taped/data"
}
# ranges START:END...: those bytes of the reference image (END -1: to its end)
ranges() {
    python3 -c 'import sys
img = open(sys.argv[1], "rb").read()
for r in sys.argv[2:]:
    s, e = map(int, r.split(":"))
    sys.stdout.buffer.write(img[s:] if e == -1 else img[s:e + 1])' "$T/big.img" "$@"
}
# dar_ranges NAME START:END...: amidxtaped sends exactly those bytes
dar_ranges() {
    local name=$1 r lines=()
    shift
    for r in "$@"; do lines+=("DAR $r"); done
    check "our amidxtaped alone: DAR $name" \
        cmp -s <(taped "DATA-READY" "${lines[@]}" "DAR-DONE") <(ranges "$@")
}
if [ "$(stat -c %s "$T/big.img" 2>/dev/null)" -gt 8000000 ] && [ -n "$files" ]; then
    dar_ranges "one byte" 0:0
    dar_ranges "across a part boundary" 1048000:1049999
    dar_ranges "across three parts" 500000:3500000
    dar_ranges "the last part to the end" 8000000:-1
    dar_ranges "backwards" 5000000:5000100 100:200
    dar_ranges "overlapping" 100:5000 3000:9000
    dar_ranges "past the end" 8222000:9000000 9000000:9000100
    dar_ranges "scattered" 10:20 2000000:2000010 4000000:4000010 6000000:6000010 8222719:8222719
    dar_ranges "everything" 0:-1
    # AMANDA's amrecover may relay its application's lines before DATA-READY
    check "our amidxtaped alone: DAR lines before DATA-READY" \
        cmp -s <(taped "DAR 100:200" "DATA-READY" "DAR 300:400" "DAR-DONE") <(ranges 100:200 300:400)
    check "... and DAR-DONE too" \
        cmp -s <(taped "DAR 100:200" "DAR-DONE" "DATA-READY") <(ranges 100:200)
    taped "DATA-READY" "DAR 8000000:-1" "DAR-DONE" >/dev/null
    check "... whole parts skipped and bytes seeked past" grep -q \
        "dar: sent 222720 bytes .*seeked past [1-9][0-9]*, skipped 7 whole part" \
        "$T"/taped/server/amidxtaped.*.debug
    taped "DATA-READY" "DAR 5:1" "DAR-DONE" >/dev/null
    check "... a bad DAR line is refused with a MESSAGE" grep -q 'MESSAGE "DAR 5:1" is not' "$T/taped/ctl"
else
    not_ok "our amfetchdump fetches the big DLE's full as the reference image"
fi

# ---- our amandad on 127.0.0.1:$PORT with our amindexd and amidxtaped ----
printf 'localhost root amindexd amidxtaped\n127.0.0.1 root amindexd amidxtaped\n' > "$T/amandahosts"
chmod 600 "$T/amandahosts"
AMANDA_AMANDAHOSTS=$T/amandahosts AMANDA_CONFIG_DIR=/etc/amanda \
    socat TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork \
    EXEC:"$PREFIX/libexec/amanda/amandad -auth=bsdtcp amindexd amidxtaped",nofork \
    2>"$T/socat.err" &
SOCAT_PID=$!
wait_for_port "$PORT"

# recover DIR COMMANDS...: one stock amrecover session, extracting into DIR
recover() {
    local dir=$1; shift
    mkdir -p "$dir"
    { printf '%s\n' "$@"; printf 'Y\nY\nY\nY\nY\nY\nquit\n'; } |
        ( cd "$dir" && timeout 60 /usr/sbin/amrecover "$CONF" -s localhost -t localhost \
              -o auth=bsdtcp -o client_port=$PORT 2>&1 )
}
base=("sethost localhost" "setdisk $D")

out=$(recover "$T/ls" "setdate $nice1" "${base[@]}" "history" "ls" "cd dir" "ls")
check "amrecover reaches our amindexd" grep -q "AMANDA index server" <<<"$out"
check "history lists both dumps" bash -c 'grep -q "^201- $1 0 " <<<"$3" && grep -q "^201- $2 1 " <<<"$3"' sh "$nice1" "$nice2" "$out"
check "as of the full, gone.txt is listed" grep -q " gone.txt\$" <<<"$out"
check "as of the full, new.txt is not" bash -c '! grep -q " new.txt\$" <<<"$1"' sh "$out"
check "names with blanks are listed" grep -q "sp ace.txt" <<<"$out"
out2=$(recover "$T/ls2" "setdate $nice2" "${base[@]}" "ls" "cd dir" "ls")
check "as of the incremental, new.txt is listed" grep -q " new.txt\$" <<<"$out2"
check "as of the incremental, dir/y is listed" grep -q " y\$" <<<"$out2"
out3=$(recover "$T/ls3" "${base[@]}" "cd nosuchdir" "add nosuchfile")
echo "$out3" > "$T/ls3.out"
check "cd into a path outside the dump is refused" grep -q "Invalid directory - nosuchdir" <<<"$out3"
check "add of a path outside the dump is refused" grep -q "File nosuchfile doesn't exist in directory" <<<"$out3"

# matrix WHO RECOVER-FUNCTION DATES: file, directory and whole DLE as of
# each of DATES (1 = the full, 2 = the incremental)
matrix() {
    local who=$1 fn=$2 dates=$3 n d
    for n in $dates; do
        d=nice$n
        $fn "$T/$who-f$n" "setdate ${!d}" "${base[@]}" "add a.txt" "extract" >"$T/$who-f$n.out"
        check "$who: date $n: one file restored as it was" cmp -s "$T/$who-f$n/a.txt" "$T/v$n/a.txt"
        $fn "$T/$who-d$n" "setdate ${!d}" "${base[@]}" "add dir" "extract" >"$T/$who-d$n.out"
        check "$who: date $n: one directory restored as it was" diff -r "$T/$who-d$n/dir" "$T/v$n/dir"
        $fn "$T/$who-w$n" "setdate ${!d}" "${base[@]}" "add ." "extract" >"$T/$who-w$n.out"
        check "$who: date $n: the whole DLE restored as it was" diff -r "$T/$who-w$n" "$T/v$n"
    done
}
matrix "stock amrecover, our servers" recover "2"

# dar WHO RECOVER-FUNCTION FILE...: files out of the big DLE's full, each
# restored as it is, and nothing else
dar() {
    local who=$1 fn=$2 f adds=() dir=$T/$1-dar$(($# - 2))
    shift 2
    for f in "$@"; do adds+=("add sub/$f"); done
    $fn "$dir" "setdate $nice1" "sethost localhost" "setdisk $B" "${adds[@]}" "extract" >"$dir.out"
    check "$who: DAR: $# file(s) of the big DLE restored" \
        bash -c 'd=$1 b=$2; shift 2; for f; do cmp -s "$d/sub/$f" "$b/sub/$f" || exit 1; done
                 [ "$(find "$d" -type f | wc -l)" = $# ]' sh "$dir" "$B" "$@"
}
# newest DIR/PATTERN: the last debug log created, by its name
# (PROG.STAMP.debug, then PROG.STAMP.001.debug ...); not by mtime, which
# a previous process still finishing its log can bump
newest() {
    ls "$1"/$2 2>/dev/null |
        awk '{ k = $0; sub(/\.debug$/, "", k); n = split(k, f, ".")
               s = f[n] ~ /^[0-9][0-9][0-9]$/ ? f[n - 1] "." f[n] : f[n] ".000-"
               print s "\t" $0 }' | sort | tail -1 | cut -f2
}
# our amidxtaped's last log: DAR lines came, and it sent < 1/10 of the image
our_server_sent_little() {
    local log=$1 line sent image
    grep -q "CTL >> USE-DAR YES" "$log" && grep -q "CTL << USE-DAR YES" "$log" &&
        grep -q "CTL << DAR [0-9]*:" "$log" && grep -q "CTL << DAR-DONE" "$log" || return 1
    # logged before the data goes: amrecover may have all of it (and
    # amandad end amidxtaped) before the "sent" line is written
    line=$(grep "dar: [0-9]* range(s), [0-9]* bytes to send" "$log") || return 1
    sent=$(sed 's/.*dar: [0-9]* range(s), \([0-9]*\) bytes to send of a \([0-9]*\)-byte image.*/\1/' <<<"$line")
    image=$(sed 's/.*dar: [0-9]* range(s), \([0-9]*\) bytes to send of a \([0-9]*\)-byte image.*/\2/' <<<"$line")
    echo "# ${line#*amidxtaped: }" >&2
    grep "dar: sent" "$log" | sed 's/.*amidxtaped: /# /' >&2
    [ "$image" -gt 8000000 ] && [ $((sent * 10)) -lt "$image" ]
}
dar "stock amrecover, our servers" recover f20.bin
check "... our amidxtaped got DAR ranges and sent under a tenth of the image" \
    our_server_sent_little "$(newest "$AMANDA_DBGDIR/server" 'amidxtaped.*.debug')"
# ten ranges across all the parts
scattered=(f01.bin f05.bin f09.bin f13.bin f17.bin f21.bin f25.bin f29.bin f33.bin f40.bin)
dar "stock amrecover, our servers" recover "${scattered[@]}"
dar_lines() { grep -o 'CTL << DAR [0-9]*:[-0-9]*' "$(newest "$AMANDA_DBGDIR/server" 'amidxtaped.*.debug')"; }
stock_ranges=$(dar_lines)

# ---- our amrecover, against our servers and against AMANDA's ----
ours() {
    local dir=$1; shift
    mkdir -p "$dir"
    { printf '%s\n' "$@"; printf 'Y\nquit\n'; } |
        ( cd "$dir" && timeout 60 "$PREFIX/sbin/amrecover" "$CONF" -s localhost -t localhost \
              -o auth=bsdtcp -o client_port=$PORT 2>&1 )
}
out4=$(ours "$T/our-ls" "setdate $nice1" "${base[@]}" "ls" "cd nosuchdir" "add nosuchfile")
check "our amrecover lists the full's files" grep -q " gone.txt\$" <<<"$out4"
check "our amrecover refuses a path outside the dump" grep -q "Invalid directory - nosuchdir" <<<"$out4"
check "... and an unknown file" grep -q "File nosuchfile doesn't exist in directory" <<<"$out4"
out5=$(ours "$T/our-bad" "sethost nosuchhost" "setdisk /nosuchdisk")
check "our amrecover names an unknown host" grep -q "501 Host nosuchhost is not in your disklist" <<<"$out5"
matrix "our amrecover, our servers" ours "1 2"
# our amrecover's last log: it used DAR and got < 1/10 of 8 MiB on DATA
our_client_got_little() {
    local log=$1 got
    grep -q "dar: DAR [0-9]*:" "$log" || return 1
    got=$(grep -o "received [0-9]* bytes on DATA (direct access)" "$log" | awk '{print $2}')
    echo "# our amrecover received $got bytes on DATA with DAR" >&2
    [ -n "$got" ] && [ "$got" -gt 0 ] && [ "$got" -lt 838860 ]
}
dar "our amrecover, our servers" ours f05.bin f33.bin
check "... our amidxtaped got DAR ranges and sent under a tenth of the image" \
    our_server_sent_little "$(newest "$AMANDA_DBGDIR/server" 'amidxtaped.*.debug')"
check "... our amrecover relayed the ranges and received under a tenth of the image" \
    our_client_got_little "$(newest "$AMANDA_DBGDIR/client" 'amrecover.*.debug')"
dar "our amrecover, our servers" ours "${scattered[@]}"
is "our amgtar asks for the ranges AMANDA's amgtar asks for" "$(dar_lines)" "$stock_ranges"
# an application that does not support DAR: amrecover says USE-DAR NO and
# the whole image comes (the figure to compare with one file's range)
mkdir -p "$T/nodar"
cat >"$T/nodar/amgtar" <<EOF
#!/bin/sh
if [ "\$1" = support ]; then
    "$PREFIX/libexec/amanda/application/amgtar" support | sed 's/^DAR YES\$/DAR NO/'
    exit
fi
exec "$PREFIX/libexec/amanda/application/amgtar" "\$@"
EOF
chmod 755 "$T/nodar/amgtar"
AMANDA_APPLICATION_DIR=$T/nodar ours "$T/our-nodar" "setdate $nice1" "sethost localhost" \
    "setdisk $B" "add sub/f20.bin" "extract" >"$T/our-nodar.out"
check "our amrecover, application without DAR: the file restored" \
    cmp -s "$T/our-nodar/sub/f20.bin" "$B/sub/f20.bin"
nodar_log=$(newest "$AMANDA_DBGDIR/server" 'amidxtaped.*.debug')
check "... USE-DAR NO, and the whole image sent" bash -c \
    'grep -q "CTL << USE-DAR NO" "$1" && l=$(grep -o "received [0-9]* bytes on DATA\$" "$2") &&
     echo "# our amrecover without DAR: $l" >&2 && [ "${l//[^0-9]/}" -gt 8000000 ]' \
    sh "$nodar_log" "$(newest "$AMANDA_DBGDIR/client" 'amrecover.*.debug')"
# a directory as of the incremental (the chown before each stock run
# changed every ctime, so its level 1 holds every file), and the whole DLE
# (DAR 0:-1)
ours "$T/our-dar-dir" "setdate $nice2" "sethost localhost" "setdisk $B" "add sub" "extract" \
    >"$T/our-dar-dir.out"
check "our amrecover, our servers: DAR: a directory of the big DLE as of the incremental" \
    diff -r "$T/our-dar-dir/sub" "$B/sub"
check "... read from the level 1 with DAR" bash -c \
    'grep -q "CTL << DATESTAMP=$2" "$1" && grep -q "CTL << DAR-DONE" "$1"' \
    sh "$(newest "$AMANDA_DBGDIR/server" 'amidxtaped.*.debug')" "$TS2"
ours "$T/our-dar-all" "setdate $nice1" "sethost localhost" "setdisk $B" "add ." "extract" \
    >"$T/our-dar-all.out"
check "our amrecover, our servers: DAR: the whole big DLE" diff -r "$T/our-dar-all" "$B"
check "... as one range to the end" grep -q "CTL << DAR 0:-1" \
    "$(newest "$AMANDA_DBGDIR/server" 'amidxtaped.*.debug')"
mv "$W/vt/slot2" "$W/vt/away"
out6=$(ours "$T/our-miss" "setdate $nice2" "${base[@]}" "add a.txt" "extract")
mv "$W/vt/away" "$W/vt/slot2"
check "a missing volume is named by the tape server" grep -q "volume '$CONF-002' is needed but cannot be loaded" <<<"$out6"
check "... and amrecover says the file was not restored" grep -q "was not restored" <<<"$out6"

# AMANDA's own amandad (as backup) on a second port runs AMANDA's amindexd/amidxtaped
PORT2=$((PORT + 1))
socat TCP-LISTEN:$PORT2,bind=127.0.0.1,reuseaddr,fork,su=backup \
    EXEC:"/usr/lib/amanda/amandad -auth=bsdtcp amindexd amidxtaped",nofork 2>"$T/socat2.err" &
SOCAT2_PID=$!
wait_for_port "$PORT2"
stock_servers() {
    local dir=$1; shift
    mkdir -p "$dir"
    { printf '%s\n' "$@"; printf 'Y\nquit\n'; } |
        ( cd "$dir" && timeout 60 "$PREFIX/sbin/amrecover" "$CONF" -s localhost -t localhost \
              -o auth=bsdtcp -o client_port=$PORT2 2>&1 )
}
if grep -q "localhost root amindexd" "$STOCK_HOSTS" 2>/dev/null; then
    chown -R backup:backup "$W"
    matrix "our amrecover, AMANDA's servers" stock_servers "2"
    dar "our amrecover, AMANDA's servers" stock_servers f05.bin f33.bin
    check "... AMANDA's amidxtaped got our DAR ranges" bash -c \
        'grep -q "USE-DAR YES" "$1" && grep -q "DAR [0-9]*:" "$1" && grep -q "DAR-DONE" "$1"' sh \
        "$(newest "/var/log/amanda/server/$CONF" 'amidxtaped.*.debug')"
    check "... our amrecover relayed the ranges and received under a tenth of the image" \
        our_client_got_little "$(newest "$AMANDA_DBGDIR/client" 'amrecover.*.debug')"
    dar "our amrecover, AMANDA's servers" stock_servers "${scattered[@]}"
else
    not_ok "our amrecover against AMANDA's servers: $STOCK_HOSTS could not be set up"
fi
kill "$SOCAT2_PID" 2>/dev/null
done_testing
