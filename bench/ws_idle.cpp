// Idle WebSocket connections for the memory benchmark (docs/BENCHMARKS.md, scenario c).
//
// Opens N WebSocket connections to parleyd's GET /v1/ws (open dev mode, no key)
// and holds them without traffic, as N chat UIs left open would: each one only
// answers the server's keep-alive pings. With --sessions FILE, connection i
// first subscribes to the session on line i of FILE (a chat UI showing one
// conversation). Prints "ready ..." once every connection is open (and
// subscribed), then waits; on SIGTERM or SIGINT prints "held ..." with how
// many connections the server closed meanwhile, and exits.
//
// --create-sessions N FILE instead creates N sessions (agent --agent) over one
// connection, writes their ids to FILE, one a line, and exits.
#include <sys/resource.h>

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
namespace ws = boost::beast::websocket;
using tcp = asio::ip::tcp;
using WebSocket = ws::stream<beast::tcp_stream>;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kConnectTimeout = std::chrono::seconds(10);

struct Target {
    std::string host;
    std::string port;
};

struct Tally {
    std::size_t opened = 0;
    std::size_t subscribed = 0;
    std::size_t failed = 0;
    std::size_t closed_by_server = 0;
    std::vector<std::string> errors;  // the first few, for the report

    void fail(std::string what) {
        ++failed;
        if (errors.size() < 5) {
            errors.push_back(std::move(what));
        }
    }
};

// Every descriptor the hard limit allows: N connections need N of them.
void raise_fd_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// A connected WebSocket, or null (counted as failed).
asio::awaitable<std::unique_ptr<WebSocket>> open(const Target& target, Tally& tally) {
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    auto [resolve_ec, endpoints] = co_await resolver.async_resolve(target.host, target.port, kAsTuple);
    if (resolve_ec) {
        tally.fail(fmt::format("resolve: {}", resolve_ec.message()));
        co_return nullptr;
    }
    auto socket = std::make_unique<WebSocket>(executor);
    auto& tcp_stream = beast::get_lowest_layer(*socket);
    tcp_stream.expires_after(kConnectTimeout);
    auto [connect_ec, endpoint] = co_await tcp_stream.async_connect(endpoints, kAsTuple);
    if (connect_ec) {
        tally.fail(fmt::format("connect: {}", connect_ec.message()));
        co_return nullptr;
    }
    tcp_stream.expires_never();
    socket->set_option(ws::stream_base::timeout::suggested(beast::role_type::client));
    auto [handshake_ec] = co_await socket->async_handshake(target.host, "/v1/ws", kAsTuple);
    if (handshake_ec) {
        tally.fail(fmt::format("handshake: {}", handshake_ec.message()));
        co_return nullptr;
    }
    socket->text(true);
    co_return socket;
}

// Sends one frame and reads the answer.
asio::awaitable<std::optional<json::value>> exchange(WebSocket& socket, const json::value& frame, Tally& tally) {
    const auto text = json::serialize(frame);
    auto [write_ec, written] = co_await socket.async_write(asio::buffer(text), kAsTuple);
    if (write_ec) {
        tally.fail(fmt::format("write: {}", write_ec.message()));
        co_return std::nullopt;
    }
    beast::flat_buffer buffer;
    auto [read_ec, read] = co_await socket.async_read(buffer, kAsTuple);
    if (read_ec) {
        tally.fail(fmt::format("read: {}", read_ec.message()));
        co_return std::nullopt;
    }
    boost::system::error_code parse_ec;
    auto answer = json::parse(beast::buffers_to_string(buffer.data()), parse_ec);
    if (parse_ec || !answer.is_object()) {
        tally.fail("answer is not a JSON object");
        co_return std::nullopt;
    }
    co_return answer;
}

std::string_view type_of(const json::value& frame) {
    const auto* type = frame.as_object().if_contains("type");
    return type != nullptr && type->is_string() ? std::string_view(type->get_string()) : std::string_view();
}

// Reads until the connection ends: Beast answers the server's pings meanwhile.
asio::awaitable<void> hold(std::unique_ptr<WebSocket> socket, Tally& tally) {
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, bytes] = co_await socket->async_read(buffer, kAsTuple);
        if (ec) {
            if (ec != asio::error::operation_aborted) {
                ++tally.closed_by_server;
            }
            co_return;
        }
        buffer.consume(buffer.size());
    }
}

