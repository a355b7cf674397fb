#!/usr/bin/env bash
# Every configuration file shipped in deploy/ passes `parleyd --check-config`.
# Usage: check_configs_test.sh PARLEYD REPO_ROOT
set -euo pipefail
parleyd="$1"
root="$2"
for config in "$root"/deploy/*.toml; do
    PARLEY_API_KEY=test-key "$parleyd" --config "$config" --check-config >/dev/null
    echo "ok: $config"
done
