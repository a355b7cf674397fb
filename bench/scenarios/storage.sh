# Scenario d (docs/BENCHMARKS.md, "Storage"): batched writer vs one message per transaction, and
# read latency under sustained writes, with bench/storage_bench.cpp (parley_storage_bench).
#
# Each of RUNS runs, in this order: the insert test with synchronous = NORMAL, the same with FULL
# (each prints the per-transaction and the batched rate measured in one process, so their ratio
# is a within-run figure, and a lone write's latency: appends one at a time), then the read test: one database of SESSIONS x MESSAGES, read by
# "last 50 messages" queries while the writer sustains 2,000 appends/s, once per reader setup
# (CLIENTS/READERS: 1 and 4 clients on as many readers as cores, the default pool since 2026-12-07,
# and 4 clients on 5 readers, the default before).
# Writes the raw outputs (d_*_runN.txt, latency_runN/*.dat), "result" lines, report.md and the
# plot docs/bench/storage_d.png (latency percentiles of the reads and of a lone write).
# Targets (the storage issue): batched >= 20x one-per-transaction; read p99 <= 1 ms.
source "$PARLEY_ROOT/bench/scenarios/common.sh"

bench="$BUILD_DIR/bench/parley_storage_bench"
inserts=20000
sessions=10000
messages=100
queries=20000
if ((QUICK)); then
    inserts=2000
    sessions=500
    messages=20
    queries=2000
fi
# The baseline inserts inserts/divisor messages: FULL fsyncs each of its commits.
divisor_normal=4
divisor_full=10
read_setups=("1/$(nproc)" "4/$(nproc)")
(($(nproc) != 5)) && read_setups+=("4/5")
plot="$PARLEY_ROOT/docs/bench/storage_d.png"
((REPORT)) || plot="$SCENARIO_OUT/storage_d.png"

# Databases in the build tree, on the same file system as the checkout (not a tmpfs /tmp).
dbdir="$SCENARIO_OUT/db"
mkdir -p "$dbdir"

run_bench() {
    local file="$1"
    shift
    {
        echo "bench uptime $(uptime)"
        echo "bench load1 $(load1)"
        echo "bench command parley_storage_bench $*"
        "$bench" --dir "$dbdir" "$@"
    } >"$file"
    rm -f "$dbdir"/bench.db*
}

for run in $(seq "$RUNS"); do
    latency_dir="$SCENARIO_OUT/latency_run$run"
    mkdir -p "$latency_dir"
    log "run $run/$RUNS: inserts, synchronous = NORMAL (load $(load1))"
    run_bench "$SCENARIO_OUT/d_insert_normal_run$run.txt" --inserts "$inserts" --baseline-divisor "$divisor_normal" --skip-read \
        --latency-dir "$latency_dir"
    log "run $run/$RUNS: inserts, synchronous = FULL (load $(load1))"
    run_bench "$SCENARIO_OUT/d_insert_full_run$run.txt" --sync full --inserts "$inserts" --baseline-divisor "$divisor_full" --skip-read \
        --latency-dir "$latency_dir"
    log "run $run/$RUNS: reads under writes, setups ${read_setups[*]} (load $(load1))"
    run_bench "$SCENARIO_OUT/d_read_run$run.txt" --skip-insert --sessions "$sessions" --messages "$messages" \
        --queries "$queries" --read-setups "${read_setups[@]}" --latency-dir "$latency_dir"
done
rmdir "$dbdir" 2>/dev/null || true

python3 - "$SCENARIO_OUT" "$RUNS" "$(machine_line)" "$inserts" "$divisor_normal" "$divisor_full" \
    "$sessions" "$messages" "$queries" <<'PYTHON'
import pathlib, statistics, sys

out, runs, machine = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
inserts, divisor_normal, divisor_full, sessions, messages, queries = map(int, sys.argv[4:10])

def results(path):
    """The file's load1 and its "result" lines as dicts of strings."""
    load, found = None, []
    for line in path.read_text().splitlines():
        if line.startswith("bench load1 "):
            load = line.split()[2]
        elif line.startswith("result "):
            found.append(dict(item.split("=", 1) for item in line.split()[1:]))
    return load, found

def med(values):
    return statistics.median(float(v) for v in values)

