#!/usr/bin/env bash
# What one proxied request costs parleyd, in counts the machine's load does not disturb:
# instructions and heap allocations (valgrind --tool=callgrind) and system calls (strace -c),
# per request of scenario a (a non-streaming chat completion, bench/wrk/chat_completion.lua), of
# a streamed one (--stream: `"stream": true`, the fake server answering 4 pieces), or per
# delta of WebSocket sessions streaming (--ws: scenario b's load, small). How
# docs/performance-log.md measures a change's effect on the gateway and streaming paths.
#
# Per binary: a fresh fake model server and parleyd (bench/parley.bench.toml, 1 I/O thread) under
# the tool, WARMUP requests on one keep-alive connection, the counters zeroed (strace: attached),
# then REQUESTS more; the totals over every parleyd thread divided by REQUESTS. With --ws,
# SESSIONS WebSocket sessions (parley_ws_load) each stream one reply of PIECES pieces 10 ms
# apart, and the totals are divided by the deltas delivered.
#
# Usage: bench/cost_per_request.sh [--requests N] [--warmup N] [--stream | --ws SESSIONS PIECES]
#                                  [--tool callgrind|strace|both] [--keep DIR] [PARLEYD...]
#   PARLEYD defaults to build/release/server/parleyd; several binaries are measured in turn.
#   --keep DIR keeps each callgrind.out (for callgrind_annotate) in DIR.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

requests=1000
warmup=200
stream=0
ws_sessions=0
ws_pieces=0
tool=both
keep=""
binaries=()
while (($#)); do
    case "$1" in
    --requests) requests="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --stream) stream=1; shift ;;
    --ws) ws_sessions="$2"; ws_pieces="$3"; shift 3 ;;
    --tool) tool="$2"; shift 2 ;;
    --keep) keep="$(realpath "$2")"; mkdir -p "$keep"; shift 2 ;;
    -*) log "unknown option: $1"; exit 2 ;;
    *) binaries+=("$(realpath "$1")"); shift ;;
    esac
