# Scenario b (docs/BENCHMARKS.md, "Streaming"): time to first delta through parley vs straight
# from the fake model server, and many concurrent WebSocket sessions streaming at 50 tokens/s.
#
# Starts on loopback the fake model server (tests/support) with --stamp-pieces, so every streamed
# piece's text starts with its emit time, and parleyd (bench/parley.bench.toml, agent `stream`).
# Each run: bench/ws_load.cpp's TTFT comparison (direct, parley WebSocket, parley's streaming
# /v1/chat/completions, interleaved per sample, the fake server streaming at once), then SESSIONS
# WebSocket sessions each streaming one reply of PIECES pieces 20 ms apart, with parleyd's and
# the fake server's CPU over the steady state (/proc/PID/stat). Writes "result" lines,
# report.md and the plot docs/bench/streaming_b.png.
# Environment: BENCH_SESSIONS, BENCH_PIECES, BENCH_TTFT_SAMPLES, BENCH_IO_THREADS,
# BENCH_PROFILE (0/1: perf record -g and strace -c of parleyd during extra runs).
source "$PARLEY_ROOT/bench/scenarios/common.sh"

sessions="${BENCH_SESSIONS:-1000}"
pieces="${BENCH_PIECES:-500}"
ttft_samples="${BENCH_TTFT_SAMPLES:-200}"
if ((QUICK)); then
    sessions="${BENCH_SESSIONS:-100}"
    pieces="${BENCH_PIECES:-100}"
    ttft_samples="${BENCH_TTFT_SAMPLES:-30}"
fi
piece_interval_ms=20
connect_rate=500
io_threads="${BENCH_IO_THREADS:-1}"
profile="${BENCH_PROFILE:-0}"
plot="$PARLEY_ROOT/docs/bench/streaming_b.png"
((REPORT)) || plot="$SCENARIO_OUT/streaming_b.png"
mkdir -p "$(dirname "$plot")"

# One descriptor per WebSocket and one per upstream stream in parleyd, and as many in the load
# generator and the fake server: all three inherit this limit.
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < 2 * sessions + 256)); then
    log "the open-file limit $(ulimit -n) is too low for $sessions sessions"
    exit 1
fi

start_fake_model_server --threads 1 --stamp-pieces
start_parleyd "$io_threads"
log "fake model server :$fake_port (pid $fake_pid), parleyd :$parley_port (pid $parley_pid, $io_threads I/O threads); $(grep 'open files' "/proc/$parley_pid/limits" | tr -s ' ')"

# set_default_script PIECES DELAY_MS: the fake server's answer to every request from now on.
set_default_script() {
    local text
    text="$(printf 'x %.0s' $(seq "$1"))"
    curl -sS --fail -o /dev/null -X POST "$fake/__fake/default_script" \
        -d "{\"text\":\"${text% }\",\"stamp_pieces\":true,\"delay_per_chunk_ms\":$2}"
}

ws_load=("$BUILD_DIR/bench/parley_ws_load" --parley-port "$parley_port" --direct-port "$fake_port" --agent stream)
# run_streams OUTFILE: one streams run with CPU sampling; the latency percentiles next to OUTFILE.
run_streams() {
    local file="$1"
    curl -sS -o /dev/null -X POST "$fake/__fake/reset"
    set_default_script "$pieces" "$piece_interval_ms"
    {
        echo "bench load1 $(load1)"
        "${ws_load[@]}" --sessions "$sessions" --pieces "$pieces" --connect-rate "$connect_rate" \
            --cpu-of "parleyd=$parley_pid" --cpu-of "fake=$fake_pid" --latency-out "${file%.txt}.dat"
    } >"$file"
}

set_default_script 4 0
"${ws_load[@]}" --ttft-samples 20 >"$bench_work/warmup.txt"

