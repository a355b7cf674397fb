# Shared by bench/compare_*.sh, the alternated A/B runs of parleyd binaries. Sourced, never run.

# parse_compare_args USAGE ARGS...: `--NAME VALUE` sets the variable NAME (dashes read as
# underscores) for each NAME listed in the array `compare_options`; every other argument is a binary to compare, collected (as an
# absolute path) in the array `binaries`. Without a binary, prints USAGE and exits.
parse_compare_args() {
    local usage="$1" name
    shift
    binaries=()
    while (($#)); do
        case "$1" in
        --*)
            name="${1#--}"
            name="${name//-/_}"
            if [[ " ${compare_options[*]} " != *" $name "* || $# -lt 2 ]]; then
                log "unknown option or missing value: $1"
                exit 2
            fi
            printf -v "$name" '%s' "$2"
            shift 2
            ;;
        *) binaries+=("$(realpath "$1")"); shift ;;
        esac
    done
    if ((${#binaries[@]} == 0)); then
        log "usage: $usage"
        exit 2
    fi
}

# print_medians FILE: for lines "round N BINARY key=value...", one line per binary with the
# median of each key over its rounds.
print_medians() {
    python3 - "$1" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    _, _, binary, *fields = line.split()
    rows.setdefault(binary, []).append({k: float(v) for k, v in (f.split("=") for f in fields)})
for binary, runs in rows.items():
    medians = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
    print(f"median {binary} " + " ".join(f"{k}={v:g}" for k, v in medians.items()))
PY
}
