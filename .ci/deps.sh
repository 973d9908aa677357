# Packages the build, the tests and the demo need on Debian 12.  Sourced by
# .ci/run and demo.sh; installs only what is missing (needs root or sudo).
CI_BUILD_DEPS="autoconf automake make gcc pkg-config libglib2.0-dev libssl-dev zlib1g-dev
 libcurl4-openssl-dev libreadline-dev tar gzip python3 socat groff-base"
# The stock AMANDA 3.5.1 packages are the other side of the interoperability
# tests, and their sample configs must parse with our amgetconf.
# libencode-locale-perl: AMANDA's Perl modules use Encode::Locale, but the packages
# only recommend it, and we install without recommends.
CI_TEST_DEPS="amanda-common amanda-server amanda-client libencode-locale-perl openbsd-inetd time valgrind"

ci_missing_packages() {
    local p
    for p in $CI_BUILD_DEPS ${CI_WANT_TEST_DEPS:+$CI_TEST_DEPS}; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || echo "$p"
    done
}

ci_install_deps() {
    CI_WANT_TEST_DEPS=${CI_WANT_TEST_DEPS-1}
    local missing sudo=""
    missing=$(ci_missing_packages | tr '\n' ' ')
    [ -n "${missing// /}" ] || return 0
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: $missing"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq &&
    $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
