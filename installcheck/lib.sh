# Shared helpers for installcheck/t-*.sh.  Source it first:
#   . "$(dirname "$0")/lib.sh"
# It makes a private temp dir ($T, removed at exit), points every AMANDA_*
# location there so the installed programs under $PREFIX touch nothing else,
# and offers TAP helpers: ok/not_ok/is/check and done_testing.
set -u
: "${PREFIX:?PREFIX must name the install prefix (run through installcheck/run-all)}"
export PATH="$PREFIX/sbin:$PREFIX/bin:$PATH"
T=$(mktemp -d "${TMPDIR:-/tmp}/amng-test.XXXXXX")
chmod 755 "$T"
export AMANDA_CONFIG_DIR="$T/etc/amanda"
export AMANDA_STATEDIR="$T/var/lib/amanda"
export AMANDA_GNUTAR_LISTDIR="$T/var/lib/amanda/gnutar-lists"
export AMANDA_DBGDIR="$T/var/log/amanda"
export AMANDA_TMPDIR="$T/tmp"
export AMANDA_LIBEXECDIR="$PREFIX/libexec/amanda"
export AMANDA_APPLICATION_DIR="$PREFIX/libexec/amanda/application"
export AMANDA_SBINDIR="$PREFIX/sbin"
mkdir -p "$AMANDA_CONFIG_DIR" "$AMANDA_STATEDIR" "$AMANDA_GNUTAR_LISTDIR" "$AMANDA_DBGDIR" "$AMANDA_TMPDIR"
_tap_n=0
_tap_failed=0
cleanup_tmp() { [ -n "${KEEP_TMP:-}" ] && { echo "# kept $T"; return; }; rm -rf "$T"; }
trap cleanup_tmp EXIT
ok()     { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }
# check "description" command...: ok if the command succeeds
check()  { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# is "description" got expected
is()     { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; echo "#   got:      '$2'"; echo "#   expected: '$3'"; fi; }
done_testing() { echo "1..$_tap_n"; [ "$_tap_failed" -eq 0 ]; }

# AMANDA's own amandad reads ~backup/.amandahosts.  stock_amandahosts_allow
# LINE adds LINE for this test (unless it is there); stock_amandahosts_restore
# (call it from the test's EXIT trap) puts the file back as it was.
STOCK_HOSTS=$(readlink -f ~backup/.amandahosts 2>/dev/null || echo ~backup/.amandahosts)
_stock_hosts_saved=
_stock_hosts_created=
stock_amandahosts_allow() {
    grep -qxF "$1" "$STOCK_HOSTS" 2>/dev/null && return 0
    if [ -z "$_stock_hosts_saved$_stock_hosts_created" ]; then
        if [ -f "$STOCK_HOSTS" ]; then
            _stock_hosts_saved=$T/stock-amandahosts.orig
            cp -p "$STOCK_HOSTS" "$_stock_hosts_saved"
        else
            _stock_hosts_created=1
            install -m 600 -o backup -g backup /dev/null "$STOCK_HOSTS"
        fi
    fi
    echo "$1" >> "$STOCK_HOSTS"
}
stock_amandahosts_restore() {
    if [ -n "$_stock_hosts_saved" ]; then
        cat "$_stock_hosts_saved" > "$STOCK_HOSTS"
    elif [ -n "$_stock_hosts_created" ]; then
        rm -f "$STOCK_HOSTS"
    fi
    _stock_hosts_saved= _stock_hosts_created=
}

# wait_for_port PORT: until something listens on 127.0.0.1:PORT (at most 2 s).
wait_for_port() {
    local _
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

# amgtar_dle DISK LISTDIR LEVEL-TAGS: the <dle> block of a sendsize or
# sendbackup request for amgtar (LEVEL-TAGS: "<level>0</level>" ...).
amgtar_dle() {
    cat <<XML
<dle>
  <program>APPLICATION</program>
  <backup-program>
    <plugin>amgtar</plugin>
    <property><name>gnutar-listdir</name><value>$2</value></property>
  </backup-program>
  <disk>$1</disk>
  $3
  <record>YES</record>
  <index>YES</index>
</dle>
XML
}
