#!/bin/bash
# Restore tools against volumes written by the real AMANDA 3.5 (Debian's
# amanda-server): a throwaway config, chg-disk vtapes of 4 MiB, part-size
# 1 MiB and runtapes 2, so one dump spans two volumes.  Stock amlabel +
# amdump (as user backup) write the volumes; then our amfetchdump and
# amrestore must give back images byte-identical to AMANDA's own
# amfetchdump and amrestore, and fail clearly on bad input.  From the
# state file AMANDA's dumper kept, our amgtar must ask for the same
# direct-access byte ranges as AMANDA's amgtar, and restore a file from
# only its range.
# Needs root (AMANDA's programs run as user backup through runuser).
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/amdump ] || [ ! -x /usr/sbin/amfetchdump ] ||
   ! getent passwd backup >/dev/null; then
    echo "1..0 # SKIP needs root, user backup and AMANDA's /usr/sbin/amdump"
    exit 0
fi
CONF=amic-restore-$$
trap 'rm -rf "/etc/amanda/$CONF"; cleanup_tmp' EXIT
# our tools read the same /etc/amanda config as AMANDA's; they run as root
# because the install prefix may be private to root (mktemp -d); files
# they create are handed back to backup before AMANDA's tools run again
ours() { AMANDA_CONFIG_DIR=/etc/amanda timeout 120 "$@"; }
as_backup() { chown -R backup:backup "$T"; runuser -u backup -- "$@"; }
W=$T/w
mkdir -p "/etc/amanda/$CONF" "$W/vt" "$W/st/index" "$W/gl" "$W/hd" "$W/data/big" "$W/data/small/sub"
head -c $((6 * 1024 * 1024)) /dev/urandom > "$W/data/big/random.bin"
for i in $(seq 1 200); do echo "line $i of a compressible file" ; done > "$W/data/small/a.txt"
seq 1 20000 > "$W/data/small/sub/numbers"
: > "$W/st/tapelist"
cat > "/etc/amanda/$CONF/amanda.conf" <<EOF
org "$CONF"
mailto ""
dumpuser "backup"
runtapes 2
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
  length 4 mbytes
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
define dumptype plain {
  program "APPLICATION"
  application "app_amgtar"
  auth "local"
  index yes
  estimate server
  compress none
}
define dumptype zipped {
  plain
  compress client fast
}
EOF
printf 'localhost %s plain\nlocalhost %s zipped\n' "$W/data/big" "$W/data/small" \
    > "/etc/amanda/$CONF/disklist"
chown -R backup:backup "/etc/amanda/$CONF" "$T"

for s in 1 2; do
    check "AMANDA's amlabel labels slot $s" sh -c 'runuser -u backup -- /usr/sbin/amlabel "$1" "$1-00$2" slot "$2" >/dev/null 2>&1' sh "$CONF" "$s"
done
if ! timeout 300 runuser -u backup -- /usr/sbin/amdump "$CONF" > "$T/amdump.out" 2>&1; then
    sed 's/^/#   /' "$T/amdump.out" | tail -5
fi
LOG=$(ls "$W/st"/log.*.0 2>/dev/null | head -1)
labels=$(grep '^PART taper' "$LOG" 2>/dev/null | grep -F "$W/data/big" | grep -o "$CONF-00[0-9]" | sort -u | tr '\n' ' ')
is "AMANDA's amdump split the big dump over two volumes" "$labels" "$CONF-001 $CONF-002 "
if [ "$labels" != "$CONF-001 $CONF-002 " ]; then
    echo "# (no multi-volume dump: the remaining checks cannot run)"
    done_testing
    exit
fi
nparts=$(grep '^PART taper' "$LOG" | grep -cF "$W/data/big")
echo "# the big dump has $nparts parts"

# ---- amfetchdump: ours against AMANDA's ----
mkdir -p "$T/f-stock" "$T/f-ours" "$T/h-stock" "$T/h-ours"
chown backup "$T"/f-* "$T"/h-*
( cd "$T/f-stock" && as_backup timeout 120 /usr/sbin/amfetchdump -a "$CONF" localhost \
    </dev/null >/dev/null 2>"$T/fetch-stock.err" )
