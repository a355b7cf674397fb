#!/usr/bin/env bash
# parleyd's CPU per proxied request, and wrk's figures, for two or more binaries alternated in one
# invocation (how docs/performance-log.md measures a change in wall-clock terms on a noisy machine:
# compare within a round, take the medians). One fake model server; each binary a parleyd of its
# own (bench/parley.bench.toml, default I/O threads), warmed up at 64 connections; then per round
# and binary one wrk run of scenario a's request (1 connection: `-t1 -c1`, otherwise `-t2 -cN`),
# parleyd's user and system time per request from /proc/PID/stat. Prints a line per run, then the
# medians per binary.
#
# Usage: bench/compare_cpu.sh [--rounds N] [--connections N] [--duration SECONDS] PARLEYD...
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

rounds=5
connections=64
duration=4
compare_options=(rounds connections duration)
source "$PARLEY_ROOT/bench/compare_common.sh"
parse_compare_args "bench/compare_cpu.sh [--rounds N] [--connections N] [--duration SECONDS] PARLEYD..." "$@"
export BUILD_DIR="${BUILD_DIR:-$PARLEY_ROOT/build/release}"
source "$PARLEY_ROOT/bench/scenarios/common.sh"

script="$PARLEY_ROOT/bench/wrk/chat_completion.lua"
threads=2
((connections == 1)) && threads=1
start_fake_model_server --threads 1 --text ok --chunks 1
ports=()
pids=()
for binary in "${binaries[@]}"; do
    PARLEYD="$binary" start_parleyd 0
    ports+=("$parley_port")
    pids+=("$parley_pid")
    wrk -t2 -c64 -d2s -s "$script" "http://127.0.0.1:$parley_port/v1/chat/completions" >/dev/null
done

# cpu_ticks PID: user and system clock ticks so far.
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }
ticks_per_second="$(getconf CLK_TCK)"

results="$bench_work/compare_cpu.txt"
: >"$results"
for round in $(seq "$rounds"); do
    for index in "${!binaries[@]}"; do
        read -r user_before system_before < <(cpu_ticks "${pids[$index]}")
        out="$(wrk "-t$threads" "-c$connections" "-d${duration}s" -s "$script" \
            "http://127.0.0.1:${ports[$index]}/v1/chat/completions")"
        read -r user_after system_after < <(cpu_ticks "${pids[$index]}")
        requests="$(sed -n 's/^bench requests //p' <<<"$out")"
        line="round $round ${binaries[$index]} rps=$(sed -n 's/^bench rps //p' <<<"$out")"
        line+=" p50_us=$(sed -n 's/^bench p50_us //p' <<<"$out")"
        line+=" user_us=$(((user_after - user_before) * 1000000 / ticks_per_second / requests))"
        line+=" system_us=$(((system_after - system_before) * 1000000 / ticks_per_second / requests))"
        echo "$line" | tee -a "$results"
    done
done

print_medians "$results"
