#!/bin/bash
# Catalogue interoperability with the real AMANDA 3.5 (Debian's
# amanda-server), on a throwaway config that stock amlabel + amdump fill:
#  1. our readers agree with AMANDA's tools on AMANDA's catalogue: `amadmin
#     find` (and a sort order) against amcatalogue-tool find and our
#     amadmin find, `amadmin info` against ours, curinfo and tapelist read
#     and written back byte-identically, the run log parsed without a
#     complaint, the index files read as zcat does;
#  2. files we write are AMANDA's: our tapelist rewrite with a no-reuse
#     flag is byte-identical to stock `amadmin no-reuse`, stock amadmin
#     reads curinfo we rewrote as it reads its own, and a second stock
#     amdump honours a force flag we set and appends to our tapelist;
#  3. holding disk: with every volume marked no-reuse by us a third stock
#     run dumps to the holding disk in 128 KiB chunks, which our reader
#     lists and reads as dd does; an image our chunk writer made is listed
#     by stock amadmin, flushed by stock amflush, and restores identical;
#     our find agrees with stock find on the amflush log too.
# Needs root (AMANDA's programs run as user backup through runuser).
. "$(dirname "$0")/lib.sh"

TOOL=$PREFIX/libexec/amanda/amcatalogue-tool
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/amdump ] || [ ! -x /usr/sbin/amadmin ] ||
   ! getent passwd backup >/dev/null; then
    echo "1..0 # SKIP needs root, user backup and AMANDA's /usr/sbin/amdump and amadmin"
    exit 0
fi
CONF=amic-cat-$$
trap 'rm -rf "/etc/amanda/$CONF"; cleanup_tmp' EXIT
as_backup() { runuser -u backup -- "$@"; }
stock() { (cd "$T" && timeout 120 runuser -u backup -- /usr/sbin/amadmin "$CONF" "$@" 2>&1); }

W=$T/amanda
ST=$W/st
mkdir -p "/etc/amanda/$CONF" "$W/vt" "$ST/curinfo" "$ST/index" "$W/gl" "$W/hd" \
    "$W/data/plain" "$W/data/with space" "$W/data/co:lon"
for d in plain "with space" co:lon; do
    for i in 1 2 3; do head -c $((i * 3000)) /dev/urandom > "$W/data/$d/f$i"; done
done
mkdir -p "$W/data/plain/sub" && echo deep > "$W/data/plain/sub/z"
head -c 300000 /dev/urandom > "$W/data/plain/big"
: > "$ST/tapelist"
cat > "/etc/amanda/$CONF/amanda.conf" <<EOF
org "$CONF"
mailto ""
dumpuser "backup"
inparallel 2
dumpcycle 7 days
runspercycle 7
tapecycle 2 tapes
runtapes 1
infofile "$ST/curinfo"
logdir "$ST"
indexdir "$ST/index"
tapelist "$ST/tapelist"
define changer vtapes {
  tpchanger "chg-disk:$W/vt"
  property "num-slot" "4"
  property "auto-create-slot" "yes"
}
tpchanger "vtapes"
define tapetype VTAPE {
  length 1024 mbytes
}
tapetype "VTAPE"
labelstr "^$CONF-[0-9][0-9]*\$"
holdingdisk hd1 {
  directory "$W/hd"
  use 1024 Mb
  chunksize 128 Kb
}
define application-tool app_amgtar {
  plugin "amgtar"
  property "CHECK-DEVICE" "no"
  property "GNUTAR-LISTDIR" "$W/gl"
}
define dumptype t {
  program "APPLICATION"
  application "app_amgtar"
  auth "local"
  index yes
  estimate server
  compress none
}
define dumptype tz {
  t
  compress client fast
}
EOF
printf 'localhost "%s" t\nlocalhost "%s" tz\nlocalhost "%s" t\n' \
    "$W/data/plain" "$W/data/with space" "$W/data/co:lon" > "/etc/amanda/$CONF/disklist"
# our tools read the same config from the private config dir
mkdir -p "$AMANDA_CONFIG_DIR/$CONF"
cp "/etc/amanda/$CONF/amanda.conf" "/etc/amanda/$CONF/disklist" "$AMANDA_CONFIG_DIR/$CONF/"
chown -R backup:backup "/etc/amanda/$CONF" "$T"