for run in $(seq "$RUNS"); do
    log "run $run/$RUNS: TTFT, $ttft_samples samples per target (load $(load1))"
    curl -sS -o /dev/null -X POST "$fake/__fake/reset"
    set_default_script 4 0
    "${ws_load[@]}" --ttft-samples "$ttft_samples" >"$SCENARIO_OUT/ttft_run$run.txt"
    log "run $run/$RUNS: $sessions sessions x $pieces pieces every $piece_interval_ms ms (load $(load1))"
    run_streams "$SCENARIO_OUT/streams_run$run.txt"
done

if ((profile)); then
    # Extra runs, not in the medians: perf and strace slow parleyd down.
    window=$((pieces * piece_interval_ms / 1000 - sessions / connect_rate - 2))
    log "profiling parleyd: perf record -g for ${window}s of the steady state"
    (sleep $((sessions / connect_rate + 1)) && perf record -g -o "$SCENARIO_OUT/perf_parleyd.data" -p "$parley_pid" \
        -- sleep "$window" >/dev/null 2>"$SCENARIO_OUT/perf_record.log") &
    perf_pid="$!"
    run_streams "$SCENARIO_OUT/profile_perf.txt"
    wait "$perf_pid" || true
    perf report -i "$SCENARIO_OUT/perf_parleyd.data" --stdio --no-children --percent-limit 0.7 --sort dso,symbol -g none \
        2>/dev/null | grep '%' | sed 's/  */ /g' >"$SCENARIO_OUT/perf_parleyd.txt" || true
    log "profiling parleyd: strace -c -f for ${window}s of the steady state"
    (sleep $((sessions / connect_rate + 1)) && timeout -s INT "$window" strace -c -f -p "$parley_pid" \
        -o "$SCENARIO_OUT/strace_parleyd.txt" >/dev/null 2>&1) &
    strace_pid="$!"
    run_streams "$SCENARIO_OUT/profile_strace.txt"
    wait "$strace_pid" || true
    log "profiles of parleyd: $SCENARIO_OUT/perf_parleyd.txt, $SCENARIO_OUT/strace_parleyd.txt"
fi

python3 - "$SCENARIO_OUT" "$RUNS" "$sessions" "$pieces" "$ttft_samples" "$(machine_line)" <<'PYTHON'
import pathlib, statistics, sys

out, runs, sessions, pieces, samples = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
machine = sys.argv[6]

def results(path):
    """{(phase, target): {key: value}} of the "result" lines, and the load line."""
    found, load = {}, "?"
    for line in path.read_text().splitlines():
        words = line.split()
        if words[:2] == ["bench", "load1"]:
            load = words[2]
        if not words or words[0] != "result":
            continue
        values = dict(word.split("=", 1) for word in words[1:])
        found[values.get("phase"), values.get("target")] = values
        found["load1"] = load
    return found

ttft = [results(out / f"ttft_run{run}.txt") for run in range(1, runs + 1)]
streams = [results(out / f"streams_run{run}.txt") for run in range(1, runs + 1)]
targets = ["direct", "parley_ws", "parley_openai"]

def per_run(runs_results, phase, target, key):
    return [float(r[phase, target][key]) for r in runs_results]

def med(values):
    return statistics.median(values)

ttft_p50 = {t: per_run(ttft, "ttft", t, "p50_us") for t in targets}
ttft_p99 = {t: per_run(ttft, "ttft", t, "p99_us") for t in targets}
added_ws = [w - d for w, d in zip(ttft_p50["parley_ws"], ttft_p50["direct"])]
added_openai = [o - d for o, d in zip(ttft_p50["parley_openai"], ttft_p50["direct"])]
failures = sum(int(r["ttft", t]["failures"]) for r in ttft for t in targets)
for t in targets:
    print(f"result scenario=b phase=ttft target={t} runs={runs} p50_us={med(ttft_p50[t]):.0f} p99_us={med(ttft_p99[t]):.0f}"
          f" p50_runs={'/'.join(f'{v:.0f}' for v in ttft_p50[t])}")
print(f"ratio scenario=b ttft_p50_added_ws_us={med(added_ws):.0f} ttft_p50_added_openai_us={med(added_openai):.0f}"
      f" ttft_p50_ratio_ws={med([w / d for w, d in zip(ttft_p50['parley_ws'], ttft_p50['direct'])]):.2f}"
      f" added_ws_runs={'/'.join(f'{v:.0f}' for v in added_ws)}")

