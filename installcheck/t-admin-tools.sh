#!/bin/bash
# The administrator's tools end to end: a config with chg-disk vtapes;
# amlabel labels three of them (and refuses bad labels with AMANDA's
# messages); amtape show/inventory/taper/slot/label; amadmin force flags
# in curinfo, info, due, tape; amreport on real AMANDA 3.5.1 run logs gives
# the stock report's STATISTICS and DUMP SUMMARY; amcheck -l/-s pass, -s
# fails with a named reason when no volume is acceptable, -c asks the local
# client (auth local) and reports its selfcheck errors; -m mails.
. "$(dirname "$0")/lib.sh"
DATA="$(cd "$(dirname "$0")/../server-src/tests/data" && pwd)"

C=Adm
mkdir -p "$T/vt" "$T/hold" "$T/state/log" "$T/lists" "$T/data/ok"
echo hello > "$T/data/ok/file"
mkdir -p "$AMANDA_CONFIG_DIR/$C"
cat > "$AMANDA_CONFIG_DIR/$C/amanda.conf" <<CONF
dumpuser "$(id -un)"
org "AdmOrg"
mailto "ops@example.com"
mailer "$T/fake-mail"
tapecycle 3
runtapes 1
infofile "$T/state/curinfo"
logdir "$T/state/log"
indexdir "$T/state/index"
tapelist "$T/state/tapelist"
define changer vtapes {
  tpchanger "chg-disk:$T/vt"
  property "num-slot" "4"
  property "auto-create-slot" "yes"
}
tpchanger "vtapes"
labelstr "^$C-[0-9][0-9]*\$"
autolabel "$C-%%%" empty
define tapetype VT {
  length 100 mbytes
}
tapetype "VT"
holdingdisk hd {
  directory "$T/hold"
  use 10 mbytes
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
}
CONF
cat > "$AMANDA_CONFIG_DIR/$C/disklist" <<DL
localhost $T/data/ok dt
localhost $T/data/missing dt
DL
cat > "$T/fake-mail" <<'SH'
#!/bin/sh
{ echo "ARGS: $*"; cat; } > "$(dirname "$0")/mail.out"
SH
chmod +x "$T/fake-mail"

# ---- amlabel ----
for s in 1 2 3; do
    out=$(timeout 30 amlabel "$C" "$C-00$s" slot "$s" 2>&1)
    is "amlabel $C-00$s slot $s" "$out" "Reading label...
Found an empty tape.
Writing label '$C-00$s'...
Checking label...
Success!"
done
is "tapelist in AMANDA 3.5's form, newest label first" "$(cat "$T/state/tapelist")" \
"0 $C-003 reuse BLOCKSIZE:32 POOL:$C STORAGE:$C CONFIG:$C
0 $C-002 reuse BLOCKSIZE:32 POOL:$C STORAGE:$C CONFIG:$C
0 $C-001 reuse BLOCKSIZE:32 POOL:$C STORAGE:$C CONFIG:$C"
is "TAPESTART header on the vtape" "$(head -c 38 "$T/vt/slot2/00000.$C-002" | tr '\n' '|')" \
   "AMANDA: TAPESTART DATE X TAPE $C-002|"

out=$(timeout 30 amlabel "$C" "$C-001" slot 4 2>&1); rc=$?
is "a label already in the tapelist is refused" "$rc:$out" "1:Label '$C-001' already on a volume"
out=$(timeout 30 amlabel "$C" Other-1 slot 4 2>/dev/null); rc=$?
is "a label outside labelstr is refused" "$rc:$(echo "$out" | tail -1)" \
   "1:Label 'Other-1' doesn't match the labelstr '^$C-[0-9][0-9]*\$'."
out=$(timeout 30 amlabel "$C" "$C-009" slot 1 2>/dev/null); rc=$?
is "a volume holding one of our labels is not overwritten" "$rc:$(echo "$out" | sed -n 2,3p)" \
   "1:Volume with label '$C-001' is active and contains data from this configuration.
Not writing label."
check "nothing changed on the refused volume" test -f "$T/vt/slot1/00000.$C-001"
out=$(timeout 30 amlabel "$C" "$C-009" slot 1 -f 2>&1); rc=$?
check "-f relabels it" test "$rc" = 0 -a -f "$T/vt/slot1/00000.$C-009"
is "-f: the old label leaves the tapelist" \
   "$(cut -d' ' -f2 "$T/state/tapelist" | sort | tr '\n' ' ')" "$C-002 $C-003 $C-009 "
out=$(timeout 30 amlabel "$C" slot 4 --barcode BC04 2>&1); rc=$?
check "without a label, autolabel names the volume (one past the highest)" \
    test "$rc" = 0 -a -f "$T/vt/slot4/00000.$C-010"