quiet() { "$@" >/dev/null 2>&1; }
check "AMANDA's amlabel labels two vtapes" sh -c \
    'cd "$2" && for n in 1 2; do runuser -u backup -- /usr/sbin/amlabel "$1" "$1-00$n" slot $n >/dev/null 2>&1 || exit 1; done' \
    sh "$CONF" "$T"
if ! (cd "$T" && timeout 300 runuser -u backup -- /usr/sbin/amdump "$CONF") >"$T/amdump.out" 2>&1 ||
   [ "$(grep -c '^DONE taper' "$ST"/log.*.0 2>/dev/null)" != 3 ]; then
    echo "# AMANDA's amdump did not write three dumps:"
    sed 's/^/#   /' "$T/amdump.out" | tail -5
    not_ok "AMANDA's amdump writes three dumps"
    done_testing
    exit 1
fi
ok "AMANDA's amdump writes three dumps"
LOG=$(ls "$ST"/log.*.0 | head -1)

# ---- 1. our readers on AMANDA's catalogue ----
stock find > "$T/find.stock"
"$TOOL" find "$ST" "$ST/tapelist" > "$T/find.ours"
check "amcatalogue-tool find prints what amadmin find prints" cmp -s "$T/find.stock" "$T/find.ours"
is "amadmin find lists three dumps" "$(grep -c " OK $" "$T/find.stock")" 3
stock find --sort Kbf > "$T/find-Kbf.stock"
"$TOOL" find "$ST" "$ST/tapelist" Kbf > "$T/find-Kbf.ours"
check "... also sorted by Kbf" cmp -s "$T/find-Kbf.stock" "$T/find-Kbf.ours"
if [ -x "$PREFIX/sbin/amadmin" ]; then
    "$PREFIX/sbin/amadmin" "$CONF" find > "$T/find.amadmin" 2>&1
    check "our amadmin find prints what AMANDA's prints" cmp -s "$T/find.stock" "$T/find.amadmin"
    stock info > "$T/info.stock"
    "$PREFIX/sbin/amadmin" "$CONF" info > "$T/info.ours" 2>&1
    check "our amadmin info prints what AMANDA's prints" cmp -s "$T/info.stock" "$T/info.ours"
else
    ok "our amadmin find # SKIP amadmin not installed"
    ok "our amadmin info # SKIP amadmin not installed"