keys = ["latency_p50_us", "latency_p90_us", "latency_p99_us", "latency_p99.9_us", "latency_max_us", "ttft_p50_us"]
stream_median = {k: med(per_run(streams, "streams", None, k)) for k in keys}
steady_keys = ["cpu_parleyd_pct", "cpu_fake_pct", "cpu_parleyd_us_per_delta", "cpu_parleyd_system_us_per_delta",
               "cpu_fake_us_per_delta", "cpu_ws_load_pct", "deltas_per_s", "window_s"]
steady_median = {k: med(per_run(streams, "steady", None, k)) for k in steady_keys}
defects = {k: sum(int(r["streams", None][k]) for r in streams)
           for k in ["failed_to_open", "not_completed", "incomplete", "out_of_order", "text_mismatch"]}
print(f"result scenario=b phase=streams sessions={sessions} pieces={pieces} runs={runs} "
      + " ".join(f"{k}={v:.0f}" for k, v in stream_median.items()) + " "
      + " ".join(f"{k}={v:.2f}" for k, v in steady_median.items()) + " "
      + " ".join(f"{k}={v}" for k, v in defects.items())
      + f" p99_runs={'/'.join(r['streams', None]['latency_p99_us'] for r in streams)}"
      + f" cpu_runs={'/'.join(r['steady', None]['cpu_parleyd_pct'] for r in streams)}")

# The plot's table: median over the runs of each per-piece latency percentile.
tables = [dict(tuple(map(float, line.split())) for line in (out / f"streams_run{run}.dat").read_text().splitlines()
               if not line.startswith("#")) for run in range(1, runs + 1)]
with open(out / "latency_percentiles.dat", "w") as table:
    table.write("# percentile latency_us (median over the runs)\n")
    for p in tables[0]:
        table.write(f"{p:g} {med([t[p] for t in tables]):.0f}\n")

def verdict(ok):
    return "**met**" if ok else "**missed**"

def n(value):
    return f"{value:,.0f}"

delivered = all(v == 0 for v in defects.values())
# The CPU target assumes every session streaming at 50 tokens/s; when parley delivered less, the
# verdict is on the CPU that the full rate would take at the measured cost per delta.
nominal_rate = sessions * 50
full_rate_pct = steady_median["cpu_parleyd_us_per_delta"] * nominal_rate / 1e4
lines = [machine, "",
         f"Medians of {runs} runs. TTFT: {samples} samples per target per run, one request at a time, "
         f"targets interleaved per sample, the fake server answering at once (4 pieces). Streams: {n(sessions)} "
         f"WebSocket sessions opened at 500/s, each streaming one reply of {pieces} pieces 20 ms apart "
         f"(50 tokens/s); CPU over the steady state (all streams running, "
         f"{steady_median['window_s']:.1f} s, {n(steady_median['deltas_per_s'])} deltas/s). "
         "1-minute load average before each run: " + ", ".join(r["load1"] for r in streams) + ".", "",
         "| TTFT (request written → first text) | p50 | p99 | runs (p50 µs) |",
         "|---|---:|---:|---|"]
names = {"direct": "direct (fake server)", "parley_ws": "parley, WebSocket `send` → first `message.delta`",
         "parley_openai": "parley, streaming `/v1/chat/completions`"}
for t in targets:
    lines.append(f"| {names[t]} | {n(med(ttft_p50[t]))} µs | {n(med(ttft_p99[t]))} µs | "
                 + " / ".join(f"{v:.0f}" for v in ttft_p50[t]) + " |")
lines += ["",
          f"| {n(sessions)} sessions × 50 tokens/s | median | runs |", "|---|---:|---|"]
def row(label, value, key, phase="streams", unit=" µs"):
    lines.append(f"| {label} | {value}{unit} | " + " / ".join(r[phase, None][key] for r in streams) + " |")
