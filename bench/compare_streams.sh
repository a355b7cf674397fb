#!/usr/bin/env bash
# parleyd's CPU per delta of many WebSocket sessions streaming, for two or more binaries alternated
# in one invocation (how docs/performance-log.md measures a change's effect on scenario b's load on a
# noisy machine: compare within a round, take the medians). One fake model server (--stamp-pieces,
# every session's reply PIECES pieces 20 ms apart); per round and binary a fresh parleyd
# (bench/parley.bench.toml, IO_THREADS I/O threads, default 1) and one `parley_ws_load --sessions SESSIONS` run, which
# samples parleyd's CPU over the steady state. Prints a line per run (CPU per delta, % of a core,
# deltas/s, p99 emit -> receive), then the medians per binary.
#
# Usage: bench/compare_streams.sh [--rounds N] [--sessions N] [--pieces N] [--io-threads N] PARLEYD...
# Uses the fake model server and parley_ws_load of build/release (scripts/bench builds them).
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

rounds=5
sessions=300
pieces=250
io_threads=1
compare_options=(rounds sessions pieces io_threads)
source "$PARLEY_ROOT/bench/compare_common.sh"
parse_compare_args "bench/compare_streams.sh [--rounds N] [--sessions N] [--pieces N] [--io-threads N] PARLEYD..." "$@"
export BUILD_DIR="${BUILD_DIR:-$PARLEY_ROOT/build/release}"
source "$PARLEY_ROOT/bench/scenarios/common.sh"
ulimit -n "$(ulimit -Hn)"

start_fake_model_server --threads 1 --stamp-pieces
text="$(printf 'x %.0s' $(seq "$pieces"))"
curl -sS --fail -o /dev/null -X POST "$fake/__fake/default_script" \
    -d "{\"text\":\"${text% }\",\"stamp_pieces\":true,\"delay_per_chunk_ms\":20}"

# field NAME TEXT: the value of NAME=... in ws_load's result lines.
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

results="$bench_work/compare_streams.txt"
: >"$results"
for round in $(seq "$rounds"); do
    for binary in "${binaries[@]}"; do
        PARLEYD="$binary" start_parleyd "$io_threads"
        out="$("$BUILD_DIR/bench/parley_ws_load" --parley-port "$parley_port" --direct-port "$fake_port" \
            --agent stream --sessions "$sessions" --pieces "$pieces" --connect-rate 500 \
            --cpu-of "parleyd=$parley_pid" | grep '^result phase=' | tr '\n' ' ')"
        kill "$parley_pid"
        wait "$parley_pid" 2>/dev/null || true
        rm -f "$bench_work"/parley.db*  # every run starts from an empty database
        line="round $round $binary us_per_delta=$(field cpu_parleyd_us_per_delta "$out")"
        line+=" cpu_pct=$(field cpu_parleyd_pct "$out") deltas_per_s=$(field deltas_per_s "$out")"
        line+=" p99_us=$(field latency_p99_us "$out") incomplete=$(field incomplete "$out")"
        echo "$line" | tee -a "$results"
    done
done

print_medians "$results"
