// WebSocket streaming load (docs/BENCHMARKS.md, scenario b), against parleyd and the fake model
// server of tests/support started with --stamp-pieces: every streamed text piece starts with its
// upstream emit time ("<steady_clock ns> "), which parley forwards inside message.delta's text.
//
// 1. Time to first delta (--ttft-samples, one at a time, targets interleaved per sample):
//    direct         POST {direct}/v1/chat/completions "stream":true, request written → first
//                   chunk with text;
//    parley_ws      a fresh session per sample on one WebSocket: "send" written → first
//                   message.delta;
//    parley_openai  POST {parley}/v1/chat/completions "stream":true (model = the agent) → first
//                   chunk with text.
// 2. Streams (--sessions): that many WebSocket connections, opened at --connect-rate per second,
//    each creating one session and sending one message; per stream it records time to first
//    delta, per-piece latency (receive time − the stamp in the text), and checks that the stream is
//    complete and ordered: seqs increase, --pieces stamps strictly increasing, message.completed's
//    content equals the concatenated deltas, and the turn completes.
//    The steady state is from the moment every stream has had its first delta to the moment the
//    first stream completes; --cpu-of NAME=PID samples /proc/PID/stat over it (% of one core, and
//    the CPU and its system part per delta).
//
// Prints "result key=value ..." lines; --latency-out writes per-piece latency percentiles.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace ws = boost::beast::websocket;
using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr int kRequestTimeoutSeconds = 30;

struct Settings {
    std::string host = "127.0.0.1";
    std::uint16_t parley_port = 0;
    std::uint16_t direct_port = 0;
    std::string agent = "stream";
    unsigned ttft_samples = 0;
    unsigned sessions = 0;
    unsigned pieces = 500;
    double connect_rate = 500;  // connections opened per second
    unsigned timeout_seconds = 300;
    std::vector<std::string> cpu_of;  // NAME=PID
    std::string latency_out;
};

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch()).count();
}

// Nearest-rank percentile of sorted values; 0 when there are none.
double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) {
        return 0;
    }
    const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size()));
    return sorted[std::min(rank, sorted.size() - 1)];
}

// The emit stamps in a text made of "<digits> <text without digits>" units, in order.
std::vector<std::int64_t> stamps_in(std::string_view text) {
    std::vector<std::int64_t> stamps;
    std::size_t at = 0;
    while (at < text.size()) {
        if (text[at] < '0' || text[at] > '9') {
            ++at;
            continue;
        }
        std::int64_t value = 0;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            value = value * 10 + (text[at] - '0');
            ++at;
        }
        stamps.push_back(value);
    }
    return stamps;
}

// CPU time of a process (utime and stime of /proc/PID/stat), in seconds.
struct ProcessCpu {
    double user = 0;
    double system = 0;
    [[nodiscard]] double total() const { return user + system; }
};

ProcessCpu process_cpu(int pid) {
    std::ifstream file(fmt::format("/proc/{}/stat", pid));
    std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    // Fields after the command name, which is in parentheses and may contain spaces.
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    ProcessCpu cpu;
    const auto ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
    for (int index = 3; rest >> field; ++index) {
        if (index == 14) {
            cpu.user = std::stod(field) / ticks_per_second;
        }
        if (index == 15) {
            cpu.system = std::stod(field) / ticks_per_second;
            break;
        }
    }
    return cpu;
}

void raise_open_file_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

asio::awaitable<std::optional<tcp::socket>> connect(const std::string& host, std::uint16_t port) {
    tcp::socket socket(co_await asio::this_coro::executor);
    auto [ec] = co_await socket.async_connect({asio::ip::make_address(host), port}, kAsTuple);
    if (ec) {
        co_return std::nullopt;
    }
    socket.set_option(tcp::no_delay(true));
    co_return std::move(socket);
}

