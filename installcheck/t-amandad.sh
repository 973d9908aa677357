#!/bin/bash
# Our amandad over bsdtcp on 127.0.0.1, launched as inetd would (socat with
# nofork, so amandad gets the real socket and sees its peer), driven by
# AMANDA's own request tool amservice (Debian's amanda-server): noop,
# selfcheck, sendsize at levels 0 and 1, sendbackup at level 0 and 1 of a
# generated tree whose DATA stream extracts with GNU tar to the same tree,
# and the refusals (service not allowed, unknown user, unknown host), each
# named in the reply and in amandad's debug log.
. "$(dirname "$0")/lib.sh"

AMSERVICE=/usr/sbin/amservice
if [ ! -x "$AMSERVICE" ] || ! command -v socat >/dev/null; then
    echo "1..0 # SKIP needs socat and AMANDA's amservice (Debian amanda-server)"
    exit 0
fi
ME=$(id -un)
FEAT="ffffffff9efefbfffffffffffffff3fffbf71f"
SOCATS=()
cleanup() {
    for p in "${SOCATS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    cleanup_tmp
}
trap cleanup EXIT

free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 20000))
        [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] && { echo $p; return; }
    done
    return 1
}
start_amandad() {  # start_amandad PORT SERVICES...: amandad per connection
    local port=$1; shift
    socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
        "EXEC:$AMANDA_LIBEXECDIR/amandad -auth=bsdtcp $*,nofork" 2>>"$T/socat.err" &
    SOCATS+=($!)
    for _ in $(seq 1 50); do [ -n "$(ss -Hltn "sport = :$port")" ] && return; sleep 0.1; done
}
export AMANDA_AMANDAHOSTS=$T/amandahosts
hosts() { printf '%s\n' "$@" > "$AMANDA_AMANDAHOSTS"; chmod 600 "$AMANDA_AMANDAHOSTS"; }
hosts "localhost $ME amdump"
PORT=$(free_port) && PORT2=$(free_port) || { echo "1..0 # SKIP no free port"; exit 0; }
start_amandad "$PORT" amdump
start_amandad "$PORT2" noop

svc() {  # svc PORT SERVICE REQFILE [stream args...]: reply on stdout
    local port=$1 service=$2 req=$3; shift 3
    timeout 60 "$AMSERVICE" -f "$req" -o "client_port=$port" localhost bsdtcp "$service" "$@"
}

# ---- the tree ------------------------------------------------------------
D=$T/data
mkdir -p "$D/sub/deep" "$D/empty dir" "$T/lists"
( cd "$D" || exit 1
  echo hello > a.txt; chmod 640 a.txt
  head -c 2000000 /dev/urandom > sub/big.bin
  seq 1 40000 > sub/numbers.txt; chmod 600 sub/numbers.txt
  echo spaced > "sub/deep/name with spaces"
  ln -s a.txt link; ln -s ../missing sub/dangling; ln a.txt hard.txt
  truncate -s 30M sparse; printf data | dd of=sparse bs=1 seek=15000000 conv=notrunc 2>/dev/null
  chmod 750 sub/deep
  find . -exec touch -h -d @1700000000 {} + )
describe() {  # types, modes, mtimes (whole seconds, as tar keeps them), links,
              # sizes, contents, holes
    ( cd "$1" && find . -printf '%y %m %T@ %n %p -> %l\n' | awk '{ $3 = int($3); print }' |
          LC_ALL=C sort -k5 &&
      find . -type f -printf '%p %s\n' -exec md5sum {} + | LC_ALL=C sort &&
      find . -name sparse -printf '%b\n' | awk '{ print "sparse-holes-kept", ($1 < 1024) }' )
}
opts() { echo "OPTIONS features=$FEAT;maxdumps=2;hostname=localhost;config=TestConf;"; }
dle() { amgtar_dle "$D" "$T/lists" "$1"; }  # dle LEVEL-TAGS
: > "$T/noop.req"

