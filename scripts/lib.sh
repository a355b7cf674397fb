# Shared by scripts/run, scripts/test and scripts/bench. Source it; do not run it.
set -euo pipefail

PARLEY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PARLEY_ROOT
# ccache must accept the precompiled header; these make its hits exact enough.
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/parley-ccache}"
# Paths relative to the checkout, and no working directory in the hash, so
# another clone of the project (CI's) reuses the same cache entries.
export CCACHE_BASEDIR="$PARLEY_ROOT"
export CCACHE_NOHASHDIR=1

log() { printf '\033[1m[parley]\033[0m %s\n' "$*" >&2; }

# Installs the Debian packages listed in the given files that are missing.
# Quiet (and offline) when everything is already installed.
ensure_packages() {
    local wanted=() missing=() package
    for list in "$@"; do
        while read -r package; do
            [[ -z "$package" || "$package" == \#* ]] && continue
            wanted+=("$package")
        done <"$list"
    done
    for package in "${wanted[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    log "installing Debian packages: ${missing[*]}"
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        sudo=(sudo)
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Node.js and npm for the tests that drive parleyd with real external clients
# (tests/js). Debian's packages only when the machine has no node/npm at all:
# a NodeSource nodejs already ships npm and conflicts with Debian's.
ensure_node() {
    if command -v node >/dev/null && command -v npm >/dev/null; then
        return 0
    fi
    local list
    list="$(mktemp)"
    printf 'nodejs\nnpm\n' >"$list"
    ensure_packages "$list"
    rm -f "$list"
}

# Installs tests/js's locked npm packages when they are missing or stale.
ensure_js_clients() {
    local dir="$PARLEY_ROOT/tests/js"
    if [[ -f "$dir/node_modules/.package-lock.json" && "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]]; then
        return 0
    fi
    log "installing the JavaScript test clients (npm ci in tests/js)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

# configure_and_build BUILD_DIR BUILD_TYPE [extra cmake args...] -- [targets...]
configure_and_build() {
    local dir="$1" type="$2"
    shift 2
    local cmake_args=() targets=()
    while (($#)); do
        if [[ "$1" == "--" ]]; then
            shift
            targets=("$@")
            break
        fi
        cmake_args+=("$1")
        shift
    done
    cmake -S "$PARLEY_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "${cmake_args[@]}" >/dev/null
    cmake --build "$dir" --parallel "$(nproc)" ${targets[@]+--target "${targets[@]}"}
}