// One streamed chat completion on a new connection (parley closes a streamed answer's connection):
// the time from writing the request to the first chunk whose text starts with a stamp, or nullopt
// when it failed. Connecting is not timed.
asio::awaitable<std::optional<double>> completion_ttft(const std::string& host, std::uint16_t port,
                                                       const std::string& model) {
    auto socket = co_await connect(host, port);
    if (!socket) {
        co_return std::nullopt;
    }
    beast::tcp_stream stream(std::move(*socket));
    stream.expires_after(std::chrono::seconds(kRequestTimeoutSeconds));
    http::request<http::string_body> request{http::verb::post, "/v1/chat/completions", 11};
    request.set(http::field::host, fmt::format("{}:{}", host, port));
    request.set(http::field::content_type, "application/json");
    request.body() =
        json::serialize(json::object{{"model", model},
                                     {"stream", true},
                                     {"messages", json::array{json::object{{"role", "user"}, {"content", "go"}}}}});
    request.prepare_payload();
    const auto sent = now_ns();
    if (auto [ec, n] = co_await http::async_write(stream, request, kAsTuple); ec) {
        co_return std::nullopt;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    if (auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kAsTuple);
        ec || parser.get().result() != http::status::ok) {
        co_return std::nullopt;
    }
    std::optional<double> first;
    std::string body;
    std::array<char, 4096> scratch{};
    while (!parser.is_done()) {
        parser.get().body().data = scratch.data();
        parser.get().body().size = scratch.size();
        auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, kAsTuple);
        if (ec == http::error::need_buffer) {
            ec = {};
        }
        if (ec) {
            co_return std::nullopt;
        }
        if (!first) {
            body.append(scratch.data(), scratch.size() - parser.get().body().size);
            constexpr std::string_view kContent = R"("content":")";
            for (auto at = body.find(kContent); at != std::string::npos; at = body.find(kContent, at + 1)) {
                const auto next = at + kContent.size();
                if (next < body.size() && body[next] >= '0' && body[next] <= '9') {
                    first = static_cast<double>(now_ns() - sent) / 1000.0;
                    break;
                }
            }
        }
    }
    co_return first;
}

using WebSocket = ws::stream<beast::tcp_stream>;

asio::awaitable<std::optional<WebSocket>> open_websocket(const Settings& settings) {
    auto socket = co_await connect(settings.host, settings.parley_port);
    if (!socket) {
        co_return std::nullopt;
    }
    WebSocket socket_ws(beast::tcp_stream(std::move(*socket)));
    socket_ws.set_option(ws::stream_base::timeout::suggested(beast::role_type::client));
    auto [ec] = co_await socket_ws.async_handshake(fmt::format("{}:{}", settings.host, settings.parley_port), "/v1/ws",
                                                   kAsTuple);
    if (ec) {
        co_return std::nullopt;
    }
    co_return std::move(socket_ws);
}

asio::awaitable<bool> write_frame(WebSocket& socket, const json::object& frame) {
    const auto text = json::serialize(frame);
    socket.text(true);
    auto [ec, n] = co_await socket.async_write(asio::buffer(text), kAsTuple);
    co_return !ec;
}

// The next frame as a JSON object and the time it was read; nullopt when the connection ended.
struct Frame {
    json::object object;
    std::int64_t received_ns = 0;
    [[nodiscard]] std::string_view type() const {
        const auto* found = object.if_contains("type");
        return found != nullptr && found->is_string() ? std::string_view(found->get_string()) : std::string_view{};
    }
};

asio::awaitable<std::optional<Frame>> read_frame(WebSocket& socket, beast::flat_buffer& buffer) {
    buffer.clear();
    auto [ec, n] = co_await socket.async_read(buffer, kAsTuple);
    if (ec) {
        co_return std::nullopt;
    }
    Frame frame;
    frame.received_ns = now_ns();
    const std::string_view text(static_cast<const char*>(buffer.data().data()), buffer.size());
    boost::system::error_code parse_error;
    auto value = json::parse(text, parse_error);
    if (parse_error || !value.is_object()) {
        co_return std::nullopt;
    }
    frame.object = std::move(value.get_object());
    co_return frame;
}

// Creates a session on the connection; its id, or "" when it failed.
asio::awaitable<std::string> create_session(WebSocket& socket, beast::flat_buffer& buffer, const std::string& agent) {
    // Built before co_await: GCC 12 miscompiles braced initializer lists inside a co_await expression.
    const json::object create{{"type", "create_session"}, {"agent", agent}};
    if (!co_await write_frame(socket, create)) {
        co_return "";
    }
    for (;;) {
        auto frame = co_await read_frame(socket, buffer);
        if (!frame || frame->type() == "error") {
            co_return "";
        }
        if (frame->type() == "session") {
            co_return std::string(frame->object.at("session").at("id").as_string());
        }
    }
}

// What one streamed turn looked like to the client.
struct StreamRecord {
    bool opened = false;
    bool completed = false;     // turn.completed arrived
    bool in_order = true;       // seqs increased and stamps strictly increased
    bool text_matches = false;  // message.completed's content == the concatenated deltas
    std::size_t pieces = 0;
    std::size_t deltas = 0;
    std::optional<double> ttft_us;
    std::int64_t first_delta_ns = 0;
    std::int64_t completed_ns = 0;
    std::vector<double> latencies_us;             // per piece
    std::vector<std::int64_t> delta_received_ns;  // per delta frame, for the steady-state count
};