# ---- noop, selfcheck, sendsize ---------------------------------------------
out=$(svc "$PORT" noop "$T/noop.req")
is "noop answers our feature string" "$(echo "$out" | head -1 | cut -c1-17)" "OPTIONS features="
{ opts; dle "<level>0</level>"; } > "$T/sc.req"
out=$(svc "$PORT" selfcheck "$T/sc.req")
check "selfcheck says OK for the DLE" sh -c 'echo "$1" | grep -q "^OK .*amgtar"' sh "$out"
check "selfcheck has no ERROR line" sh -c '! echo "$1" | grep -q "^ERROR"' sh "$out"
{ opts; dle "<level>0</level>"; } > "$T/ss0.req"
out=$(svc "$PORT" sendsize "$T/ss0.req")
kb0=$(echo "$out" | awk -v d="$D" '$1 == d && $2 == 0 && $3 == "SIZE" { print $4 }')
check "sendsize level 0 estimates the tree (got '$kb0' KiB)" test "${kb0:-0}" -gt 1900

# ---- sendbackup level 0 ----------------------------------------------------
backup() {  # backup LEVEL: DATA, MESG, INDEX, STATE into $T/bN.*
    { opts | sed 's/;$/;timestamp=20261125120000;/'; dle "<level>$1</level>"; } > "$T/sb$1.req"
    svc "$PORT" sendbackup "$T/sb$1.req" --stream DATA,5,6 --stream MESG,7,8 \
        --stream INDEX,9,10 --stream STATE,11,12 5</dev/null 6>"$T/b$1.data" 7</dev/null \
        8>"$T/b$1.mesg" 9</dev/null 10>"$T/b$1.index" 11</dev/null 12>"$T/b$1.state" \
        > "$T/b$1.rep"
}
backup 0
check "sendbackup replies with its CONNECT line" grep -q '^CONNECT DATA 4[0-9]* MESG' "$T/b0.rep"
check "MESG carries the size and the end" sh -c \
    'grep -q "^sendbackup: size " "$1" && grep -q "^sendbackup: end" "$1"' sh "$T/b0.mesg"
check "INDEX lists the files" grep -q '^/sub/big.bin$' "$T/b0.index"
mkdir -p "$T/x0"
tar -x -f "$T/b0.data" -C "$T/x0" --listed-incremental=/dev/null 2>"$T/tar.err"
describe "$D" > "$T/want0"; describe "$T/x0" > "$T/got0"
if diff "$T/want0" "$T/got0" > "$T/diff0"; then
    ok "DATA of level 0 extracts to the same tree (content, modes, mtimes, links, sparse)"
else
    not_ok "level 0 extract differs"; head "$T/diff0" "$T/tar.err" | sed 's/^/#   /'
fi

