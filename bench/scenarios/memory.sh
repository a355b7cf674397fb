# Scenario c (docs/BENCHMARKS.md, "Memory"): what idle WebSocket connections and cached agents
# cost in resident memory.
#
# Idle connections: for each run and each kind, a fresh parleyd (bench/parley.bench.toml, its
# default I/O threads) and bench/ws_idle.cpp (parley_ws_idle) opening CONNECTIONS WebSocket
# connections to GET /v1/ws and holding them without traffic. Kinds: "connected" (handshake
# only) and "subscribed" (each connection subscribed to a session of its own, created and read
# once before the baseline). parleyd's VmRSS and RssAnon are read before and after, once it has
# settled; the cost of one connection is the difference over CONNECTIONS. parley_ws_connections
# on /metrics and the client's own count must both say every connection stayed open.
# Cached agents: bench/agent_memory.cpp (parley_agent_memory), in-process, AGENTS sessions with
# empty history loaded into the agent cache.
# Writes "result" lines and report.md (medians of RUNS runs, per-run values, verdicts).
source "$PARLEY_ROOT/bench/scenarios/common.sh"

connections=10000
agents=10000
if ((QUICK)); then
    connections=1000
    agents=1000
fi
target_connection_kib=16
target_agent_kib=8
settle_seconds=3

# parleyd and the client each hold one descriptor per connection.
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < connections + 256)); then
    log "the descriptor limit ($(ulimit -n)) is too low for $connections connections; raise the hard limit"
    exit 1
fi

# status_kib PID FIELD: a /proc/PID/status figure (VmRSS, RssAnon) in KiB.
status_kib() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }
ws_gauge() { curl -s "$parley/metrics" | sed -n 's/^parley_ws_connections \([0-9]*\).*/\1/p'; }

stop_parleyd() {
    kill "$parley_pid"
    wait "$parley_pid" 2>/dev/null || true
}

ws_idle="$BUILD_DIR/bench/parley_ws_idle"
start_fake_model_server --threads 1 --text ok --chunks 1

# measure_connections KIND RUN: one fresh parleyd, CONNECTIONS idle connections of KIND.
measure_connections() {
    local kind="$1" run="$2" file="$SCENARIO_OUT/ws_${kind}_run$2.txt"
    start_parleyd 0
    local client_args=(--port "$parley_port" --connections "$connections")
    if [[ "$kind" == subscribed ]]; then
        "$ws_idle" --port "$parley_port" --create-sessions "$connections" --ids-out "$bench_work/sessions.txt" >/dev/null
        client_args+=(--sessions "$bench_work/sessions.txt")
        # Reads every session once (GET /v1/sessions/ID, one keep-alive connection), so the
        # readers' mapped database pages are resident before the baseline and not counted.
        sed "s|.*|url = \"$parley/v1/sessions/&\"\noutput = \"/dev/null\"|" "$bench_work/sessions.txt" >"$bench_work/warm.curl"
        curl -s -K "$bench_work/warm.curl"
    fi
    curl -s -o /dev/null "$parley/metrics"
    sleep "$settle_seconds"
    local before after anon_before anon_after
    before="$(status_kib "$parley_pid" VmRSS)"
    anon_before="$(status_kib "$parley_pid" RssAnon)"
    "$ws_idle" "${client_args[@]}" >"$bench_work/ws_idle.out" 2>&1 &
    local client_pid="$!"
    bench_pids+=("$client_pid")
    wait_for_line "$bench_work/ws_idle.out" '^ready' "$client_pid" 300
    sleep "$settle_seconds"
    after="$(status_kib "$parley_pid" VmRSS)"
    anon_after="$(status_kib "$parley_pid" RssAnon)"
    local gauge
    gauge="$(ws_gauge)"
    kill -TERM "$client_pid"
    wait "$client_pid" || true
    {
        echo "bench load1 $(load1)"
        echo "bench rss_before_kib $before"
        echo "bench rss_after_kib $after"
        echo "bench anon_before_kib $anon_before"
        echo "bench anon_after_kib $anon_after"
        echo "bench server_gauge $gauge"
        sed 's/^/bench client /' "$bench_work/ws_idle.out"
    } >"$file"
    stop_parleyd
    rm -f "$bench_work/parley.db"*
    log "run $run/$RUNS, $kind: parleyd VmRSS $before → $after KiB with $connections connections (gauge $gauge)"
}

for run in $(seq "$RUNS"); do
    for kind in connected subscribed; do
        measure_connections "$kind" "$run"
    done
    log "run $run/$RUNS: $agents cached agents (parley_agent_memory, load $(load1))"
    "$BUILD_DIR/bench/parley_agent_memory" --agents "$agents" >"$SCENARIO_OUT/agents_run$run.txt"
done

python3 - "$SCENARIO_OUT" "$RUNS" "$connections" "$agents" "$target_connection_kib" "$target_agent_kib" "$(machine_line)" <<'PYTHON'
import pathlib, re, statistics, sys