// Reads one turn's events after "send": deltas until turn.completed / failed / interrupted.
asio::awaitable<void> read_turn(WebSocket& socket, beast::flat_buffer& buffer, std::int64_t sent_ns,
                                StreamRecord& record) {
    std::uint64_t last_seq = 0;
    std::int64_t last_stamp = 0;
    std::string text;
    for (;;) {
        auto frame = co_await read_frame(socket, buffer);
        if (!frame) {
            co_return;
        }
        const auto type = frame->type();
        if (const auto* seq = frame->object.if_contains("seq"); seq != nullptr) {
            const auto value = seq->to_number<std::uint64_t>();
            record.in_order = record.in_order && value > last_seq;
            last_seq = value;
        }
        if (type == "message.delta") {
            const auto delta = std::string_view(frame->object.at("delta").as_string());
            if (!record.ttft_us) {
                record.ttft_us = static_cast<double>(frame->received_ns - sent_ns) / 1000.0;
                record.first_delta_ns = frame->received_ns;
            }
            ++record.deltas;
            record.delta_received_ns.push_back(frame->received_ns);
            for (const auto stamp : stamps_in(delta)) {
                record.in_order = record.in_order && stamp > last_stamp;
                last_stamp = stamp;
                ++record.pieces;
                record.latencies_us.push_back(static_cast<double>(frame->received_ns - stamp) / 1000.0);
            }
            text += delta;
        } else if (type == "message.completed") {
            record.text_matches = frame->object.at("message").at("content").as_string() == text;
        } else if (type == "turn.completed") {
            record.completed = true;
            record.completed_ns = frame->received_ns;
            co_return;
        } else if (type == "turn.failed" || type == "turn.interrupted" || type == "error") {
            co_return;
        }
    }
}

// The first delta of a fresh session's turn, through the WebSocket; nullopt when it failed.
asio::awaitable<std::optional<double>> websocket_ttft(WebSocket& socket, beast::flat_buffer& buffer,
                                                      const std::string& agent) {
    const auto session = co_await create_session(socket, buffer, agent);
    if (session.empty()) {
        co_return std::nullopt;
    }
    const json::object send{{"type", "send"}, {"session_id", session}, {"content", "go"}};
    const auto sent = now_ns();
    if (!co_await write_frame(socket, send)) {
        co_return std::nullopt;
    }
    StreamRecord record;
    co_await read_turn(socket, buffer, sent, record);
    // A connection may subscribe to 64 sessions; the answer is skipped by the next create_session.
    const json::object unsubscribe{{"type", "unsubscribe"}, {"session_id", session}};
    if (!co_await write_frame(socket, unsubscribe)) {
        co_return std::nullopt;
    }
    co_return record.completed ? record.ttft_us : std::nullopt;
}

void print_latencies(std::string_view prefix, std::vector<double> values, std::size_t failures) {
    std::sort(values.begin(), values.end());
    fmt::print("result {} samples={} failures={} p50_us={:.0f} p90_us={:.0f} p99_us={:.0f} max_us={:.0f}\n", prefix,
               values.size(), failures, percentile(values, 50), percentile(values, 90), percentile(values, 99),
               values.empty() ? 0.0 : values.back());
}

asio::awaitable<void> run_ttft(const Settings& settings) {
    auto websocket = co_await open_websocket(settings);
    if (!websocket) {
        fmt::print(stderr, "ws_load: cannot open a WebSocket for the TTFT comparison\n");
        co_return;
    }
    beast::flat_buffer buffer;
    std::map<std::string, std::vector<double>> samples;
    std::map<std::string, std::size_t> failures;
    auto record = [&](const std::string& target, const std::optional<double>& value) {
        if (value) {
            samples[target].push_back(*value);
        } else {
            ++failures[target];
        }
    };
    for (unsigned sample = 0; sample < settings.ttft_samples; ++sample) {
        const auto direct_ttft = co_await completion_ttft(settings.host, settings.direct_port, "fake-model");
        const auto ws_ttft = co_await websocket_ttft(*websocket, buffer, settings.agent);
        const auto openai_ttft = co_await completion_ttft(settings.host, settings.parley_port, settings.agent);
        record("direct", direct_ttft);
        record("parley_ws", ws_ttft);
        record("parley_openai", openai_ttft);
    }
    for (const auto* target : {"direct", "parley_ws", "parley_openai"}) {
        print_latencies(fmt::format("phase=ttft target={}", target), samples[target], failures[target]);
    }
}

