# Scenario a and e (docs/BENCHMARKS.md, "Gateway overhead"): non-streaming chat completions
# through parley vs straight to the fake model server vs the Portkey gateway, with wrk.
#
# Starts on loopback the fake model server (tests/support), answering every chat completion at
# once with "ok"; parleyd (bench/parley.bench.toml) whose agent `bench` calls it; two reference
# hops to it: socat relaying bytes (what a hop costs with no logic at all: no parsing, nothing
# pooled) and nginx as a plain reverse proxy (a hop that parses HTTP and pools its upstream
# connections, with no logic of its own); the Portkey gateway (bench/peer, npm ci) proxying to
# the same fake server. wrk sends the same body (bench/wrk/chat_completion.lua) to each:
# 1 connection (latency) and 64 connections (throughput), interleaved, RUNS times. Writes
# "result"/"ratio" lines, the table (report.md) and the plot docs/bench/latency_a.png.
# Environment (scripts/bench options): BENCH_DURATION, BENCH_IO_THREADS, BENCH_PEER (0/1),
# BENCH_REFERENCE (0/1: the reference hops, socat and nginx), BENCH_PROFILE (0/1: perf record -g
# of parleyd during one extra 64-connection run).
source "$PARLEY_ROOT/bench/scenarios/common.sh"

duration="${BENCH_DURATION:-10s}"
((QUICK)) && duration=2s
warmup=3s
io_threads="${BENCH_IO_THREADS:-0}"
peer="${BENCH_PEER:-1}"
reference="${BENCH_REFERENCE:-1}"
profile="${BENCH_PROFILE:-0}"
# The committed plot only from a run that regenerates the report.
plot="$PARLEY_ROOT/docs/bench/latency_a.png"
((REPORT)) || plot="$SCENARIO_OUT/latency_a.png"
mkdir -p "$(dirname "$plot")"

