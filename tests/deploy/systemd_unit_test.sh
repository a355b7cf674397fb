#!/usr/bin/env bash
# deploy/parley.service: `systemd-analyze verify` finds nothing to say about it
# (skipped when systemd-analyze is not installed), it carries the hardening
# the deployment guide promises, and its database path lies in its state
# directory.
# Usage: systemd_unit_test.sh PARLEYD REPO_ROOT
set -euo pipefail
parleyd="$1"
root="$2"
unit="$root/deploy/parley.service"
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

for directive in DynamicUser=yes ProtectSystem=strict StateDirectory=parley NoNewPrivileges=yes PrivateTmp=yes \
    Restart=on-failure StandardOutput=journal "ExecStart=/usr/local/bin/parleyd --config /etc/parley/parley.toml"; do
    grep -qx "$directive" "$unit" || fail "parley.service lacks $directive"
done
state_dir="/var/lib/$(sed -n 's/^StateDirectory=//p' "$unit")"
db="$(sed -n 's/^Environment=PARLEY_DB=//p' "$unit")"
[[ "$(dirname "$db")" == "$state_dir" ]] || fail "PARLEY_DB ($db) is not in the state directory $state_dir"
grep -qx "WorkingDirectory=$state_dir" "$unit" || fail "WorkingDirectory is not the state directory $state_dir"

if command -v systemd-analyze >/dev/null; then
    # verify insists that ExecStart exists: point it at the binary under test.
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    sed "s#/usr/local/bin/parleyd#$(readlink -f "$parleyd")#" "$unit" >"$work/parley.service"
    # Unknown keys and bad values are only warnings (exit 0): any output fails.
    if ! output="$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$work/parley.service" 2>&1)" || [[ -n "$output" ]]; then
        fail "systemd-analyze verify: $output"
    else
        echo "ok: systemd-analyze verify"
    fi
else
    echo "skipped: systemd-analyze is not installed"
fi

if ((failures > 0)); then
    exit 1
fi
echo "ok: deploy/parley.service"
