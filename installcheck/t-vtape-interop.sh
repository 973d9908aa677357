#!/bin/bash
# Vtape interoperability with the real AMANDA 3.5 (Debian's amanda-server):
#  1. a vtape written by our amdevice-tool is restored byte-identical by
#     AMANDA's amrestore;
#  2. a vtape written by AMANDA's amlabel + amdump (throwaway config) is read
#     by our device: label, file list, data identical to dd skip=1, and the
#     file names show AMANDA's sanitising of '/', ':', '_' and blanks.
# Needs root (AMANDA's programs run as user backup through runuser).
. "$(dirname "$0")/lib.sh"

TOOL=$PREFIX/libexec/amanda/amdevice-tool
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/amrestore ] || ! getent passwd backup >/dev/null; then
    echo "1..0 # SKIP needs root, user backup and AMANDA's /usr/sbin/amrestore"
    exit 0
fi
CONF=amic-vtape-$$
trap 'rm -rf "/etc/amanda/$CONF"; cleanup_tmp' EXIT
as_backup() { runuser -u backup -- "$@"; }
quiet() { "$@" >/dev/null 2>&1; }

# ---- 1. our vtape, AMANDA's amrestore ----
V=$T/ours
mkdir -p "$V/slot1"
head -c 3000000 /dev/urandom > "$T/image"
check "amdevice-tool labels a vtape" quiet "$TOOL" label "file:$V/slot1" OURS-001
check "amdevice-tool writes a dump" sh -c '"$1" write "file:$2" localhost "/my_dir/a b:c" 0 < "$3" >/dev/null' \
    sh "$TOOL" "$V/slot1" "$T/image"
is "our file names are AMANDA's" "$(cd "$V/slot1" && ls | tr '\n' '|')" \
    "00000.OURS-001|00001.localhost._my_dir_a b_c.0|"
is "label file is one 32 KiB block" "$(stat -c %s "$V/slot1/00000.OURS-001")" 32768
is "dump file is header + data, unpadded" \
    "$(stat -c %s "$V/slot1/00001.localhost._my_dir_a b_c.0")" $((32768 + 3000000))
chown -R backup "$T"
( cd "$T" && as_backup /usr/sbin/amrestore -p "file:$V/slot1" > "$T/restored" 2> "$T/amrestore.err" )
check "AMANDA's amrestore reads our vtape" grep -q "restoring split dumpfile" "$T/amrestore.err"
check "amrestore output is byte-identical" cmp -s "$T/image" "$T/restored"
check "dd skip=1 gives the image back" sh -c 'dd if="$1" bs=32k skip=1 2>/dev/null | cmp -s - "$2"' \
    sh "$V/slot1/00001.localhost._my_dir_a b_c.0" "$T/image"

# ---- 2. AMANDA's vtape, our device ----
W=$T/amanda
mkdir -p "/etc/amanda/$CONF" "$W/vt" "$W/st/curinfo" "$W/st/index" "$W/gl" \
    "$W/data/a_b c" "$W/data/d:e" "$W/data/b\\x"
echo hello > "$W/data/a_b c/f1"
echo world > "$W/data/d:e/f2"
echo again > "$W/data/b\\x/f3"
: > "$W/st/tapelist"
cat > "/etc/amanda/$CONF/amanda.conf" <<EOF
org "$CONF"
mailto ""
dumpuser "backup"
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
  length 100 mbytes
}
tapetype "VTAPE"
labelstr "^$CONF-[0-9][0-9]*\$"
autolabel "$CONF-%%%" empty volume_error
define application-tool app_amgtar {
  plugin "amgtar"
  property "CHECK-DEVICE" "no"
  property "GNUTAR-LISTDIR" "$W/gl"
}
define dumptype t {
  program "APPLICATION"
  application "app_amgtar"
  auth "local"
  index no
  record no
  estimate server
  holdingdisk never
  compress none
}
EOF
# (a backslash is doubled inside a quoted disklist name)
printf 'localhost "%s" t\n' "$W/data/a_b c" "$W/data/d:e" "$W/data/b\\\\x" > "/etc/amanda/$CONF/disklist"
chown -R backup:backup "/etc/amanda/$CONF" "$T"
S=$W/vt/slot1
check "AMANDA's amlabel labels slot 1" quiet as_backup /usr/sbin/amlabel "$CONF" "$CONF-001" slot 1
is "our device reads AMANDA's label" "$("$TOOL" list "file:$S" 2>&1 | head -1 | cut -d' ' -f1-2)" \
    "volume $CONF-001"
is "chg-disk inventory sees it" \
    "$("$TOOL" inventory -o num-slot=3 "chg-disk:$W/vt" | grep '^slot 1:' | cut -d' ' -f3-4)" \
    "labeled $CONF-001"
if timeout 300 runuser -u backup -- /usr/sbin/amdump "$CONF" >"$T/amdump.out" 2>&1 &&
   [ -n "$(ls "$S" | grep '^00003\.')" ]; then
    ok "AMANDA's amdump writes three dumps"
    names=$(cd "$S" && ls | sed 's/^0000[123]\.//' | LC_ALL=C sort | tr '\n' '|')
    X=localhost.${W//\//_}_data
    is "AMANDA sanitises '/', ':' and '\\' to '_', keeps '_' and blanks" "$names" \
        "00000.$CONF-001|$X""_a_b c.0|$X""_b_x.0|$X""_d_e.0|"
    list=$("$TOOL" list "file:$S")
    check "our list shows all dumps" sh -c 'echo "$1" | grep -q "^00003 SPLIT_FILE localhost"' sh "$list"
    for n in 1 2 3; do
        f=$(ls "$S"/0000$n.*)
        "$TOOL" read "file:$S" $n > "$T/ours.$n"
        dd if="$f" bs=32k skip=1 2>/dev/null > "$T/dd.$n"
        check "file $n read by our device equals dd skip=1" cmp -s "$T/ours.$n" "$T/dd.$n"
    done
    is "the dumps are tar archives of the data" \
        "$(cat "$T/ours.1" "$T/ours.2" "$T/ours.3" | tar -tif - 2>/dev/null | grep -c '^\./f[123]$')" 3
else
    echo "# amdump did not complete (see below); only the label was checked"
    sed 's/^/#   /' "$T/amdump.out" | tail -5
    not_ok "AMANDA's amdump writes three dumps"
fi
done_testing