peer_dir="$PARLEY_ROOT/bench/peer"
if ((peer)); then
    ensure_node
    if [[ ! -f "$peer_dir/node_modules/.package-lock.json" || "$peer_dir/package-lock.json" -nt "$peer_dir/node_modules/.package-lock.json" ]]; then
        log "installing the Portkey gateway (npm ci in bench/peer)"
        (cd "$peer_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
fi

body='{"model":"bench","messages":[{"role":"user","content":"ping"}]}'
# check_target NAME URL [curl args...]: one request must answer 200 with the fake server's "ok".
check_target() {
    local name="$1" url="$2"
    shift 2
    local answer
    answer="$(curl -sS --max-time 5 -w '\n%{http_code}' -H 'Content-Type: application/json' "$@" -d "$body" "$url")"
    if [[ "${answer##*$'\n'}" != 200 || "$answer" != *'"ok"'* ]]; then
        log "$name does not answer the benchmark request as expected: $answer"
        return 1
    fi
}

start_fake_model_server --threads 1 --text ok --chunks 1
start_parleyd "$io_threads"

targets=(direct parley)
declare -A url
url[direct]="$fake/v1/chat/completions"
url[parley]="$parley/v1/chat/completions"
check_target direct "${url[direct]}"
check_target parley "${url[parley]}"

# add_reference_hop NAME PORT: once the hop on PORT answers, a target that must answer like direct.
add_reference_hop() {
    local name="$1" port="$2"
    for _ in $(seq 50); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/v1/models" && break
        sleep 0.1
    done
    targets+=("$name")
    url[$name]="http://127.0.0.1:$port/v1/chat/completions"
    check_target "$name" "${url[$name]}"
}

if ((reference)); then
    relay_port="$(free_port)"
    # One socat process per connection (fork), each copying bytes both ways as they arrive.
    socat "TCP-LISTEN:$relay_port,bind=127.0.0.1,reuseaddr,fork,backlog=128,nodelay" \
        "TCP:127.0.0.1:$fake_port,nodelay" 2>"$bench_work/socat.log" &
    bench_pids+=("$!")
    add_reference_hop relay "$relay_port"

    nginx_dir="$bench_work/nginx"
    nginx_port="$(free_port)"
    mkdir -p "$nginx_dir"
    sed -e "s|@DIR@|$nginx_dir|g" -e "s/@PORT@/$nginx_port/" -e "s/@FAKE_PORT@/$fake_port/" \
        "$PARLEY_ROOT/bench/nginx/nginx.conf.in" >"$nginx_dir/nginx.conf"
    /usr/sbin/nginx -c "$nginx_dir/nginx.conf" -p "$nginx_dir" >"$nginx_dir/stderr.log" 2>&1 &
    bench_pids+=("$!")
    add_reference_hop nginx "$nginx_port"
fi

if ((peer)); then
    portkey_port="$(free_port)"
    NODE_ENV=production node "$peer_dir/node_modules/@portkey-ai/gateway/build/start-server.js" \
        --port="$portkey_port" --headless >"$bench_work/portkey.log" 2>&1 &
    portkey_pid="$!"
    bench_pids+=("$portkey_pid")
    for _ in $(seq 100); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$portkey_port/" && break
        kill -0 "$portkey_pid" 2>/dev/null || { cat "$bench_work/portkey.log" >&2; exit 1; }
        sleep 0.2
    done
    targets+=(portkey)
    url[portkey]="http://127.0.0.1:$portkey_port/v1/chat/completions"
    check_target portkey "${url[portkey]}" -H 'x-portkey-provider: openai' \
        -H "x-portkey-custom-host: $fake/v1" -H 'Authorization: Bearer sk-bench'
fi
log "fake model server :$fake_port, parleyd :$parley_port (pid $parley_pid, $io_threads I/O threads)${relay_port:+, socat :$relay_port}${nginx_port:+, nginx :$nginx_port}${portkey_port:+, portkey :$portkey_port}"

lua="$PARLEY_ROOT/bench/wrk/chat_completion.lua"
# run_wrk TARGET CONNECTIONS THREADS DURATION OUTFILE
run_wrk() {
    local target="$1" connections="$2" threads="$3" length="$4" file="$5"
    local environment=(BENCH_PORTKEY_HOST= BENCH_AUTHORIZATION=)
    if [[ "$target" == portkey ]]; then
        environment=("BENCH_PORTKEY_HOST=$fake/v1" "BENCH_AUTHORIZATION=Bearer sk-bench")
    fi
    # The fake server records every request; forget them so its memory stays flat.
    curl -s -o /dev/null -X POST "$fake/__fake/reset"
    {
        echo "bench uptime $(uptime)"
        echo "bench load1 $(load1)"
        env "${environment[@]}" wrk -t"$threads" -c"$connections" -d"$length" --latency -s "$lua" "${url[$target]}"
    } >"$file"
}

for target in "${targets[@]}"; do
    log "warming up $target ($warmup, 64 connections)"
    run_wrk "$target" 64 2 "$warmup" "$bench_work/warmup_$target.txt"
done

for run in $(seq "$RUNS"); do
    for connections in 1 64; do
        threads=$((connections == 1 ? 1 : 2))
        for target in "${targets[@]}"; do
            file="$SCENARIO_OUT/a_${target}_c${connections}_run${run}.txt"
            log "run $run/$RUNS: $target, $connections connection(s), $duration (load $(load1))"
            run_wrk "$target" "$connections" "$threads" "$duration" "$file"
        done
    done
done

if ((profile)); then
    # An extra run, not in the medians: perf's sampling costs parleyd some throughput.
    log "profiling parleyd: perf record -g during one more 64-connection run ($duration)"
    perf record -g -o "$SCENARIO_OUT/perf_parleyd.data" -p "$parley_pid" -- sleep "${duration%s}" >/dev/null 2>"$SCENARIO_OUT/perf_record.log" &
    perf_pid="$!"
    run_wrk parley 64 2 "$duration" "$SCENARIO_OUT/profile_parley_c64.txt"
    wait "$perf_pid" || true
    perf report -i "$SCENARIO_OUT/perf_parleyd.data" --stdio --no-children --percent-limit 0.8 --sort dso,symbol -g none 2>/dev/null |
        grep '%' | sed 's/  */ /g' >"$SCENARIO_OUT/perf_parleyd.txt" || true
    log "perf profile of parleyd: $SCENARIO_OUT/perf_parleyd.txt"
fi

# Medians over the runs, ratios, the percentile tables the plot reads, and report.md.
python3 - "$SCENARIO_OUT" "$RUNS" "$duration" "$(machine_line)" "${targets[@]}" <<'PYTHON'
import pathlib, statistics, sys

out, runs, duration, machine, targets = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
percentiles = ["50", "75", "90", "95", "99", "99.5", "99.9", "99.99"]

def read(path):
    values = {}
    for line in path.read_text().splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) == 3 and parts[0] == "bench":
            values[parts[1]] = parts[2]
    return values