check "... and --barcode is kept in the tapelist" grep -q "^0 $C-010 reuse BARCODE:BC04 " "$T/state/tapelist"
timeout 30 amlabel "$C" "$C-011" slot 4 -f >/dev/null 2>&1


# ---- amtape ----
is "amtape show" "$(timeout 30 amtape "$C" show 2>&1)" "scanning all 4 slots in changer:
slot   1: date X              label $C-009
slot   2: date X              label $C-002
slot   3: date X              label $C-003
slot   4: date X              label $C-011"
out=$(timeout 30 amtape "$C" inventory 2>&1)
check "amtape inventory lists labels and their reuse state" \
    grep -q "^slot 2: label $C-002.*\[retention-no\]" <<<"$out"
is "amtape slot 3" "$(timeout 30 amtape "$C" slot 3 2>&1 | tail -1)" "changed to slot 3"
is "amtape label" "$(timeout 30 amtape "$C" label "$C-002" 2>&1 | tail -1)" \
   "label $C-002 is now loaded from slot 2"
out=$(timeout 30 amtape "$C" label Nope-1 2>&1); rc=$?
check "amtape label of an unknown volume fails" test "$rc" = 1
is "amtape taper picks the oldest usable volume" "$(timeout 30 amtape "$C" taper 2>&1)" \
   "slot 1: volume '$C-009'
Will write to volume '$C-009' in slot 1."
is "amtape reset" "$(timeout 30 amtape "$C" reset 2>&1)" "changer is reset"

# ---- amadmin ----
is "amadmin force" "$(amadmin "$C" force localhost ok 2>&1)" \
   "amadmin: localhost:$T/data/ok is set to a forced level 0 at next run."
is "force is stored in curinfo as AMANDA does" \
   "$(grep '^command:' "$T/state/curinfo/localhost/$(echo "$T/data/ok" | tr / _)/info")" "command: 1"
check "amadmin info says so" grep -q "(Forcing to level 0 dump at next run)" \
    <<<"$(amadmin "$C" info localhost ok)"
is "amadmin force-bump clears force" "$(amadmin "$C" force-bump localhost ok 2>&1)" \
   "amadmin: localhost:$T/data/ok FORCE command was cleared
amadmin: localhost:$T/data/ok is set to bump at next run."
is "amadmin unforce with nothing forced" "$(amadmin "$C" unforce localhost ok 2>&1)" \
   "amadmin: no force command outstanding for localhost:$T/data/ok, unchanged."
is "amadmin unforce-bump" "$(amadmin "$C" unforce-bump localhost ok 2>&1)" \
   "amadmin: bump command for localhost:$T/data/ok cleared."
is "amadmin due of never-dumped DLEs" "$(amadmin "$C" due 2>&1)" \
   "new disk localhost:$T/data/ok ignored.
new disk localhost:$T/data/missing ignored."
out=$(amadmin "$C" force nohost 2>&1); rc=$?
is "amadmin names an argument that matches nothing" "$rc:$out" \
   "1:amadmin: Argument 'nohost' matches neither a host nor a disk."
is "amadmin no-reuse" "$(amadmin "$C" no-reuse "$C-009" 2>&1)" "marking tape '$C-009' as not reusable."
check "... is in the tapelist" grep -q "^0 $C-009 no-reuse " "$T/state/tapelist"
check "... and the taper scan skips it" grep -q "^Will write to volume '$C-002' in slot 2.\$" \
    <<<"$(timeout 30 amtape "$C" taper 2>&1)"
is "amadmin reuse" "$(amadmin "$C" reuse "$C-009" 2>&1)" "marking tape '$C-009' as reusable."
is "amadmin tape" "$(amadmin "$C" tape 2>&1)" "The next Amanda should go onto 1 new tape.
The next new tape already labelled is: $C-002."

# ---- amreport on real AMANDA 3.5.1 run logs ----
R=AdmObs
mkdir -p "$AMANDA_CONFIG_DIR/$R" "$T/r/log"
cat > "$AMANDA_CONFIG_DIR/$R/amanda.conf" <<CONF
dumpuser "$(id -un)"
org "$R"
mailer "$T/fake-mail"
logdir "$T/r/log"
tapelist "$T/r/tapelist"
infofile "$T/r/curinfo"
indexdir "$T/r/index"
define tapetype VT {
  length 100 mbytes
}
tapetype "VT"
define dumptype plain {
  compress none
}
define dumptype z {
  compress client fast
}
CONF
cat > "$AMANDA_CONFIG_DIR/$R/disklist" <<DL
localhost /tmp/admobs/data/good plain
localhost /tmp/admobs/data/two z
localhost /tmp/admobs/data/missing plain
DL
section() { sed -n "/^$1:/,/^\$/p"; }
for n in fail incr notape; do
    ours=$(timeout 30 amreport "$R" --log="$DATA/admin-log-$n.0" 2>&1)
    for s in "DUMP SUMMARY" STATISTICS "FAILURE DUMP SUMMARY" NOTES; do
        is "amreport $n: $s as the stock amreport" "$(section "$s" <<<"$ours")" \
           "$(section "$s" <"$DATA/admin-report-$n.txt")"
    done