def ms_row(label, key):
    lines.append(f"| {label} | {stream_median[key] / 1000:,.1f} ms | "
                 + " / ".join(f"{float(r['streams', None][key]) / 1000:,.1f}" for r in streams) + " |")
ms_row("emit → receive p50", "latency_p50_us")
ms_row("emit → receive p99", "latency_p99_us")
ms_row("emit → receive p99.9", "latency_p99.9_us")
ms_row("emit → receive max", "latency_max_us")
ms_row("TTFT p50 under load", "ttft_p50_us")
row("parleyd CPU (% of one core)", f"{steady_median['cpu_parleyd_pct']:.1f}", "cpu_parleyd_pct", "steady", " %")
row("parleyd CPU per delivered delta", f"{steady_median['cpu_parleyd_us_per_delta']:.1f}", "cpu_parleyd_us_per_delta", "steady")
row("of it in the kernel (system time)", f"{steady_median['cpu_parleyd_system_us_per_delta']:.1f}",
    "cpu_parleyd_system_us_per_delta", "steady")
row("fake server CPU (% of one core)", f"{steady_median['cpu_fake_pct']:.1f}", "cpu_fake_pct", "steady", " %")
row("fake server CPU per delivered delta", f"{steady_median['cpu_fake_us_per_delta']:.1f}", "cpu_fake_us_per_delta", "steady")
row("load generator CPU (% of one core)", f"{steady_median['cpu_ws_load_pct']:.1f}", "cpu_ws_load_pct", "steady", " %")
row("deltas delivered per second (steady state)", n(steady_median["deltas_per_s"]), "deltas_per_s", "steady", "")
lines.append(f"| streams failed / incomplete / out of order / text mismatch (all runs) | "
             f"{defects['failed_to_open'] + defects['not_completed']} / {defects['incomplete']} / "
             f"{defects['out_of_order']} / {defects['text_mismatch']} | |")
lines += ["",
          "Targets: TTFT p50 through parley's WebSocket − direct "
          f"{n(med(added_ws))} µs (runs {' / '.join(f'{v:.0f}' for v in added_ws)}; ≤ 200 µs: {verdict(med(added_ws) <= 200)}; "
          f"streaming chat completions {n(med(added_openai))} µs); "
          f"every delta delivered, in order: {verdict(delivered)}; "
          f"parleyd CPU {steady_median['cpu_parleyd_pct']:.0f} % of one core while delivering "
          f"{n(steady_median['deltas_per_s'])} of the {n(nominal_rate)} deltas/s of 50 tokens/s per session, "
          f"{full_rate_pct:.0f} % at the full rate and the measured {steady_median['cpu_parleyd_us_per_delta']:.1f} µs per delta, "
          f"{steady_median['cpu_parleyd_system_us_per_delta']:.1f} µs of it in the kernel, where the target allows "
          f"{0.5e6 / nominal_rate:.0f} µs in all "
          f"(≤ 50 %: {verdict(full_rate_pct <= 50 and steady_median['deltas_per_s'] >= 0.95 * nominal_rate)}); "
          f"p99 emit → receive {stream_median['latency_p99_us'] / 1000:.2f} ms (≤ 5 ms: {verdict(stream_median['latency_p99_us'] <= 5000)})."
          + (f" TTFT comparison failures: {failures}." if failures else "")]
(out / "report.md").write_text("\n".join(lines) + "\n")
PYTHON

gnuplot <<GNUPLOT
set terminal pngcairo size 800,480 font ",10"
set output "$plot"
set title "Streaming (scenario b): upstream emit → client receive per piece, $sessions sessions × 50 tokens/s, median of $RUNS runs"
$(percentile_axes)
plot "$SCENARIO_OUT/latency_percentiles.dat" using (1/(1-\$1/100)):2 with linespoints title "parley (WebSocket)"
GNUPLOT
printf '\n![Per-piece latency percentiles, scenario b](bench/streaming_b.png)\n' >>"$SCENARIO_OUT/report.md"
log "streaming: outputs in $SCENARIO_OUT; plot in $plot"