# ---- level 1 after a change ------------------------------------------------
sleep 1
echo "new file" > "$D/sub/new.txt"
echo more >> "$D/a.txt"
{ opts; dle "<level>0</level>
  <level>1</level>"; } > "$T/ss1.req"
out=$(svc "$PORT" sendsize "$T/ss1.req")
kb1=$(echo "$out" | awk -v d="$D" '$1 == d && $2 == 1 && $3 == "SIZE" { print $4 }')
check "sendsize level 1 is small (got '$kb1' KiB, level 0 '$kb0')" \
    sh -c '[ -n "$1" ] && [ "$1" -lt 100 ]' sh "$kb1"
backup 1
list=$(tar -t -f "$T/b1.data" --listed-incremental=/dev/null 2>/dev/null)
check "level 1 holds the new and the changed file" \
    sh -c 'echo "$1" | grep -q "sub/new.txt" && echo "$1" | grep -q "a.txt"' sh "$list"
check "level 1 holds no unchanged file" \
    sh -c '[ -n "$1" ] && ! echo "$1" | grep -q -E "big.bin|numbers.txt|sparse"' sh "$list"
tar -x -f "$T/b1.data" -C "$T/x0" --listed-incremental=/dev/null 2>>"$T/tar.err"
describe "$D" > "$T/want1"; describe "$T/x0" > "$T/got1"
check "level 0 + level 1 extract to the changed tree" diff -q "$T/want1" "$T/got1"

# ---- refusals: the reason is in the reply and in the log -------------------
refused() {  # refused DESCRIPTION PORT SERVICE EXPECTED
    local out; out=$(svc "$2" "$3" "$T/noop.req" 2>&1)
    if echo "$out" | grep -q -- "$4"; then ok "$1"; else not_ok "$1"; echo "#   got: $out"; fi
}
refused "a service not on amandad's line is refused" "$PORT2" selfcheck \
    "service selfcheck is not allowed"
hosts "localhost someoneelse amdump"
refused "an unknown user is refused" "$PORT" noop "user $ME on host localhost (127.0.0.1) is not listed"
hosts "otherhost.invalid $ME amdump"
refused "an unknown host is refused" "$PORT" noop "host localhost (127.0.0.1) is not listed"
hosts "localhost $ME noop"
refused "a service not in .amandahosts is refused" "$PORT" selfcheck "may not run service selfcheck"
hosts "localhost $ME amdump"
if P5=$(free_port); then   # without nofork amandad gets a socketpair, not the TCP socket
    socat "TCP-LISTEN:$P5,bind=127.0.0.1,reuseaddr,fork" \
        "EXEC:$AMANDA_LIBEXECDIR/amandad -auth=bsdtcp amdump" 2>>"$T/socat.err" &
    SOCATS+=($!)
    for _ in $(seq 1 50); do [ -n "$(ss -Hltn "sport = :$P5")" ] && break; sleep 0.1; done
    refused "a launcher that hides the peer is refused, with the fix" "$P5" noop 'add ",nofork"'
fi
check "refusals are in amandad's debug log" \
    sh -c 'grep -l "refusing request" "$1"/amandad/amandad.*.debug | grep -q .' sh "$AMANDA_DBGDIR"
# ---- the shipped launchers: openbsd-inetd and systemd socket activation ---
hosts "localhost $ME amdump"
EX=$(dirname "$0")/../example
if [ -x /usr/sbin/inetd ] && [ -f "$EX/inetd.conf.amandad" ] && P3=$(free_port); then
    # the example line, with our path, our user and a loopback high port
    grep -v '^#' "$EX/inetd.conf.amandad" |
        sed -e "s|^amanda|127.0.0.1:$P3|" -e "s|backup|$ME|" \
            -e "s|/usr/local/libexec/amanda/amandad|$AMANDA_LIBEXECDIR/amandad|" > "$T/inetd.conf"
    /usr/sbin/inetd -d "$T/inetd.conf" > "$T/inetd.log" 2>&1 &
    SOCATS+=($!)
    for _ in $(seq 1 50); do [ -n "$(ss -Hltn "sport = :$P3")" ] && break; sleep 0.1; done
    out=$(svc "$P3" noop "$T/noop.req")
    is "amandad runs from the example inetd.conf line" "$(echo "$out" | head -1 | cut -c1-17)" \
        "OPTIONS features="
else
    ok "# SKIP openbsd-inetd not installed"
fi
if command -v systemd-socket-activate >/dev/null && P4=$(free_port); then
    cmd=$(sed -n 's|^ExecStart=||p' "$EX/amanda@.service" |
          sed "s|/usr/local/libexec/amanda/amandad|$AMANDA_LIBEXECDIR/amandad|")
    envs=()   # it passes on only the variables it is told to
    for v in $(env | sed -n 's/^\(AMANDA_[A-Z_]*\)=.*/\1/p'); do envs+=(-E "$v"); done
    # shellcheck disable=SC2086 # the ExecStart line is a word list
    systemd-socket-activate -l "127.0.0.1:$P4" --inetd "${envs[@]}" -a $cmd > "$T/ssa.log" 2>&1 &
    SOCATS+=($!)
    for _ in $(seq 1 50); do [ -n "$(ss -Hltn "sport = :$P4")" ] && break; sleep 0.1; done
    out=$(svc "$P4" noop "$T/noop.req")
    is "amandad runs as amanda@.service does (socket activation, Accept=yes)" \
        "$(echo "$out" | head -1 | cut -c1-17)" "OPTIONS features="
else
    ok "# SKIP systemd-socket-activate not available"
fi

sleep 1.5
check "every amandad has exited" sh -c '! pgrep -f "^$1/amandad " >/dev/null' sh "$AMANDA_LIBEXECDIR"
done_testing
