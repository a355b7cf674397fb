-- wrk script of docs/BENCHMARKS.md scenarios a and e: one non-streaming chat completion per
-- request, the same body for every target. scripts/bench sets the environment:
--   BENCH_AUTHORIZATION  sent as the Authorization header when set
--   BENCH_PORTKEY_HOST   when set, the request goes through Portkey to this custom host (…/v1)
-- done() prints one machine-readable line per figure, "bench <key> <value>", latencies in µs.

wrk.method = "POST"
wrk.body = '{"model":"bench","messages":[{"role":"user","content":"ping"}]}'
wrk.headers["Content-Type"] = "application/json"

local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization and authorization ~= "" then
    wrk.headers["Authorization"] = authorization
end

local portkey_host = os.getenv("BENCH_PORTKEY_HOST")
if portkey_host and portkey_host ~= "" then
    wrk.headers["x-portkey-provider"] = "openai"
    wrk.headers["x-portkey-custom-host"] = portkey_host
end

local kPercentiles = { 50, 75, 90, 95, 99, 99.5, 99.9, 99.99 }

function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    io.write(string.format("bench requests %d\n", summary.requests))
    io.write(string.format("bench duration_s %.3f\n", seconds))
    io.write(string.format("bench rps %.1f\n", summary.requests / seconds))
    io.write(string.format("bench errors_status %d\n", summary.errors.status))
    io.write(string.format("bench errors_socket %d\n",
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
    io.write(string.format("bench mean_us %.1f\n", latency.mean))
    io.write(string.format("bench max_us %d\n", latency.max))
    for _, p in ipairs(kPercentiles) do
        io.write(string.format("bench p%s_us %d\n", p, latency:percentile(p)))
    end
end