asio::awaitable<void> run_stream(const Settings& settings, SteadyClock::time_point start, StreamRecord& record) {
    asio::steady_timer timer(co_await asio::this_coro::executor, start);
    co_await timer.async_wait(kAsTuple);
    auto socket = co_await open_websocket(settings);
    if (!socket) {
        co_return;
    }
    record.opened = true;
    beast::flat_buffer buffer;
    const auto session = co_await create_session(*socket, buffer, settings.agent);
    if (session.empty()) {
        co_return;
    }
    const json::object send{{"type", "send"}, {"session_id", session}, {"content", "go"}};
    const auto sent = now_ns();
    if (!co_await write_frame(*socket, send)) {
        co_return;
    }
    co_await read_turn(*socket, buffer, sent, record);
    co_await socket->async_close(ws::close_code::normal, kAsTuple);
}

struct CpuSample {
    std::string name;
    int pid = 0;
    ProcessCpu cpu{};
};

std::vector<CpuSample> sample_cpu(const std::vector<std::string>& specs) {
    std::vector<CpuSample> samples;
    for (const auto& spec : specs) {
        const auto equals = spec.find('=');
        CpuSample sample{spec.substr(0, equals), std::stoi(spec.substr(equals + 1))};
        sample.cpu = process_cpu(sample.pid);
        samples.push_back(sample);
    }
    return samples;
}

// Samples the processes' CPU when every opened stream has its first delta and again when the first
// stream completes: the steady state, all streams running. Prints the window and the CPU shares.
asio::awaitable<void> watch_steady_state(const Settings& settings, const std::vector<StreamRecord>& records) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    constexpr auto kPoll = std::chrono::milliseconds(5);
    const auto deadline = SteadyClock::now() + std::chrono::seconds(settings.timeout_seconds);
    auto all_started = [&] {
        return std::all_of(records.begin(), records.end(), [](const StreamRecord& r) { return r.first_delta_ns != 0; });
    };
    auto any_done = [&] {
        return std::any_of(records.begin(), records.end(), [](const StreamRecord& r) { return r.completed_ns != 0; });
    };
    while (!all_started() && !any_done() && SteadyClock::now() < deadline) {
        timer.expires_after(kPoll);
        co_await timer.async_wait(kAsTuple);
    }
    const auto begin_ns = now_ns();
    const auto before = sample_cpu(settings.cpu_of);
    const auto before_self = process_cpu(getpid()).total();
    while (!any_done() && SteadyClock::now() < deadline) {
        timer.expires_after(kPoll);
        co_await timer.async_wait(kAsTuple);
    }
    const auto end_ns = now_ns();
    const auto after = sample_cpu(settings.cpu_of);
    const auto after_self = process_cpu(getpid()).total();
    const auto seconds = static_cast<double>(end_ns - begin_ns) / 1e9;
    std::size_t deltas = 0;
    for (const auto& record : records) {
        deltas +=
            static_cast<std::size_t>(std::count_if(record.delta_received_ns.begin(), record.delta_received_ns.end(),
                                                   [&](std::int64_t at) { return at >= begin_ns && at < end_ns; }));
    }
    std::string cpu;
    for (std::size_t index = 0; index < before.size(); ++index) {
        const auto& name = before[index].name;
        const auto used = after[index].cpu.total() - before[index].cpu.total();
        const auto in_kernel = after[index].cpu.system - before[index].cpu.system;
        const auto per_delta = [deltas](double cpu_seconds) {
            return deltas == 0 ? 0.0 : cpu_seconds * 1e6 / static_cast<double>(deltas);
        };
        cpu += fmt::format(" cpu_{}_pct={:.1f} cpu_{}_us_per_delta={:.2f} cpu_{}_system_us_per_delta={:.2f}", name,
                           100.0 * used / seconds, name, per_delta(used), name, per_delta(in_kernel));
    }
    // The load generator's own share: when it nears one core, it is what limits the figures.
    cpu += fmt::format(" cpu_ws_load_pct={:.1f}", 100.0 * (after_self - before_self) / seconds);
    fmt::print("result phase=steady window_s={:.2f} deltas={} deltas_per_s={:.0f}{}\n", seconds, deltas,
               static_cast<double>(deltas) / seconds, cpu);
}

asio::awaitable<void> run_streams(const Settings& settings, std::vector<StreamRecord>& records) {
    const auto executor = co_await asio::this_coro::executor;
    const auto start = SteadyClock::now() + std::chrono::milliseconds(10);
    const auto gap = std::chrono::duration<double>(1.0 / settings.connect_rate);
    for (std::size_t index = 0; index < records.size(); ++index) {
        const auto at = start + std::chrono::duration_cast<SteadyClock::duration>(gap * static_cast<double>(index));
        asio::co_spawn(executor, run_stream(settings, at, records[index]), asio::detached);
    }
    co_await watch_steady_state(settings, records);
}

