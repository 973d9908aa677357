#!/bin/bash
# Our amservice against our amandad over bsdtcp on 127.0.0.1 (amandad under
# socat with nofork, as inetd runs it): noop, a sendbackup whose DATA stream
# extracts with GNU tar to the same tree, -s (the first stream on stdout),
# streams nobody asked for being drained, and the failures: a refusal, a
# closed port, an unknown auth, a --stream descriptor that is not open, an
# -o setting it does not know.
. "$(dirname "$0")/lib.sh"

if ! command -v socat >/dev/null; then
    echo "1..0 # SKIP needs socat"
    exit 0
fi
ME=$(id -un)
AMSERVICE=$PREFIX/sbin/amservice
SOCAT=
cleanup() {
    [ -n "$SOCAT" ] && { kill "$SOCAT" 2>/dev/null; wait "$SOCAT" 2>/dev/null; }
    cleanup_tmp
}
trap cleanup EXIT
export AMANDA_AMANDAHOSTS=$T/amandahosts
hosts() { printf '%s\n' "$@" > "$AMANDA_AMANDAHOSTS"; chmod 600 "$AMANDA_AMANDAHOSTS"; }
hosts "localhost $ME amdump"
PORT=$((20000 + RANDOM % 20000))
socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" \
    "EXEC:$AMANDA_LIBEXECDIR/amandad -auth=bsdtcp amdump,nofork" 2>>"$T/socat.err" &
SOCAT=$!
wait_for_port "$PORT"
svc() { timeout 60 "$AMSERVICE" -o "client_port=$PORT" "$@"; }

D=$T/data
mkdir -p "$D/sub/deep" "$T/lists"
( cd "$D" || exit 1
  echo hello > a.txt; chmod 640 a.txt
  head -c 3000000 /dev/urandom > sub/big.bin
  echo deep > "sub/deep/name with spaces"
  ln -s a.txt link
  find . -exec touch -h -d @1700000000 {} + )
listing() { ( cd "$1" && find . -printf '%y %m %T@ %p -> %l\n' | LC_ALL=C sort ); }
{ echo "OPTIONS features=ffffffff9efefbfffffffffffffff3fffbf71f;maxdumps=1;hostname=localhost;config=TestConf;"
  amgtar_dle "$D" "$T/lists" "<level>0</level>"; } > "$T/sb.req"

out=$(svc localhost bsdtcp noop </dev/null); rc=$?
is "noop prints the client's OPTIONS line" "$(echo "$out" | head -1 | cut -c1-17)/$rc" \
    "OPTIONS features=/0"

svc -f "$T/sb.req" localhost bsdtcp sendbackup --stream DATA,5,6 --stream MESG,7,8 \
    --stream INDEX,9,10 --stream STATE,11,12 5</dev/null 6>"$T/data.tar" 7</dev/null \
    8>"$T/mesg" 9</dev/null 10>"$T/index" 11</dev/null 12>"$T/state" > "$T/rep"
rc=$?
is "sendbackup exits 0" "$rc" 0
check "the reply's CONNECT line is printed" grep -q '^CONNECT DATA [0-9]* MESG' "$T/rep"
check "MESG reached its file, with the end" grep -q '^sendbackup: end' "$T/mesg"
check "INDEX reached its file" grep -qx '/sub/big.bin' "$T/index"
mkdir -p "$T/x"
tar -xf "$T/data.tar" -C "$T/x" 2>"$T/tar.err"
if diff -r "$D" "$T/x" >/dev/null && [ "$(listing "$D")" = "$(listing "$T/x")" ]; then
    ok "DATA extracts with GNU tar to the same tree (bytes, modes, mtimes, links)"
else
    not_ok "DATA does not extract to the tree"; head -5 "$T/tar.err" | sed 's/^/#   /'
fi

svc -f "$T/sb.req" -s localhost bsdtcp sendbackup > "$T/s.tar"; rc=$?
check "-s: the first stream (DATA) is stdout, the reply is not printed (rc $rc)" \
    sh -c 'tar -tf "$1" | grep -q "sub/big.bin" && ! grep -qa "^CONNECT" "$1"' sh "$T/s.tar"

svc -f "$T/sb.req" localhost bsdtcp sendbackup --stream MESG,5,6 5</dev/null 6>"$T/mesg2" \
    >/dev/null; rc=$?
check "streams no option names are drained: MESG alone ends well (rc $rc)" \
    grep -q '^sendbackup: end' "$T/mesg2"

hosts "localhost someoneelse amdump"
out=$(svc localhost bsdtcp noop </dev/null); rc=$?
check "a refusal prints the client's reason and exits 1 (got: $out)" \
    sh -c 'echo "$1" | grep -q "^ERROR .*user $2 on host localhost .* is not listed" && [ "$3" = 1 ]' \
    sh "$out" "$ME" "$rc"
hosts "localhost $ME amdump"

closed=$((PORT + 1))
out=$(timeout 60 "$AMSERVICE" -o "client_port=$closed" localhost bsdtcp noop </dev/null); rc=$?
check "a closed port: Request failed, naming host and port (got: $out)" \
    sh -c 'echo "$1" | grep -q "^Request failed: localhost port $2: cannot connect" && [ "$3" = 1 ]' \
    sh "$out" "$closed" "$rc"
out=$(svc localhost nosuchauth noop </dev/null); rc=$?
check "an unknown auth is named (got: $out)" \
    sh -c 'echo "$1" | grep -q "unknown auth \"nosuchauth\"" && [ "$2" = 1 ]' sh "$out" "$rc"
out=$(svc localhost bsdtcp sendbackup --stream DATA,55,56 </dev/null 2>&1); rc=$?
check "a --stream descriptor that is not open is named (got: $out)" \
    sh -c 'echo "$1" | grep -q "descriptor 55 is not open" && [ "$2" = 1 ]' sh "$out" "$rc"
out=$("$AMSERVICE" -o bogus_setting=1 localhost bsdtcp noop </dev/null 2>&1); rc=$?
check "an unknown -o setting is refused by name (got: $out)" \
    sh -c 'echo "$1" | grep -q "does not use \"bogus_setting\"" && [ "$2" = 1 ]' sh "$out" "$rc"
done_testing
