#include "tests/support/fake_model_connection.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <exception>
#include <limits>
#include <string_view>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tests/support/model_responses.hpp"

namespace parley::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kBodyLimit = 16U * 1024U * 1024U;
constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr std::string_view kServerName = "parley-fake-model";
constexpr std::string_view kControlPrefix = "/__fake/";
constexpr unsigned kOk = 200;
constexpr unsigned kBadRequest = 400;
constexpr unsigned kNotFound = 404;

// Whether the connection can take another request after an answer.
enum class After { keep_alive, close };

[[nodiscard]] std::int64_t steady_now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

[[nodiscard]] std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

[[nodiscard]] RecordedRequest record_of(const Request& request) {
    RecordedRequest record;
    record.method = std::string(request.method_string());
    record.target = std::string(request.target());
    for (const auto& field : request) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        auto& value = record.headers[name];
        if (!value.empty()) {
            value += ", ";
        }
        value.append(field.value().data(), field.value().size());
    }
    record.body = request.body();
    record.received_at = std::chrono::steady_clock::now();
    return record;
}

[[nodiscard]] Response text_response(const Request& request, unsigned status, std::string body,
                                     std::string_view content_type) {
    Response response{static_cast<http::status>(status), request.version()};
    response.set(http::field::server, kServerName);
    response.set(http::field::content_type, content_type);
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

[[nodiscard]] Response json_response(const Request& request, unsigned status, const json::value& body) {
    return text_response(request, status, json::serialize(body), "application/json");
}

[[nodiscard]] json::value parse_control_body(std::string_view body, boost::system::error_code& error) {
    json::parse_options options;
    options.allow_invalid_utf8 = true;  // lets a test script raw byte pieces
    return json::parse(body, error, {}, options);
}

[[nodiscard]] json::object requests_json(const std::vector<RecordedRequest>& requests) {
    json::array data;
    for (const auto& request : requests) {
        json::object headers;
        for (const auto& [name, value] : request.headers) {
            headers[name] = value;
        }
        data.push_back(
            {{"method", request.method},
             {"target", request.target},
             {"headers", std::move(headers)},
             {"body", request.body},
             {"received_ns",
              std::chrono::duration_cast<std::chrono::nanoseconds>(request.received_at.time_since_epoch()).count()}});
    }
    return {{"data", std::move(data)}};
}

// The control endpoints are synchronous: the response is built here and only written by a coroutine.
[[nodiscard]] Response control_response(const Request& request, FakeModelState& state) {
    const auto path = path_of(request.target());
    const auto method = request.method();
    const bool default_script = path == "/__fake/default_script";
    if (method == http::verb::post && (path == "/__fake/scripts" || default_script)) {
        boost::system::error_code error;
        const auto body = parse_control_body(request.body(), error);
        if (error) {
            return json_response(request, kBadRequest,
                                 error_response(Route::openai, kBadRequest,
                                                fmt::format("script is not valid JSON: {}", error.message())));
        }
        auto parsed = scripts_from_json(body);
        if (parsed.ok() && default_script && parsed.scripts.size() != 1) {
            parsed.error = "the default script must be one object";
        }
        if (!parsed.ok()) {
            return json_response(request, kBadRequest, error_response(Route::openai, kBadRequest, parsed.error));
        }
        const auto count = parsed.scripts.size();
        if (default_script) {
            state.set_default_script(std::move(parsed.scripts.front()));
        } else {
            for (auto& script : parsed.scripts) {
                state.enqueue(std::move(script));
            }
        }
        return json_response(request, kOk, json::object{{"accepted", count}, {"pending", state.pending_scripts()}});
    }
    if (method == http::verb::get && path == "/__fake/requests") {
        return json_response(request, kOk, requests_json(state.requests()));
    }
    if (method == http::verb::post && path == "/__fake/reset") {
        state.clear_scripts();
        state.clear_requests();
        return json_response(request, kOk, json::object{{"reset", true}});
    }
    if (method == http::verb::get && path == "/__fake/stats") {
        return json_response(request, kOk,
                             json::object{{"requests", state.request_count()},
                                          {"connections_accepted", state.connections_accepted()},
                                          {"active_connections", state.active_connections()},
                                          {"pending_scripts", state.pending_scripts()}});
    }
    return json_response(request, kNotFound, error_response(Route::openai, kNotFound, "unknown control endpoint"));
}

[[nodiscard]] Response not_found_response(const Request& request) {
    return json_response(
        request, kNotFound,
        error_response(Route::openai, kNotFound,
                       fmt::format("no route for {} {}", request.method_string(), path_of(request.target()))));
}

[[nodiscard]] Response models_list_response(const Request& request, const FakeModelSite& site) {
    return json_response(request, kOk, models_response(site.models));
}

[[nodiscard]] Response scripted_error_response(const Request& request, Route route, const Script& script) {
    auto body = script.error_body.empty()
                    ? json::serialize(error_response(route, script.status,
                                                     fmt::format("fake model error (status {})", script.status)))
                    : script.error_body;
    auto response = text_response(request, script.status, std::move(body), "application/json");
    if (!script.retry_after.empty()) {
        response.set(http::field::retry_after, script.retry_after);
    }
    return response;
}

[[nodiscard]] Response bad_request_response(const Request& request, Route route, const std::string& message) {
    return json_response(request, kBadRequest, error_response(route, kBadRequest, message));
}

template <class Stream>
asio::awaitable<After> write_response(Stream& stream, Response response) {
    const auto keep_alive = response.keep_alive();
    const auto [error, written] = co_await http::async_write(stream, response, kUseTuple);
    co_return error || !keep_alive ? After::close : After::keep_alive;
}

asio::awaitable<void> pause(std::chrono::milliseconds delay) {
    if (delay <= std::chrono::milliseconds::zero()) {
        co_return;
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(kUseTuple);
}

// A hang: read and discard until the client closes (or the server stops and destroys this frame).
template <class Stream>
asio::awaitable<void> wait_until_client_leaves(Stream& stream) {
    constexpr std::size_t kScratchBytes = 512;
    std::array<char, kScratchBytes> scratch{};
    for (;;) {
        const auto [error, read] = co_await stream.async_read_some(asio::buffer(scratch), kUseTuple);
        if (error) {
            co_return;
        }
    }
}

// A drop: the TCP connection closes under the response, without TLS close_notify or a last chunk.
template <class Stream>
void drop_connection(Stream& stream) {
    auto& socket = beast::get_lowest_layer(stream).socket();
    boost::system::error_code ignored;
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

// Stops the answer after `sent` pieces when the script says so; true when it did.
template <class Stream>
asio::awaitable<bool> stop_after(Stream& stream, const Script& script, std::size_t sent) {
    if (script.drop_after_chunks && sent >= *script.drop_after_chunks) {
        drop_connection(stream);
        co_return true;
    }
    if (script.hang_after_chunks && sent >= *script.hang_after_chunks) {
        co_await wait_until_client_leaves(stream);
        co_return true;
    }
    co_return false;
}

template <class Stream>
asio::awaitable<After> stream_answer(Stream& stream, const Request& request, const Script& script,
                                     const std::vector<StreamEvent>& events) {
    http::response<http::empty_body> head{http::status::ok, request.version()};
    head.set(http::field::server, kServerName);
    head.set(http::field::content_type, "text/event-stream");
    head.set(http::field::cache_control, "no-cache");
    head.keep_alive(request.keep_alive());
    head.chunked(true);
    http::response_serializer<http::empty_body> serializer{head};
    if (const auto [error, written] = co_await http::async_write_header(stream, serializer, kUseTuple); error) {
        co_return After::close;
    }

    // Drop/hang apply before a piece, and before anything after the last piece.
    const auto last_piece = std::find_if(events.rbegin(), events.rend(), [](const StreamEvent& e) { return e.piece; });
    const auto tail_start = static_cast<std::size_t>(events.rend() - last_piece);
    std::size_t sent = 0;
    std::string wire;
    for (std::size_t index = 0; index < events.size(); ++index) {
        const auto& event = events[index];
        if ((event.piece || index >= tail_start) && co_await stop_after(stream, script, sent)) {
            co_return After::close;
        }
        if (event.piece) {
            co_await pause(script.delay_per_chunk);
        }
        const auto now = steady_now_ns();
        if (script.stamp_pieces) {
            auto stamped = event;
            stamp_piece_text(stamped, now);
            wire = format_sse(stamped, now);
        } else {
            wire = format_sse(event, now);
        }
        if (const auto [error, written] =
                co_await asio::async_write(stream, http::make_chunk(asio::buffer(wire)), kUseTuple);
            error) {
            co_return After::close;
        }
        if (event.piece) {
            ++sent;
        }
    }
    if (const auto [error, written] = co_await asio::async_write(stream, http::make_chunk_last(), kUseTuple); error) {
        co_return After::close;
    }
    co_return request.keep_alive() ? After::keep_alive : After::close;
}

template <class Stream>
asio::awaitable<After> answer_model(Stream& stream, const Request& request, Route route, const FakeModelSite& site) {
    const auto parsed = parse_chat_request(route, request.body());
    if (!parsed.request) {
        co_return co_await write_response(stream, bad_request_response(request, route, parsed.error));
    }
    const auto& chat = *parsed.request;
    const auto script = site.state->next_script(route);
    const auto response_number = site.state->next_response_number();
    const auto events = stream_events(script, chat, response_number);

    if (script.hang_before_headers) {
        co_await wait_until_client_leaves(stream);
        co_return After::close;
    }
    co_await pause(script.first_byte_delay);
    if (script.status != kOk) {
        co_return co_await write_response(stream, scripted_error_response(request, route, script));
    }
    if (chat.stream) {
        co_return co_await stream_answer(stream, request, script, events);
    }

    // A whole answer takes as long as its streamed pieces would have.
    const auto pieces = std::count_if(events.begin(), events.end(), [](const StreamEvent& e) { return e.piece; });
    co_await pause(script.delay_per_chunk * pieces);
    // Nothing of a whole answer is sent before it is complete: any drop or hang applies.
    if (co_await stop_after(stream, script, std::numeric_limits<std::size_t>::max())) {
        co_return After::close;
    }
    co_return co_await write_response(stream,
                                      json_response(request, kOk, complete_response(script, chat, response_number)));
}

template <class Stream>
asio::awaitable<After> answer(Stream& stream, const Request& request, const FakeModelSite& site) {
    const auto path = path_of(request.target());
    if (path.starts_with(kControlPrefix)) {
        co_return co_await write_response(stream, control_response(request, *site.state));
    }
    site.state->record(record_of(request));
    const auto method = request.method();
    if (method == http::verb::post && path == "/v1/chat/completions") {
        co_return co_await answer_model(stream, request, Route::openai, site);
    }
    if (method == http::verb::post && path == "/v1/messages") {
        co_return co_await answer_model(stream, request, Route::anthropic, site);
    }
    if (method == http::verb::get && path == "/v1/models") {
        co_return co_await write_response(stream, models_list_response(request, site));
    }
    co_return co_await write_response(stream, not_found_response(request));
}

template <class Stream>
asio::awaitable<void> serve_http(Stream& stream, const FakeModelSite& site) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(kBodyLimit);
        if (const auto [error, read] = co_await http::async_read(stream, buffer, parser, kUseTuple); error) {
            co_return;
        }
        if (co_await answer(stream, parser.get(), site) == After::close) {
            drop_connection(stream);
            co_return;
        }
    }
}

asio::awaitable<void> serve(asio::ip::tcp::socket socket, const FakeModelSite& site) {
    beast::tcp_stream tcp(std::move(socket));
    if (!site.tls) {
        co_await serve_http(tcp, site);
        co_return;
    }
    beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp), *site.tls);
    beast::get_lowest_layer(tls).expires_after(kHandshakeTimeout);
    if (const auto [error] = co_await tls.async_handshake(asio::ssl::stream_base::server, kUseTuple); error) {
        co_return;
    }
    beast::get_lowest_layer(tls).expires_never();
    co_await serve_http(tls, site);
}

}  // namespace

asio::awaitable<void> serve_fake_model_connection(asio::ip::tcp::socket socket,
                                                  std::shared_ptr<const FakeModelSite> site) {
    site->state->connection_opened();
    try {
        co_await serve(std::move(socket), *site);
    } catch (const std::exception& error) {
        // No exception escapes a connection; the test sees the connection close.
        spdlog::warn("fake model server: connection failed: {}", error.what());
    }
    site->state->connection_closed();
}

}  // namespace parley::testing
