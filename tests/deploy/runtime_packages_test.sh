#!/usr/bin/env bash
# The container image must install every Debian package parleyd links against,
# and build from the same package list that scripts/run installs.
# Usage: runtime_packages_test.sh PARLEYD REPO_ROOT
set -euo pipefail
parleyd="$1"
root="$2"
runtime_list="$root/scripts/packages/runtime.txt"
# Present in debian:12-slim already, or only in sanitizer builds.
ignored="libc6 libgcc-s1 libstdc++6 libasan8 libubsan1 libtsan2"

failures=0
while read -r library; do
    package=$(dpkg -S "$(readlink -f "$library")" 2>/dev/null || dpkg -S "$library" 2>/dev/null || true)
    package="${package%%:*}"
    if [[ -z "$package" ]]; then
        echo "FAIL: $library belongs to no Debian package"
        failures=$((failures + 1))
        continue
    fi
    if [[ " $ignored " == *" $package "* ]]; then
        continue
    fi
    if ! grep -qx "$package" "$runtime_list"; then
        echo "FAIL: parleyd links $library from $package, which scripts/packages/runtime.txt lacks"
        failures=$((failures + 1))
    fi
done < <(ldd "$parleyd" | awk '$3 ~ /^\// {print $3}')

grep -q 'COPY scripts/packages/build.txt' "$root/Dockerfile" || { echo "FAIL: Dockerfile does not build from scripts/packages/build.txt"; failures=$((failures + 1)); }
grep -q 'COPY scripts/packages/runtime.txt' "$root/Dockerfile" || { echo "FAIL: Dockerfile runtime stage does not use scripts/packages/runtime.txt"; failures=$((failures + 1)); }
grep -q 'scripts/packages/build.txt' "$root/scripts/run" || { echo "FAIL: scripts/run does not install scripts/packages/build.txt"; failures=$((failures + 1)); }

if ((failures > 0)); then
    exit 1
fi
echo "runtime packages: every linked library is covered"