// Opens connections first to last, `stride` apart: several of these run side by side.
asio::awaitable<void> open_connections(Target target, std::size_t first, std::size_t last, std::size_t stride,
                                       const std::vector<std::string>& sessions, Tally& tally) {
    for (std::size_t index = first; index < last; index += stride) {
        auto socket = co_await open(target, tally);
        if (!socket) {
            continue;
        }
        ++tally.opened;
        if (!sessions.empty()) {
            const json::value frame{{"type", "subscribe"}, {"session_id", sessions[index]}};
            const auto answer = co_await exchange(*socket, frame, tally);
            if (!answer) {
                continue;
            }
            if (type_of(*answer) != "subscribed") {
                tally.fail(fmt::format("subscribe: {}", json::serialize(*answer)));
                continue;
            }
            ++tally.subscribed;
        }
        auto executor = socket->get_executor();
        asio::co_spawn(executor, hold(std::move(socket), tally), asio::detached);
    }
}

// Creates `count` sessions over one connection; their ids, one a line, go to `out`.
asio::awaitable<void> create_sessions(Target target, std::size_t count, std::string agent, std::ostream& out,
                                      Tally& tally) {
    auto socket = co_await open(target, tally);
    if (!socket) {
        co_return;
    }
    const json::value frame{{"type", "create_session"}, {"agent", agent}};
    for (std::size_t i = 0; i < count && tally.failed == 0; ++i) {
        const auto answer = co_await exchange(*socket, frame, tally);
        if (answer && type_of(*answer) == "session") {
            out << answer->at("session").at("id").as_string().c_str() << '\n';
            ++tally.opened;
        } else if (answer) {
            tally.fail(json::serialize(*answer));
        }
    }
    co_await socket->async_close(ws::close_code::normal, kAsTuple);
}

std::vector<std::string> read_lines(const std::string& file) {
    std::vector<std::string> lines;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            lines.push_back(line);
        }
    }
    return lines;
}

}  // namespace

int main(int argc, char** argv) {
    Target target{"127.0.0.1", "8080"};
    std::size_t connections = 1000;
    std::size_t parallel = 32;
    std::string sessions_file;
    std::size_t create_count = 0;
    std::string create_file;
    std::string agent = "bench";
    CLI::App app{"parley idle WebSocket connections (memory benchmark)"};
    app.add_option("--host", target.host, "parleyd's address");
    app.add_option("--port", target.port, "parleyd's port")->required();
    app.add_option("--connections", connections, "connections to open and hold")->check(CLI::PositiveNumber);
    app.add_option("--parallel", parallel, "connections being opened at once")->check(CLI::PositiveNumber);
    app.add_option("--sessions", sessions_file, "subscribe connection i to the session on line i of this file");
    auto* create = app.add_option("--create-sessions", create_count, "create this many sessions, then exit");
    app.add_option("--ids-out", create_file, "where --create-sessions writes the ids")->needs(create);
    app.add_option("--agent", agent, "the agent of created sessions");
    CLI11_PARSE(app, argc, argv);

    raise_fd_limit();
    asio::io_context io;
    Tally tally;
    if (create_count > 0) {
        std::ofstream out(create_file);
        asio::co_spawn(io, create_sessions(target, create_count, agent, out, tally), asio::detached);
        io.run();
        for (const auto& error : tally.errors) {
            fmt::print(stderr, "error: {}\n", error);
        }
        fmt::print("created sessions={} file={}\n", tally.opened, create_file);
        return tally.opened == create_count ? 0 : 1;
    }

    const auto sessions = sessions_file.empty() ? std::vector<std::string>{} : read_lines(sessions_file);
    if (!sessions_file.empty() && sessions.size() < connections) {
        fmt::print(stderr, "{} holds {} session ids, fewer than {} connections\n", sessions_file, sessions.size(),
                   connections);
        return 2;
    }
    parallel = std::min(parallel, connections);
    std::size_t openers = parallel;
    for (std::size_t first = 0; first < parallel; ++first) {
        asio::co_spawn(io, open_connections(target, first, connections, parallel, sessions, tally),
                       [&](const std::exception_ptr&) {
                           if (--openers == 0) {
                               fmt::print("ready connections={} subscribed={} failed={}\n", tally.opened,
                                          tally.subscribed, tally.failed);
                               for (const auto& error : tally.errors) {
                                   fmt::print(stderr, "error: {}\n", error);
                               }
                               std::fflush(stdout);
                           }
                       });
    }
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
        fmt::print("held connections={} closed_by_server={}\n", tally.opened - tally.closed_by_server,
                   tally.closed_by_server);
        std::fflush(stdout);
        io.stop();
    });
    io.run();
    return 0;
}