void report_streams(const Settings& settings, const std::vector<StreamRecord>& records) {
    std::size_t failed_to_open = 0;
    std::size_t incomplete = 0;
    std::size_t out_of_order = 0;
    std::size_t text_mismatch = 0;
    std::size_t not_completed = 0;
    std::size_t pieces = 0;
    std::size_t deltas = 0;
    std::vector<double> latencies;
    std::vector<double> ttfts;
    for (const auto& record : records) {
        failed_to_open += record.opened ? 0 : 1;
        not_completed += record.completed ? 0 : 1;
        incomplete += record.pieces == settings.pieces ? 0 : 1;
        out_of_order += record.in_order ? 0 : 1;
        text_mismatch += record.completed && !record.text_matches ? 1 : 0;
        pieces += record.pieces;
        deltas += record.deltas;
        latencies.insert(latencies.end(), record.latencies_us.begin(), record.latencies_us.end());
        if (record.ttft_us) {
            ttfts.push_back(*record.ttft_us);
        }
    }
    std::sort(latencies.begin(), latencies.end());
    std::sort(ttfts.begin(), ttfts.end());
    fmt::print(
        "result phase=streams sessions={} pieces_per_stream={} failed_to_open={} not_completed={} incomplete={} "
        "out_of_order={} text_mismatch={} pieces={} deltas={} ttft_p50_us={:.0f} ttft_p99_us={:.0f} "
        "latency_p50_us={:.0f} latency_p90_us={:.0f} latency_p99_us={:.0f} latency_p99.9_us={:.0f} "
        "latency_max_us={:.0f}\n",
        records.size(), settings.pieces, failed_to_open, not_completed, incomplete, out_of_order, text_mismatch, pieces,
        deltas, percentile(ttfts, 50), percentile(ttfts, 99), percentile(latencies, 50), percentile(latencies, 90),
        percentile(latencies, 99), percentile(latencies, 99.9), latencies.empty() ? 0.0 : latencies.back());
    if (!settings.latency_out.empty()) {
        std::ofstream out(settings.latency_out);
        out << "# percentile latency_us (upstream emit -> client receive, per piece)\n";
        for (const double p : {50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.99}) {
            out << p << ' ' << percentile(latencies, p) << '\n';
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"WebSocket streaming load against parleyd and the fake model server (scenario b)"};
    Settings settings;
    app.add_option("--host", settings.host, "Address of parleyd and the fake model server")->capture_default_str();
    app.add_option("--parley-port", settings.parley_port, "parleyd's port")->required();
    app.add_option("--direct-port", settings.direct_port, "The fake model server's port (TTFT direct)");
    app.add_option("--agent", settings.agent, "Agent of the sessions (and model of parley's chat completions)")
        ->capture_default_str();
    app.add_option("--ttft-samples", settings.ttft_samples, "Samples per target of the TTFT comparison")
        ->capture_default_str();
    app.add_option("--sessions", settings.sessions, "Concurrent WebSocket sessions streaming one turn each")
        ->capture_default_str();
    app.add_option("--pieces", settings.pieces, "Pieces the fake server streams per reply (completeness check)")
        ->capture_default_str();
    app.add_option("--connect-rate", settings.connect_rate, "Connections opened per second")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--timeout", settings.timeout_seconds, "Seconds the streams phase may take at most")
        ->capture_default_str();
    app.add_option("--cpu-of", settings.cpu_of, "NAME=PID: report that process's CPU over the steady state");
    app.add_option("--latency-out", settings.latency_out, "File for the per-piece latency percentiles");
    CLI11_PARSE(app, argc, argv);
    if (settings.ttft_samples > 0 && settings.direct_port == 0) {
        fmt::print(stderr, "ws_load: --ttft-samples needs --direct-port\n");
        return 2;
    }
    raise_open_file_limit();

    asio::io_context io;
    if (settings.ttft_samples > 0) {
        asio::co_spawn(io, run_ttft(settings), asio::detached);
        io.run();
        io.restart();
    }
    if (settings.sessions > 0) {
        std::vector<StreamRecord> records(settings.sessions);
        for (auto& record : records) {
            record.latencies_us.reserve(settings.pieces);
            record.delta_received_ns.reserve(settings.pieces);
        }
        asio::co_spawn(io, run_streams(settings, records), asio::detached);
        io.run_for(std::chrono::seconds(settings.timeout_seconds));
        report_streams(settings, records);
    }
    return 0;
}