done
export BUILD_DIR="${BUILD_DIR:-$PARLEY_ROOT/build/release}"
((${#binaries[@]})) || binaries=("$BUILD_DIR/server/parleyd")
source "$PARLEY_ROOT/bench/scenarios/common.sh"

if ((ws_sessions)); then
    fake_args=(--threads 1 --stamp-pieces)
    requests=$((ws_sessions * ws_pieces))  # the unit: one delta
elif ((stream)); then
    body='{"model":"stream","stream":true,"messages":[{"role":"user","content":"ping"}]}'
    fake_args=(--threads 1 --text "a b c d" --chunks 4)
else
    body='{"model":"bench","messages":[{"role":"user","content":"ping"}]}'
    fake_args=(--threads 1 --text ok --chunks 1)
fi

# send_requests PORT COUNT: COUNT requests one after another on one keep-alive connection.
send_requests() {
    python3 - "$1" "$2" "$body" <<'PY'
import http.client, sys
port, count, body = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
headers = {"Content-Type": "application/json"}
for _ in range(count):
    connection.request("POST", "/v1/chat/completions", body, headers)
    response = connection.getresponse()
    answer = response.read()
    if response.status != 200:
        sys.exit(f"status {response.status}: {answer[:200]!r}")
PY
}

# stream_sessions PORT SESSIONS PIECES: SESSIONS WebSocket sessions, each streaming one reply of
# PIECES pieces 10 ms apart (parley_ws_load checks every delta arrives, in order).
stream_sessions() {
    local text
    text="$(printf 'x %.0s' $(seq "$3"))"
    curl -sS --fail -o /dev/null -X POST "$fake/__fake/default_script" \
        -d "{\"text\":\"${text% }\",\"stamp_pieces\":true,\"delay_per_chunk_ms\":10}"
    "$BUILD_DIR/bench/parley_ws_load" --parley-port "$1" --agent stream --sessions "$2" --pieces "$3" \
        --connect-rate 50 >"$bench_work/ws_load.txt" || { cat "$bench_work/ws_load.txt" >&2; return 1; }
}

warm_up() {
    if ((ws_sessions)); then
        stream_sessions "$1" 2 20
    else
        send_requests "$1" "$warmup"
    fi
}

measured_load() {
    if ((ws_sessions)); then
        stream_sessions "$1" "$ws_sessions" "$ws_pieces"
    else
        send_requests "$1" "$requests"
    fi
}

unit=request
((ws_sessions)) && unit=delta

# allocation_calls CALLGRIND_OUT: how many allocations parleyd's code asked for: calls to malloc,
# calloc, realloc, aligned_alloc, posix_memalign, memalign or operator new from outside those
# (operator new calling malloc is one allocation), whichever allocator serves them.
allocation_calls() {
    python3 - "$1" <<'PY'
import re, sys
entry = re.compile(r"^(malloc|calloc|realloc|aligned_alloc|posix_memalign|memalign|operator new(\[\])?\(.*\))( |'|$)")
names, total, caller, callee = {}, 0, "", ""
for line in open(sys.argv[1], errors="replace"):
    # A function is named at its first mention only, as fn= or cfn=; later ones give its number.
    match = re.match(r"(c?)fn=\((\d+)\)(?: (.*))?", line.rstrip("\n"))
    if match:
        if match.group(3):
            names[match.group(2)] = match.group(3)
        name = names.get(match.group(2), "")
        if match.group(1):
            callee = name
        else:
            caller = name
    elif line.startswith("calls=") and entry.match(callee) and not entry.match(caller):
        total += int(line.split("=")[1].split()[0])
print(total)
PY
}

# measure BINARY TOOL: one run of BINARY with TOOL counting REQUESTS requests after WARMUP; prints its figures.
measure() {
    local binary="$1" which="$2"
    start_fake_model_server "${fake_args[@]}"
    sed -e "s/@FAKE_PORT@/$fake_port/" -e "s/@IO_THREADS@/1/" -e "s|@DB_PATH@|$bench_work/parley.db|" \
        "$PARLEY_ROOT/bench/parley.bench.toml" >"$bench_work/parley.toml"
    local log_file="$bench_work/parleyd.log" out="$bench_work/$which.out"
    rm -f "$out"
    local launcher=()
    [[ "$which" == callgrind ]] && launcher=(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out")
    touch "$log_file"
    "${launcher[@]}" "$binary" --config "$bench_work/parley.toml" >"$log_file" 2>&1 &
    local pid="$!"
    bench_pids+=("$pid")
    wait_for_line "$log_file" "listening on [0-9.]*:[0-9]" "$pid" 60
    local port
    port="$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$log_file" | head -n1)"
    warm_up "$port"
    if [[ "$which" == callgrind ]]; then
        callgrind_control --instr=on "$pid" >/dev/null
        measured_load "$port"
        callgrind_control --instr=off "$pid" >/dev/null
        kill -INT "$pid"
        wait "$pid" || true
        local total calls
        total="$(callgrind_annotate "$out" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)"
        calls="$(allocation_calls "$out")"
        printf '%s callgrind: %d instructions, %.1f allocations per %s\n' "$binary" \
            "$((total / requests))" "$(bc -l <<<"$calls / $requests")" "$unit"
        if [[ -n "$keep" ]]; then
            cp "$out" "$keep/callgrind.$(date +%H%M%S).out"
        fi
    else
        # Attached after the warm-up to every thread, so start-up is not counted.
        local tids=()
        for task in /proc/"$pid"/task/*; do tids+=(-p "${task##*/}"); done
        strace -c -o "$out" "${tids[@]}" 2>/dev/null &
        local strace_pid="$!"
        sleep 1  # strace attaches asynchronously
        measured_load "$port"
        kill -INT "$strace_pid"
        wait "$strace_pid" || true
        kill -INT "$pid"
        wait "$pid" || true
        printf '%s strace:' "$binary"
        # Columns: % time, seconds, usecs/call, calls, [errors,] name; sorted by time.
        awk -v r="$requests" '$1 ~ /^[0-9.]+$/ && NF >= 5 { printf " %s=%.2f", $NF, $4 / r }' "$out"
        echo
    fi
    kill "$fake_pid" 2>/dev/null || true
    wait "$fake_pid" 2>/dev/null || true
    bench_pids=()
    rm -f "$bench_work"/parley.db*
}

for binary in "${binaries[@]}"; do
    [[ "$tool" == callgrind || "$tool" == both ]] && measure "$binary" callgrind
    [[ "$tool" == strace || "$tool" == both ]] && measure "$binary" strace
done