done
out=$(timeout 30 amreport "$R" --log="$DATA/admin-log-fail.0" --json 2>&1)
check "amreport --json names the failed DLE" \
    grep -q '"disk": "/tmp/admobs/data/missing", "level": 0, "status": "FAILED"' <<<"$out"
if command -v python3 >/dev/null; then
    is "amreport --json is valid JSON with the run's totals" \
       "$(python3 -c 'import json,sys; t=json.load(sys.stdin)["totals"]; print(t["dles_dumped"], t["dles_failed"], t["tape_kb"])' <<<"$out" 2>&1)" \
       "2 1 119"
else
    ok "amreport --json is valid JSON # SKIP python3 not installed"
fi
timeout 30 amreport "$R" -l "$DATA/admin-log-incr.0" -f "$T/report.txt" >/dev/null 2>&1
is "amreport -f writes the report to a file" "$(section "DUMP SUMMARY" <"$T/report.txt")" \
   "$(section "DUMP SUMMARY" <"$DATA/admin-report-incr.txt")"
rm -f "$T/mail.out"
timeout 30 amreport "$R" -l "$DATA/admin-log-fail.0" -M boss@example.com >/dev/null 2>&1
check "amreport -M mails through the mailer with AMANDA's subject" \
    grep -q "^ARGS: -s AdmObs AMANDA MAIL REPORT FOR November 25, 2026 boss@example.com" "$T/mail.out"
check "... and the mail is the report" grep -q "^FAILURE DUMP SUMMARY:" "$T/mail.out"
rm -f "$T/mail.out"
out=$(timeout 30 amreport "$R" --log=x -l y 2>&1); rc=$?
check "amreport refuses mixed option styles" \
    test "$rc" = 1 -a -n "$(grep 'cannot mix long options' <<<"$out")"

# ---- amadmin find on a real AMANDA catalogue (two runs' logs + tapelist) ----
F=AdmFind
mkdir -p "$AMANDA_CONFIG_DIR/$F" "$T/f/log"
cp "$DATA/admin-log-fail.0" "$T/f/log/log.20261125111733.0"
cp "$DATA/admin-log-incr.0" "$T/f/log/log.20261125111748.0"
printf '%s\n' "20261125111748 Adm-004 reuse BLOCKSIZE:32 POOL:AdmObs STORAGE:AdmObs CONFIG:AdmObs" \
    "20261125111733 Adm-002 reuse BLOCKSIZE:32 POOL:AdmObs STORAGE:AdmObs CONFIG:AdmObs" \
    "0 Adm-001 reuse BLOCKSIZE:32 POOL:AdmObs STORAGE:AdmObs CONFIG:AdmObs" > "$T/f/tapelist"
cat > "$AMANDA_CONFIG_DIR/$F/amanda.conf" <<CONF
dumpuser "$(id -un)"
logdir "$T/f/log"
tapelist "$T/f/tapelist"
infofile "$T/f/curinfo"
indexdir "$T/f/index"
define dumptype plain {
  compress none
}
CONF
printf 'localhost /tmp/admobs/data/good plain\nlocalhost /tmp/admobs/data/two plain\n' \
    > "$AMANDA_CONFIG_DIR/$F/disklist"
is "amadmin find prints what the stock amadmin printed (failed dumps included)" \
   "$(amadmin "$F" find 2>&1)" "$(cat "$DATA/admin-find.txt")"
is "amadmin find of a DLE no longer in the disklist, as the stock amadmin" \
   "$(amadmin "$F" find localhost missing 2>&1)" "$(cat "$DATA/admin-find-missing.txt")"

# ---- amcheck ----
out=$(timeout 60 amcheck "$C" -l 2>&1); rc=$?
check "amcheck -l passes" test "$rc" = 0
check "amcheck -l: holding disk noted" grep -q "^NOTE: Holding disk '$T/hold': .* KB disk space available, using 10240 KB as requested" <<<"$out"
check "amcheck -l skips the volume" grep -q "^NOTE: skipping tape checks" <<<"$out"
out=$(timeout 60 amcheck "$C" -s 2>&1); rc=$?
check "amcheck -s passes and names the volume" \
    test "$rc" = 0 -a -n "$(grep "^Will write to volume '$C-009' in slot 1." <<<"$out")"