out, runs, connections, agents = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
target_connection, target_agent, machine = float(sys.argv[5]), float(sys.argv[6]), sys.argv[7]

def fields(line):
    return dict(pair.split("=", 1) for pair in line.split() if "=" in pair)

def connection_run(kind, run):
    values, client = {}, {}
    for line in (out / f"ws_{kind}_run{run}.txt").read_text().splitlines():
        parts = line.split(maxsplit=3)
        if parts[:2] == ["bench", "client"] and len(parts) == 4:
            client[parts[2]] = fields(parts[3])  # the "ready ..." and "held ..." lines
        elif len(parts) >= 3 and parts[0] == "bench":
            values[parts[1]] = " ".join(parts[2:])
    kib = (int(values["rss_after_kib"]) - int(values["rss_before_kib"])) / connections
    anon_kib = (int(values["anon_after_kib"]) - int(values["anon_before_kib"])) / connections
    ready, held = client.get("ready", {}), client.get("held", {})
    # Every connection opened, subscribed if asked, counted by the server and still open at the end.
    ok = (ready.get("connections") == str(connections) and ready.get("failed") == "0"
          and values.get("server_gauge") == str(connections)
          and held.get("connections") == str(connections) and held.get("closed_by_server") == "0"
          and (kind != "subscribed" or ready.get("subscribed") == str(connections)))
    return {"kib": kib, "anon_kib": anon_kib, "ok": ok, "load1": values["load1"]}

def agent_run(run):
    for line in (out / f"agents_run{run}.txt").read_text().splitlines():
        if line.startswith("result "):
            values = fields(line)
            ok = all(int(values[key]) == agents for key in ("created", "loaded", "built", "cache_entries"))
            rss, heap = float(values["rss_per_agent_bytes"]) / 1024, float(values["heap_per_agent_bytes"]) / 1024
            # The agents are built into pages the process had already touched (the created
            # sessions' agents, dropped before the baseline), so ΔRSS alone undercounts: the
            # larger of ΔRSS and the heap in use is the figure judged.
            return {"kib": max(rss, heap), "rss_kib": rss, "heap_kib": heap, "ok": ok}
    raise SystemExit(f"no result line in agents_run{run}.txt")

def joined(samples, separator):
    return separator.join(f"{s['kib']:.2f}" for s in samples)

def verdict(value, target):
    return "**met**" if value <= target else "**missed**"

rows, lines = [], [machine, ""]
for kind in ("connected", "subscribed"):
    samples = [connection_run(kind, run) for run in range(1, runs + 1)]
    median = statistics.median(s["kib"] for s in samples)
    anon = statistics.median(s["anon_kib"] for s in samples)
    all_ok = all(s["ok"] for s in samples)
    print(f"result scenario=c what=ws_{kind} connections={connections} runs={runs} kib_per_connection={median:.2f}"
          f" anon_kib_per_connection={anon:.2f}"
          f" target_kib={target_connection:g} all_open={int(all_ok)}"
          f" kib_runs={joined(samples, '/')} load1={'/'.join(s['load1'] for s in samples)}")
    rows.append(f"| idle WebSocket connection, {kind} (anonymous: {anon:.2f} KiB) | {connections:,} | **{median:.2f} KiB** | ≤ {target_connection:g} KiB "
                f"| {verdict(median, target_connection)} | {joined(samples, ' / ')} "
                f"| {'yes' if all_ok else '**no**'} |")
samples = [agent_run(run) for run in range(1, runs + 1)]
median = statistics.median(s["kib"] for s in samples)
heap = statistics.median(s["heap_kib"] for s in samples)
all_ok = all(s["ok"] for s in samples)
print(f"result scenario=c what=cached_agent agents={agents} runs={runs} kib_per_agent={median:.2f}"
      f" heap_kib_per_agent={heap:.2f} target_kib={target_agent:g} all_cached={int(all_ok)}"
      f" kib_runs={joined(samples, '/')}")
rss = statistics.median(s["rss_kib"] for s in samples)
rows.append(f"| cached agent, empty history (larger of ΔRSS {rss:.2f} KiB and heap in use {heap:.2f} KiB) | {agents:,} | **{median:.2f} KiB** "
            f"| ≤ {target_agent:g} KiB | {verdict(median, target_agent)} | {joined(samples, ' / ')} "
            f"| {'yes' if all_ok else '**no**'} |")
lines += [f"Medians of {runs} runs; ΔRSS / count, a fresh parleyd (or bench process) per run and kind.", "",
          "| what | count | RSS each | target | verdict | runs | all held / cached |",
          "|---|---:|---:|---:|---|---|---|", *rows]
(out / "report.md").write_text("\n".join(lines) + "\n")
PYTHON
log "memory: outputs in $SCENARIO_OUT"