ours "$PREFIX/sbin/amfetchdump" -a -O "$T/f-ours" "$CONF" localhost >/dev/null 2>"$T/fetch-ours.err"
is "our amfetchdump succeeds" "$?" 0
is "both restore the same image names" "$(ls "$T/f-ours" | tr '\n' '|')" "$(ls "$T/f-stock" | tr '\n' '|')"
for f in "$T"/f-stock/*; do
    b=$(basename "$f")
    check "amfetchdump image $b is byte-identical to AMANDA's" cmp -s "$f" "$T/f-ours/$b"
done
check "our amfetchdump names both volumes it needs" grep -q "2 volume(s) needed" "$T/fetch-ours.err"
BIG=$(ls "$T/f-stock" | grep '_big\.')
SMALL=$(ls "$T/f-stock" | grep '_small\.')
is "the big image holds the random file" \
    "$(tar -xOf "$T/f-ours/$BIG" ./random.bin 2>/dev/null | cmp -s - "$W/data/big/random.bin" && echo same)" same

( cd "$T/h-stock" && as_backup timeout 120 /usr/sbin/amfetchdump -a -h "$CONF" localhost "$W/data/small" \
    </dev/null >/dev/null 2>&1 )
ours "$PREFIX/sbin/amfetchdump" -a -h -O "$T/h-ours" "$CONF" localhost "$W/data/small" >/dev/null 2>&1
check "amfetchdump -h (header + decompressed image) is byte-identical to AMANDA's" \
    cmp -s "$T/h-stock/$SMALL" "$T/h-ours/$SMALL"

ours "$PREFIX/sbin/amfetchdump" -p "$CONF" localhost "$W/data/big" > "$T/piped" 2>/dev/null
check "amfetchdump -p pipes the joined image" cmp -s "$T/piped" "$T/f-stock/$BIG"

# ---- amrestore: ours against AMANDA's, volume by volume ----
for s in 1 2; do
    mkdir -p "$T/r-stock$s" "$T/r-ours$s"
    chown backup "$T/r-stock$s" "$T/r-ours$s"
    ( cd "$T/r-stock$s" && as_backup timeout 120 /usr/sbin/amrestore -r "file:$W/vt/slot$s" >/dev/null 2>&1 )
    ( cd "$T/r-ours$s" && ours "$PREFIX/sbin/amrestore" -r "file:$W/vt/slot$s" >/dev/null 2>&1 )
    is "amrestore -r of volume $s gives AMANDA's file names" \
        "$(ls "$T/r-ours$s" | tr '\n' '|')" "$(ls "$T/r-stock$s" | tr '\n' '|')"
    same=yes
    for f in "$T/r-stock$s"/*; do cmp -s "$f" "$T/r-ours$s/$(basename "$f")" || same=no; done
    is "amrestore -r of volume $s: every part byte-identical to AMANDA's" "$same" yes
done
mkdir -p "$T/r-small" && chown backup "$T/r-small"
( cd "$T/r-small" && ours "$PREFIX/sbin/amrestore" "file:$W/vt/slot1" localhost small >/dev/null 2>"$T/r-small.err" )
check "amrestore of the compressed dump equals AMANDA's amfetchdump image" \
    cmp -s "$T/r-small/$SMALL" "$T/f-stock/$SMALL"
# the joined raw parts of both volumes are the big image
big_from_raw() {
    local f
    for f in $(ls "$T"/r-ours1/*_big.*.RAW "$T"/r-ours2/*_big.*.RAW); do
        tail -c +32769 "$f"
    done
}
big_from_raw > "$T/big-joined"
check "the raw parts of both volumes, joined, are the big image" cmp -s "$T/big-joined" "$T/f-stock/$BIG"
mkdir -p "$T/r-big" && chown backup "$T/r-big"
( cd "$T/r-big" && ours "$PREFIX/sbin/amrestore" "file:$W/vt/slot1" localhost big >/dev/null 2>"$T/r-big.err" )
is "amrestore of a dump cut by the end of a volume fails" "$?" 1
check "... and says it may continue on the next volume" grep -q "may continue on the next volume" "$T/r-big.err"
check "... leaving only a .partial file" sh -c '! ls "$1" | grep -v "partial$" | grep -q . && ls "$1" | grep -q "partial$"' sh "$T/r-big"

# ---- bad input ----
ours "$PREFIX/sbin/amfetchdump" -O "$T/f-ours" "$CONF" nosuchhost >/dev/null 2>"$T/bad.err"
is "amfetchdump of an unknown host exits 1" "$?" 1
check "... saying no dump matches" grep -q "no complete dump in the catalogue of $CONF" "$T/bad.err"
ours "$PREFIX/sbin/amfetchdump" -O "$T/f-ours" "$CONF" localhost "$W/data/small" 19990101 >/dev/null 2>"$T/bad.err"
is "amfetchdump of an unknown date exits 1" "$?" 1
mv "$W/vt/slot2" "$W/vt/away"
mkdir -p "$T/f-miss" && chown backup "$T/f-miss"
ours "$PREFIX/sbin/amfetchdump" -O "$T/f-miss" "$CONF" localhost "$W/data/big" >/dev/null 2>"$T/miss.err"
is "amfetchdump with a volume missing exits 1" "$?" 1
check "... naming the missing volume" grep -q "volume '$CONF-002' is needed" "$T/miss.err"
check "... and no complete-looking image is left" sh -c '! ls "$1" | grep -v "partial$" | grep -q .' sh "$T/f-miss"
mv "$W/vt/away" "$W/vt/slot2"

# ---- --extract through our amgtar ----
if [ -x "$AMANDA_APPLICATION_DIR/amgtar" ]; then
    ours "$PREFIX/sbin/amfetchdump" --extract --target "$T/x" "$CONF" localhost "$W/data/small" >/dev/null 2>"$T/x.err"
    is "amfetchdump --extract exits 0" "$?" 0
    check "... and the restored tree equals the source" diff -r "$W/data/small" "$T/x"
fi

# ---- direct access: amgtar's byte ranges from AMANDA's state file ----
# dar_of AMGTAR MEMBER...: the "DAR start:end" lines AMGTAR's restore --dar
# yes writes on fd 3 for MEMBERs of the small DLE's full (no image given)
dar_of() {
    local app=$1
    shift
    mkdir -p "$T/dar-scratch"
    ( cd "$T/dar-scratch" && "$app" restore --config "$CONF" --disk "$W/data/small" --dar yes \
          --recover-dump-state-file "$T/small.state" "$@" </dev/null 3>&1 >/dev/null 2>&1 )
}
# image_ranges IMAGE < DAR lines: those bytes of IMAGE, in order
image_ranges() {
    python3 -c 'import sys
img = open(sys.argv[1], "rb").read()
for line in sys.stdin:
    s, e = map(int, line.split()[1].split(":"))
    sys.stdout.buffer.write(img[s:] if e == -1 else img[s:e + 1])' "$1"
}
state=$(ls "$W"/st/index/localhost/*small*/*_0.state.gz 2>/dev/null | head -1)
if [ -n "$state" ] && [ -x "$AMANDA_APPLICATION_DIR/amgtar" ]; then
    gzip -dc "$state" >"$T/small.state"
    ours_dar=$(dar_of "$AMANDA_APPLICATION_DIR/amgtar" ./a.txt)
    is "our amgtar's DAR range for one file equals AMANDA's amgtar's" \
        "$ours_dar" "$(dar_of /usr/lib/amanda/application/amgtar ./a.txt)"
    is "... for the last file (to the end of the image)" \
        "$(dar_of "$AMANDA_APPLICATION_DIR/amgtar" ./sub/numbers)" \
        "$(dar_of /usr/lib/amanda/application/amgtar ./sub/numbers)"
    is "... and for a file and a directory" \
        "$(dar_of "$AMANDA_APPLICATION_DIR/amgtar" ./a.txt ./sub)" \
        "$(dar_of /usr/lib/amanda/application/amgtar ./a.txt ./sub)"
    mkdir -p "$T/dar-x"
    image_ranges "$T/f-stock/$SMALL" <<<"$ours_dar" |
        ( cd "$T/dar-x" && "$AMANDA_APPLICATION_DIR/amgtar" restore --config "$CONF" \
              --disk "$W/data/small" --dar yes --recover-dump-state-file "$T/small.state" \
              ./a.txt 3>/dev/null 2>"$T/dar-x.err" )
    check "our amgtar restores the file from only its range" \
        cmp -s "$T/dar-x/a.txt" "$W/data/small/a.txt"
    check "... which is a small part of the image" \
        test $(( $(image_ranges "$T/f-stock/$SMALL" <<<"$ours_dar" | wc -c) * 4 )) -lt \
             "$(stat -c %s "$T/f-stock/$SMALL")"
else
    not_ok "AMANDA's amdump left a state file for the small DLE"
fi
done_testing