def n(value):
    return f"{value:,.0f}"

lines = [machine, ""]
loads = {}

# Inserts, and the lone write's latency measured in the same process.
insert = {}
lone = {}
for sync in ("normal", "full"):
    samples = []
    for run in range(1, runs + 1):
        load, found = results(out / f"d_insert_{sync}_run{run}.txt")
        loads.setdefault(sync.upper() + " inserts", []).append(load or "?")
        samples.append(next(r for r in found if r["test"] == "insert"))
        lone.setdefault(sync, []).append(next(r for r in found if r["test"] == "lone"))
    insert[sync] = samples
    keys = ["single_msgs_s", "batched_msgs_s", "ratio", "single_cpu_us", "batched_cpu_us", "cpu_ratio",
            "ops_per_commit", "ms_per_commit"]
    m = {k: med(s[k] for s in samples) for k in keys}
    insert[sync, "median"] = m
    print(f"result scenario=d test=insert sync={sync} runs={runs} " + " ".join(f"{k}={m[k]:.2f}" for k in keys)
          + f" ratio_runs={'/'.join(s['ratio'] for s in samples)}")

# Reads.
read = {}
for run in range(1, runs + 1):
    load, found = results(out / f"d_read_run{run}.txt")
    loads.setdefault("reads", []).append(load or "?")
    for r in found:
        read.setdefault((r["clients"], r["read_pool"]), []).append(r)
read_median = {}
for (clients, pool), samples in read.items():
    keys = ["p50_us", "p90_us", "p99_us", "p999_us", "max_us", "qps", "written_msgs_s"]
    m = {k: med(s[k] for s in samples) for k in keys}
    read_median[clients, pool] = m
    print(f"result scenario=d test=read clients={clients} read_pool={pool} runs={runs} "
          + " ".join(f"{k}={m[k]:.0f}" for k in keys) + f" p99_runs={'/'.join(s['p99_us'] for s in samples)}")

# The plot's tables: per latency test, the median over the runs of each percentile.
for table in sorted(path.name for path in (out / "latency_run1").glob("*.dat")):
    per_run = [dict(tuple(map(float, line.split())) for line in (out / f"latency_run{run}" / table).read_text()
                    .splitlines() if not line.startswith("#")) for run in range(1, runs + 1)]
    with open(out / f"percentiles_{table}", "w") as median_table:
        median_table.write("# percentile latency_us (median over the runs)\n")
        for p in per_run[0]:
            median_table.write(f"{p:g} {med([r[p] for r in per_run]):.0f}\n")

def verdict(ok):
    return "**met**" if ok else "**missed**"

lines += [
    f"Medians of {runs} runs; each run measures inserts with NORMAL, then FULL, then reads, in that order. "
    f"1-minute load average before each run's measurement: "
    + "; ".join(f"{what} {' / '.join(values)}" for what, values in loads.items()) + ".", "",
    f"**Insert throughput.** Baseline: one message per transaction on one connection and one session "
    f"({n(inserts // divisor_normal)} messages with NORMAL, {n(inserts // divisor_full)} with FULL). Batched: "
    f"{n(inserts)} messages from 256 coroutines (one session each) awaiting `Store::append_message` through the "
    f"`BatchWriter`. The ratio is computed within each run, then the median taken. CPU is the process's "
    f"user + system time per message (all threads), which the machine's other load disturbs less than wall time.", "",
    "| synchronous | one per transaction (msgs/s) | batched (msgs/s) | ratio | CPU per msg: one per txn / batched | ops per commit | ms per commit | runs (ratio) |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
]
for sync in ("normal", "full"):
    m, samples = insert[sync, "median"], insert[sync]
    ratio_runs = ", ".join("%.1f" % float(s["ratio"]) for s in samples)
    lines.append(f"| {sync.upper()} | {n(m['single_msgs_s'])} | {n(m['batched_msgs_s'])} | **{m['ratio']:.1f}×** "
                 f"| {m['single_cpu_us']:.0f} / {m['batched_cpu_us']:.0f} µs ({m['cpu_ratio']:.1f}×) "
                 f"| {m['ops_per_commit']:.1f} | {m['ms_per_commit']:.2f} "
                 f"| {ratio_runs} |")