median, samples_of = {}, {}
for connections in (1, 64):
    for target in targets:
        samples = [read(out / f"a_{target}_c{connections}_run{run}.txt") for run in range(1, runs + 1)]
        figures = {key: statistics.median(float(s[key]) for s in samples)
                   for key in ["rps", "mean_us"] + [f"p{p}_us" for p in percentiles]}
        figures["errors"] = sum(int(s["errors_status"]) + int(s["errors_socket"]) for s in samples)
        figures["load1"] = "/".join(s["load1"] for s in samples)
        median[target, connections] = figures
        samples_of[target, connections] = samples
        print(f"result scenario=a target={target} connections={connections} runs={runs}"
              f" rps={figures['rps']:.0f} p50_us={figures['p50_us']:.0f} p99_us={figures['p99_us']:.0f}"
              f" p99.9_us={figures['p99.9_us']:.0f} errors={figures['errors']} load1={figures['load1']}"
              f" rps_runs={'/'.join(s['rps'] for s in samples)}"
              f" p50_runs={'/'.join(s['p50_us'] for s in samples)} p99_runs={'/'.join(s['p99_us'] for s in samples)}")
    with open(out / f"percentiles_c{connections}.dat", "w") as table:
        table.write("# percentile " + " ".join(targets) + "  (median latency over the runs, µs)\n")
        for p in percentiles:
            table.write(p + " " + " ".join(f"{median[t, connections][f'p{p}_us']:.0f}" for t in targets) + "\n")

def ratios(base):
    one, many = median["parley", 1], median["parley", 64]
    return {
        "p50_added_us": one["p50_us"] - median[base, 1]["p50_us"],
        "p99_added_us": one["p99_us"] - median[base, 1]["p99_us"],
        "p50_ratio": one["p50_us"] / median[base, 1]["p50_us"],
        "p99_ratio": one["p99_us"] / median[base, 1]["p99_us"],
        "rps_c1_ratio": one["rps"] / median[base, 1]["rps"],
        "p50_c64_ratio": many["p50_us"] / median[base, 64]["p50_us"],
        "p99_c64_ratio": many["p99_us"] / median[base, 64]["p99_us"],
        "throughput_ratio_c64": many["rps"] / median[base, 64]["rps"],
    }

ratio = {base: ratios(base) for base in targets if base != "parley"}
for base, values in ratio.items():
    print(f"ratio parley_vs={base} " + " ".join(f"{k}={v:.2f}" for k, v in values.items()))

def n(value):
    return f"{value:,.0f}"

def many_ratio(values):
    return values["throughput_ratio_c64"]