mkdir -p "$AMANDA_CONFIG_DIR/Other"
sed -e "s/^labelstr.*/labelstr \"^Other-[0-9]*\$\"/" -e '/^autolabel/d' \
    -e "s|$T/state/|$T/other/|" "$AMANDA_CONFIG_DIR/$C/amanda.conf" \
    > "$AMANDA_CONFIG_DIR/Other/amanda.conf"
cp "$AMANDA_CONFIG_DIR/$C/disklist" "$AMANDA_CONFIG_DIR/Other/"
mkdir -p "$T/other/log"
out=$(timeout 60 amcheck Other -s 2>&1); rc=$?
check "amcheck -s fails without an acceptable volume" test "$rc" = 1
check "... saying why for each slot" grep -q "^slot 1: volume '$C-009' is not in the tapelist" <<<"$out"
check "... and AMANDA's error line" grep -q "^ERROR: No acceptable volumes found" <<<"$out"
out=$(timeout 60 amcheck "$C" -c 2>&1); rc=$?
check "amcheck -c: the client's selfcheck error for the missing directory" \
    grep -q "^HOST localhost ERROR: .*$T/data/missing" <<<"$out"
check "amcheck -c summary line and status" test "$rc" = 1 -a -n \
    "$(grep -E '^Client check: 1 host checked in [0-9.]+ seconds\.  1 problem found\.$' <<<"$out")"
sed -i "/missing/d" "$AMANDA_CONFIG_DIR/$C/disklist"
out=$(timeout 60 amcheck "$C" -c 2>&1); rc=$?
check "amcheck -c passes against a healthy local client" test "$rc" = 0 -a -n \
    "$(grep -E '^Client check: 1 host checked in [0-9.]+ seconds\.  0 problems found\.$' <<<"$out")"
# Against AMANDA 3.5.1's own client (Debian amanda-client), when installed:
# its amandad answers selfcheck with "MESSAGE JSON"; local auth wants the
# dump user, so run as backup.
if [ -x /usr/lib/amanda/amandad ] && id backup >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "localhost $T/data/gone dt" >> "$AMANDA_CONFIG_DIR/$C/disklist"
    mkdir -p "$T/stock-dbg"
    chown backup "$T/lists" "$T/stock-dbg"
    out=$(AMANDA_LIBEXECDIR=/usr/lib/amanda AMANDA_DBGDIR="$T/stock-dbg" timeout 60 \
          runuser -u backup --preserve-environment -- "$PREFIX/sbin/amcheck" "$C" -c -o dumpuser=backup 2>&1); rc=$?
    check "amcheck -c against AMANDA's own client reports its JSON error as the stock amcheck" \
        grep -qx "HOST localhost ERROR: can not stat '$T/data/gone': No such file or directory" <<<"$out"
    check "... one problem, status 1" test "$rc" = 1 -a -n "$(grep '1 problem found' <<<"$out")"
    sed -i "/data\/gone/d" "$AMANDA_CONFIG_DIR/$C/disklist"
else
    ok "amcheck -c against AMANDA's own client # SKIP amanda-client not installed or not root"
    ok "... one problem # SKIP"
fi
out=$(timeout 60 amcheck Other -s -m 2>&1); rc=$?
check "amcheck -m prints nothing and mails the problems" \
    test "$rc" = 1 -a -z "$out" -a -f "$T/mail.out"
check "... through the configured mailer with AMANDA's subject" \
    grep -q "^ARGS: -s AdmOrg AMANDA PROBLEM: FIX BEFORE RUN, IF POSSIBLE ops@example.com" "$T/mail.out"

# Only the dumpuser may run the tools that write the catalogue and volumes,
# as in AMANDA 3.5 (a run as root left files the nightly run could not write).
me=$(id -un)
for prog in amdump amflush amlabel; do
    out=$(timeout 60 "$prog" "$C" -o dumpuser=nosuchuser 2>&1); rc=$?
    check "$prog refuses to run as a user other than dumpuser, naming both" \
        test "$rc" = 1 -a -n "$(grep -F "$prog: must be executed as the \"nosuchuser\" user instead of the \"$me\" user" <<<"$out")"
done
out=$(timeout 60 amcheck "$C" -o dumpuser=nosuchuser 2>&1); rc=$?
check "amcheck prints AMANDA's ERROR line for the wrong user and fails" \
    test "$rc" = 1 -a -n "$(grep -F "ERROR: must be executed as the \"nosuchuser\" user" <<<"$out")"
check "... and nothing was labelled or dumped by the refused runs" \
    test -z "$(find "$T/state/log" -newer "$T/mail.out" -name 'log.*' 2>/dev/null)"

done_testing
