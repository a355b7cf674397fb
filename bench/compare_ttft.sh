#!/usr/bin/env bash
# Time to first delta of two or more parleyd binaries, alternated in one invocation (how
# docs/performance-log.md measures a change's effect on TTFT): per round and binary, a fresh fake model
# server and parleyd (bench/parley.bench.toml, 1 I/O thread), 20 warm-up samples, then
# `parley_ws_load --ttft-samples SAMPLES`. Prints one line per run: the binary and the p50s (µs) of
# direct, parley's WebSocket and parley's streaming chat completions, and what parley adds to direct.
#
# Usage: bench/compare_ttft.sh [--rounds N] [--samples N] PARLEYD...
# Uses the fake model server and parley_ws_load of build/release (scripts/bench builds them);
# build the binaries to compare from the commits to compare.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

rounds=3
samples=100
compare_options=(rounds samples)
source "$PARLEY_ROOT/bench/compare_common.sh"
parse_compare_args "bench/compare_ttft.sh [--rounds N] [--samples N] PARLEYD..." "$@"
export BUILD_DIR="${BUILD_DIR:-$PARLEY_ROOT/build/release}"
source "$PARLEY_ROOT/bench/scenarios/common.sh"

# p50 TARGET FILE: the p50 of one ws_load TTFT result line.
p50() { sed -n "s/.*phase=ttft target=$1 .*p50_us=\([0-9]*\).*/\1/p" "$2"; }

for round in $(seq "$rounds"); do
    for binary in "${binaries[@]}"; do
        start_fake_model_server --threads 1 --stamp-pieces
        PARLEYD="$binary" start_parleyd 1
        curl -sS --fail -o /dev/null -X POST "$fake/__fake/default_script" \
            -d '{"text":"x x x x","stamp_pieces":true,"delay_per_chunk_ms":0}'
        ws_load=("$BUILD_DIR/bench/parley_ws_load" --parley-port "$parley_port" --direct-port "$fake_port" --agent stream)
        "${ws_load[@]}" --ttft-samples 20 >/dev/null
        "${ws_load[@]}" --ttft-samples "$samples" >"$bench_work/ttft.txt"
        direct="$(p50 direct "$bench_work/ttft.txt")"
        ws="$(p50 parley_ws "$bench_work/ttft.txt")"
        sse="$(p50 parley_openai "$bench_work/ttft.txt")"
        echo "round $round $binary direct=$direct parley_ws=$ws (+$((ws - direct))) parley_openai=$sse (+$((sse - direct)))"
        kill "$parley_pid" "$fake_pid"
        wait "$parley_pid" "$fake_pid" 2>/dev/null || true
        bench_pids=()
        rm -f "$bench_work"/parley.db*  # every run starts from an empty database
    done
done