lines = [machine, "",
         f"Medians of {runs} runs of `wrk --latency` ({duration} each; 1 connection: `-t1 -c1`, "
         f"64 connections: `-t2 -c64`), targets interleaved in one invocation. "
         f"1-minute load average before each run: "
         + "; ".join(f"{t} {median[t, 64]['load1']}" for t in targets) + ".", "",
         "| target | 1 conn p50 | 1 conn p99 | 1 conn req/s | 64 conn req/s | 64 conn p50 | 64 conn p99 | errors | runs (1 conn p50 µs; 64 conn req/s) |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
for t in targets:
    one, many = median[t, 1], median[t, 64]
    lines.append(f"| {t} | {n(one['p50_us'])} µs | {n(one['p99_us'])} µs | {n(one['rps'])} | **{n(many['rps'])}** "
                 f"| {many['p50_us'] / 1000:.1f} ms | {many['p99_us'] / 1000:.1f} ms | {one['errors'] + many['errors']} "
                 f"| {' / '.join(s['p50_us'] for s in samples_of[t, 1])}; "
                 f"{' / '.join(n(float(s['rps'])) for s in samples_of[t, 64])} |")
lines.append("")
direct = ratio["direct"]
# Each run's parley / direct throughput: the ratio within one run, where both met the same machine.
run_ratios = [float(p["rps"]) / float(d["rps"]) for p, d in zip(samples_of["parley", 64], samples_of["direct", 64])]
def verdict(ok):
    return "**met**" if ok else "**missed**"
lines.append("Targets (parley vs direct, same run): "
             f"p50 added at 1 connection {n(direct['p50_added_us'])} µs (≤ 50 µs: {verdict(direct['p50_added_us'] <= 50)}); "
             f"p99 added {n(direct['p99_added_us'])} µs (≤ 500 µs: {verdict(direct['p99_added_us'] <= 500)}); "
             f"throughput at 64 connections {direct['throughput_ratio_c64']:.1%} of direct "
             f"(the runs' own ratios {' / '.join(f'{r:.1%}' for r in run_ratios)}, median {statistics.median(run_ratios):.1%}; "
             f"≥ 50 %: {verdict(direct['throughput_ratio_c64'] >= 0.5)}).")
references = {"relay": "socat relaying bytes with no logic at all", "nginx": "nginx as a plain reverse proxy"}
for name, what in references.items():
    if name not in ratio:
        continue
    added = median[name, 1]["p50_us"] - median["direct", 1]["p50_us"]
    lines.append("")
    lines.append(f"Reference hop `{name}`, {what} (same run): it adds {n(added)} µs at p50 with 1 connection "
                 f"and serves {median[name, 64]['rps'] / median['direct', 64]['rps']:.0%} of direct's throughput at "
                 f"64 connections; parley adds {n(direct['p50_added_us'] - added)} µs more than it at p50 and serves "
                 f"{many_ratio(ratio[name]):.0%} of its throughput.")
if "portkey" in ratio:
    p = ratio["portkey"]
    lines.append("")
    lines.append(f"Against the peer (parley / Portkey, same run): 1 connection p50 {p['p50_ratio']:.2f}×, "
                 f"p99 {p['p99_ratio']:.2f}×, throughput {p['rps_c1_ratio']:.1f}×; 64 connections p50 "
                 f"{p['p50_c64_ratio']:.2f}×, p99 {p['p99_c64_ratio']:.2f}×, **throughput {p['throughput_ratio_c64']:.1f}×**.")
(out / "report.md").write_text("\n".join(lines) + "\n")
PYTHON

# Latency percentiles, 1 and 64 connections side by side, log scales.
columns=""
for index in "${!targets[@]}"; do
    columns+="${columns:+, }FILE using (1/(1-\$1/100)):$((index + 2)) with linespoints title '${targets[$index]}'"
done
gnuplot <<GNUPLOT
set terminal pngcairo size 1200,480 font ",10"
set output "$plot"
set multiplot layout 1,2 title "Non-streaming chat completion latency (scenario a, e): median of $RUNS wrk runs of $duration"
$(percentile_axes)
set title "1 connection"
$(echo "plot ${columns//FILE/\"$SCENARIO_OUT/percentiles_c1.dat\"}")
set title "64 connections"
$(echo "plot ${columns//FILE/\"$SCENARIO_OUT/percentiles_c64.dat\"}")
unset multiplot
GNUPLOT
printf '\n![Latency percentiles, scenario a and e](bench/latency_a.png)\n' >>"$SCENARIO_OUT/report.md"
log "gateway: wrk outputs in $SCENARIO_OUT; plot in $plot"