lines += ["", "Target batched ≥ 20× one per transaction: NORMAL "
          f"{insert['normal', 'median']['ratio']:.1f}× ({verdict(insert['normal', 'median']['ratio'] >= 20)}), FULL "
          f"{insert['full', 'median']['ratio']:.1f}× ({verdict(insert['full', 'median']['ratio'] >= 20)}).", ""]

lines += [
    f"**A lone write's latency.** One append at a time through the store "
    f"(`Store::append_message_reserving`, the call a turn awaits before its model call; the writer idle between "
    f"appends, {n(int(lone['normal'][0]['appends']))} of them), timed by the awaiting coroutine: the hand-off to the "
    f"writer thread, the transaction, the completion back. CPU per append includes the writer's upkeep "
    f"transaction after each (the search index).", "",
    "| synchronous | p50 | p99 | CPU per append | runs (p50) |",
    "|---|---:|---:|---:|---|",
]
for sync in ("normal", "full"):
    samples = lone[sync]
    lines.append(f"| {sync.upper()} | {n(med(s['p50_us'] for s in samples))} µs | {n(med(s['p99_us'] for s in samples))} µs "
                 f"| {med(s['cpu_us'] for s in samples):.0f} µs | {', '.join(s['p50_us'] for s in samples)} µs |")
    print(f"result scenario=d test=lone sync={sync} runs={runs} p50_us={med(s['p50_us'] for s in samples):.0f} "
          f"p99_us={med(s['p99_us'] for s in samples):.0f} cpu_us={med(s['cpu_us'] for s in samples):.1f}")
lines.append("")

lines += [
    f"**Read latency.** \"Last 50 messages of a session\" (`Store::list_messages` through the `ReadPool`, timed "
    f"by the awaiting coroutine, random sessions, clients issuing queries back to back, {n(queries)} queries per "
    f"setup) on a {n(sessions)}-session × {n(messages)}-message database (FTS-indexed) while the writer sustains "
    f"2,000 appends/s (`append_message_next_seq`, NORMAL; the appends/s column is what the writer completed).", "",
    "| clients / reader threads | p50 | p90 | p99 | p99.9 | max | queries/s | appends/s | runs (p99) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
]
for (clients, pool), samples in read.items():
    m = read_median[clients, pool]
    p99_runs = ", ".join(n(float(s["p99_us"])) for s in samples)
    lines.append(f"| {clients} / {pool} | {n(m['p50_us'])} µs | {n(m['p90_us'])} µs | **{n(m['p99_us'])} µs** "
                 f"| {n(m['p999_us'])} µs | {m['max_us'] / 1000:.1f} ms | {n(m['qps'])} | {n(m['written_msgs_s'])} "
                 f"| {p99_runs} µs |")
lines += ["", "Target read p99 ≤ 1 ms under sustained writes: " + "; ".join(
    f"{c} client(s) / {p} readers {n(read_median[c, p]['p99_us'])} µs "
    f"({verdict(read_median[c, p]['p99_us'] <= 1000)})"
    for (c, p) in read) + "."]
(out / "report.md").write_text("\n".join(lines) + "\n")
PYTHON

plot_lines=()
for setup in "${read_setups[@]}"; do
    clients="${setup%/*}" readers="${setup#*/}"
    plot_lines+=("\"$SCENARIO_OUT/percentiles_read_${clients}_${readers}.dat\" using (1/(1-\$1/100)):2 with linespoints title \"read, $clients client(s) on $readers readers\"")
done
for sync in normal full; do
    plot_lines+=("\"$SCENARIO_OUT/percentiles_lone_$sync.dat\" using (1/(1-\$1/100)):2 with linespoints title \"lone write, ${sync^^}\"")
done
gnuplot <<GNUPLOT
set terminal pngcairo size 800,480 font ",10"
set output "$plot"
set title "Storage (scenario d): last 50 messages under 2,000 appends/s, and a lone append, median of $RUNS runs"
$(percentile_axes)
plot $(IFS=,; echo "${plot_lines[*]}")
GNUPLOT
printf '\n![Latency percentiles, scenario d](bench/storage_d.png)\n' >>"$SCENARIO_OUT/report.md"
log "storage: outputs in $SCENARIO_OUT; plot in $plot"