fi
for f in "$ST"/curinfo/localhost/*/info; do
    name=${f#"$ST/curinfo/localhost/"}
    "$TOOL" curinfo-dump "$f" > "$T/ci.ours"
    check "curinfo of ${name%/info} reads and formats back byte-identical" cmp -s "$f" "$T/ci.ours"
done
"$TOOL" tapelist-dump "$ST/tapelist" > "$T/tl.ours"
check "tapelist reads and formats back byte-identical" cmp -s "$ST/tapelist" "$T/tl.ours"
"$TOOL" log-parse "$LOG" > "$T/log.parsed" 2> "$T/log.warnings"
is "the run log parses without a complaint" "$(cat "$T/log.warnings")" ""
is "the log has three dumps on CONF-001" \
    "$(grep -c "^PART taper .*label=$CONF-001 filenum=[123] part=1/-1" "$T/log.parsed")" 3
is "the log's DONE lines carry one part each" "$(grep -c '^DONE taper .*part=-1/1' "$T/log.parsed")" 3
IDX=$("$TOOL" index-list "$ST/index" localhost "$W/data/plain")
case $IDX in
*" 0 "*unsorted*header*state*) ok "index-list finds AMANDA's index, header and state files" ;;
*) not_ok "index-list finds AMANDA's index, header and state files"; echo "#   got: $IDX" ;;
esac
U=$(ls "$ST/index/localhost/"*plain/*-unsorted.gz)
check "index-cat reads AMANDA's index as zcat does" \
    bash -c 'cmp -s <("$1" index-cat "$2") <(zcat "$2")' sh "$TOOL" "$U"
check "the index lists the nested file" sh -c '"$1" index-cat "$2" | grep -qx /sub/z' sh "$TOOL" "$U"

# ---- 2. files we write, read by AMANDA ----
cp -p "$ST/tapelist" "$T/tapelist.orig"
stock no-reuse "$CONF-001" >/dev/null
cp "$ST/tapelist" "$T/tapelist.stock-noreuse"
cp -p "$T/tapelist.orig" "$ST/tapelist"
runuser -u backup -- "$TOOL" tapelist-rewrite "$ST/tapelist" "$CONF-001" no-reuse
check "our no-reuse rewrite of the tapelist is byte-identical to amadmin no-reuse" \
    cmp -s "$ST/tapelist" "$T/tapelist.stock-noreuse"
stock reuse "$CONF-001" >/dev/null
check "... and amadmin reuse turns it back into the original" cmp -s "$ST/tapelist" "$T/tapelist.orig"
runuser -u backup -- "$TOOL" tapelist-rewrite "$ST/tapelist"
stock find > "$T/find.after"
check "amadmin find reads our rewritten tapelist" cmp -s "$T/find.stock" "$T/find.after"

PLAIN_INFO=$(ls "$ST/curinfo/localhost/"*plain/info)
cp -p "$PLAIN_INFO" "$T/info.orig"
stock force localhost "$W/data/plain" >/dev/null
stock info localhost "$W/data/plain" > "$T/info-forced.stock"
cp "$PLAIN_INFO" "$T/info-file-forced.stock"
if [ -x "$PREFIX/sbin/amadmin" ]; then
    cp -p "$T/info.orig" "$PLAIN_INFO"
    runuser -u backup -- "$PREFIX/sbin/amadmin" "$CONF" force localhost "$W/data/plain" >/dev/null 2>&1
    check "our amadmin force writes the info file stock amadmin force writes" \
        cmp -s "$PLAIN_INFO" "$T/info-file-forced.stock"
else
    ok "our amadmin force # SKIP amadmin not installed"
fi
cp -p "$T/info.orig" "$PLAIN_INFO"
runuser -u backup -- "$TOOL" curinfo-rewrite "$ST/curinfo" localhost "$W/data/plain" 1
check "our curinfo with a force flag reads in amadmin info as amadmin's own" \
    bash -c 'cmp -s "$1" <(cd "$3" && runuser -u backup -- /usr/sbin/amadmin "$2" info localhost "$4" 2>&1)' \
    sh "$T/info-forced.stock" "$CONF" "$T" "$W/data/plain"
check "amadmin info shows the forced full dump" grep -q "Forcing to level 0" "$T/info-forced.stock"
check "amadmin due reads our curinfo" sh -c 'cd "$2" && runuser -u backup -- /usr/sbin/amadmin "$1" due 2>&1 | grep -q "Overdue\|Due today\|Due in"' \
    sh "$CONF" "$T"

# a second stock run takes the forced full from our file and writes the
# next volume into our tapelist
echo more > "$W/data/plain/f4"
if (cd "$T" && timeout 300 runuser -u backup -- /usr/sbin/amdump "$CONF") >"$T/amdump2.out" 2>&1; then
    ok "AMANDA's second amdump runs on our catalogue files"
else
    not_ok "AMANDA's second amdump runs on our catalogue files"
    sed 's/^/#   /' "$T/amdump2.out" | tail -5
fi
LOG2=$(ls "$ST"/log.*.0 | grep -v "$LOG" | head -1)
is "the forced DLE was dumped at level 0 again" \
    "$(grep -c "^SUCCESS dumper localhost $W/data/plain [0-9]* 0 " "$LOG2" 2>/dev/null)" 1
"$TOOL" curinfo-dump "$PLAIN_INFO" > "$T/ci2.ours"
check "AMANDA's driver cleared the force flag it read from our file" grep -qx "command: 0" "$PLAIN_INFO"
check "its curinfo still formats back byte-identical" cmp -s "$PLAIN_INFO" "$T/ci2.ours"
is "the tapelist now holds two written volumes" \
    "$(grep -c "^2[0-9]* $CONF-00[12] reuse" "$ST/tapelist")" 2
stock find > "$T/find2.stock"
"$TOOL" find "$ST" "$ST/tapelist" > "$T/find2.ours"
check "after two runs amcatalogue-tool find still prints what amadmin find prints" \
    cmp -s "$T/find2.stock" "$T/find2.ours"

# ---- 3. holding disk ----
for v in 001 002; do
    runuser -u backup -- "$TOOL" tapelist-rewrite "$ST/tapelist" "$CONF-$v" no-reuse
done
head -c 400000 /dev/urandom > "$W/data/plain/bigger"
(cd "$T" && timeout 300 runuser -u backup -- /usr/sbin/amdump "$CONF") >"$T/amdump3.out" 2>&1
check "with our no-reuse flags AMANDA's taper finds no volume" \
    grep -q "No acceptable volumes" "$(ls -t "$ST"/log.*.0 | head -1)"
"$TOOL" holding-list "$W/hd" > "$T/holding.list"
is "our holding-list sees AMANDA's three images, no leftovers" \
    "$(grep -vc '^TMP ' "$T/holding.list")/$(grep -c '^TMP ' "$T/holding.list")" "3/0"
BIG=$(awk -v d="$W/data/plain" '$3 == d { print $NF }' "$T/holding.list")
is "AMANDA chunked the plain DLE's image" "$(awk -v d="$W/data/plain" '$3 == d { print ($6 > 1) }' "$T/holding.list")" 1
if [ -n "$BIG" ]; then
    "$TOOL" holding-cat "$BIG" > "$T/hold.ours"
    for c in "$BIG" "$BIG".*; do dd if="$c" bs=32k skip=1 2>/dev/null; done > "$T/hold.dd"
    check "our reader follows AMANDA's chunk chain as dd does" cmp -s "$T/hold.ours" "$T/hold.dd"
    check "the image is the tar of the new files" sh -c 'tar -tf "$1" | grep -qx ./bigger' sh "$T/hold.ours"
else
    not_ok "our reader follows AMANDA's chunk chain as dd does"
    not_ok "the image is the tar of the new files"
fi
OURTS=$(date +%Y%m%d%H%M%S)
tar -cf "$T/ours.tar" -C "$W/data" .   # > 96 KiB: more than one chunk
OURIMG="$W/hd/$OURTS/localhost.${W//\//_}_data_with space.0"
runuser -u backup -- "$TOOL" holding-write "$OURIMG" 128 localhost "$W/data/with space" "$OURTS" 0 \
    < "$T/ours.tar"
check "our chunk writer made a chained image" test -f "$OURIMG.1"
check "AMANDA's amadmin holding list shows our image" \
    sh -c 'cd "$2" && runuser -u backup -- /usr/sbin/amadmin "$1" holding list | grep -F "$3" | grep -qF "with space"' \
    sh "$CONF" "$T" "$OURTS"
(cd "$T" && quiet as_backup /usr/sbin/amlabel "$CONF" "$CONF-003" slot 3)
(cd "$T" && timeout 300 runuser -u backup -- /usr/sbin/amflush -b -f "$CONF") >"$T/amflush.out" 2>&1
is "AMANDA's amflush emptied the holding disk" "$(find "$W/hd" -type f | wc -l)" 0
stock find > "$T/find3.stock"
"$TOOL" find "$ST" "$ST/tapelist" > "$T/find3.ours"
check "after amflush amcatalogue-tool find prints what amadmin find prints" \
    cmp -s "$T/find3.stock" "$T/find3.ours"
FILENO=$(awk -v ts="$OURTS" -v l="$CONF-003" '{ d = $1 $2; gsub(/[-:]/, "", d) }
    d == ts && index($0, l) { for (i = 1; i <= NF; i++) if ($i == l) print $(i + 1) }' "$T/find3.stock")
VF=$(ls "$W/vt/slot3/"$(printf '%05d' "${FILENO:-0}").* 2>/dev/null | head -1)
check "our image, flushed by AMANDA, restores byte-identical" \
    sh -c '[ -n "$1" ] && dd if="$1" bs=32k skip=1 2>/dev/null | cmp -s - "$2"' sh "$VF" "$T/ours.tar"
done_testing
