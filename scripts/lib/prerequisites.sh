# Installs what building d365mm needs and is missing. Sourced by scripts/test, scripts/demo and scripts/bench.

# d365mm_missing_packages [EXTRA…]: the Debian packages, of those building needs and EXTRA, not installed.
d365mm_missing_packages() {
    local missing=()
    local package
    for package in libarchive-dev libsqlite3-dev pkg-config "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    echo "${missing[@]}"
}

# d365mm_install_prerequisites [EXTRA…]: installs what is missing of the build's packages and EXTRA.
d365mm_install_prerequisites() {
    local missing
    missing=$(d365mm_missing_packages "$@")
    if [ -n "$missing" ]; then
        echo "==> installing missing system packages: $missing"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y $missing
    fi
    if ! command -v swift >/dev/null 2>&1; then
        if [ -x /opt/swift/usr/bin/swift ]; then
            export PATH="/opt/swift/usr/bin:$PATH"
        else
            echo "error: the Swift toolchain (6.2 or later) is not installed; see README.md" >&2
            return 1
        fi
    fi
}
