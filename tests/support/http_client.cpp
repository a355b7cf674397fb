#include "tests/support/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include <openssl/ssl.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/system/system_error.hpp>

namespace parley::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::uint64_t kBodyLimit = 64U * 1024U * 1024U;
constexpr unsigned kHttp11 = 11;

[[nodiscard]] std::string lower(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

template <class Fields>
[[nodiscard]] HttpHeaders headers_of(const Fields& fields) {
    HttpHeaders headers;
    for (const auto& field : fields) {
        auto& value = headers[lower(field.name_string())];
        if (!value.empty()) {
            value += ", ";
        }
        value.append(field.value().data(), field.value().size());
    }
    return headers;
}

[[nodiscard]] StreamStatus classify(const boost::system::error_code& error) {
    if (error == beast::error::timeout) {
        return StreamStatus::timed_out;
    }
    if (error == http::error::partial_message || error == asio::error::eof || error == http::error::end_of_stream ||
        error == asio::error::connection_reset || error == asio::ssl::error::stream_truncated) {
        return StreamStatus::closed;
    }
    return StreamStatus::failed;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
    const auto found = headers.find(lower(name));
    return found == headers.end() ? std::string() : found->second;
}

HttpClient::HttpClient(std::uint16_t port, HttpClientOptions options) : port_(port), options_(std::move(options)) {
    if (options_.tls_ca_pem) {
        tls_context_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
        tls_context_->add_certificate_authority(asio::buffer(*options_.tls_ca_pem));
        tls_context_->set_verify_mode(asio::ssl::verify_peer);
    }
}

HttpClient::~HttpClient() {
    close();
}

void HttpClient::close() {
    stream_parser_.reset();
    pending_.clear();
    buffer_.clear();
    boost::system::error_code ignored;
    if (tls_) {
        beast::get_lowest_layer(*tls_).socket().close(ignored);
        tls_.reset();
    }
    if (tcp_) {
        tcp_->socket().close(ignored);
        tcp_.reset();
    }
}

template <class T>
T HttpClient::run(asio::awaitable<T> task) {
    auto result = asio::co_spawn(io_context_, std::move(task), asio::use_future);
    io_context_.restart();
    io_context_.run();
    return result.get();
}

void HttpClient::ensure_connected() {
    if (stream_parser_) {
        // The previous streamed response was not read to its end: the connection cannot be reused.
        close();
    }
    if (!connected()) {
        run(connect());
    }
}

asio::awaitable<void> HttpClient::connect() {
    asio::ip::tcp::resolver resolver(io_context_);
    const auto endpoints = co_await resolver.async_resolve(options_.host, std::to_string(port_), asio::use_awaitable);
    beast::tcp_stream stream(io_context_);
    stream.expires_after(options_.timeout);
    co_await stream.async_connect(endpoints, asio::use_awaitable);
    stream.socket().set_option(asio::ip::tcp::no_delay(true));
    ++connections_opened_;
    if (!tls_context_) {
        stream.expires_never();
        tcp_.emplace(std::move(stream));
        co_return;
    }
    TlsStream tls(std::move(stream), *tls_context_);
    if (SSL_set_tlsext_host_name(tls.native_handle(), options_.tls_server_name.c_str()) != 1) {
        throw boost::system::system_error(asio::error::invalid_argument, "cannot set TLS server name");
    }
    tls.set_verify_callback(asio::ssl::host_name_verification(options_.tls_server_name));
    co_await tls.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    beast::get_lowest_layer(tls).expires_never();
    tls_.emplace(std::move(tls));
}

http::request<http::string_body> HttpClient::make_request(std::string_view method, std::string_view target,
                                                          std::string_view body, const HttpHeaders& headers) const {
    http::request<http::string_body> request;
    request.method_string(method);
    request.target(target);
    request.version(kHttp11);
    request.set(http::field::host, options_.host + ":" + std::to_string(port_));
    request.set(http::field::user_agent, "parley-test-client");
    if (!body.empty()) {
        request.set(http::field::content_type, "application/json");
    }
    for (const auto& [name, value] : headers) {
        request.set(name, value);
    }
    request.keep_alive(true);
    request.body() = std::string(body);
    request.prepare_payload();
    return request;
}

template <class Stream>
asio::awaitable<HttpResponse> HttpClient::exchange(Stream& stream, http::request<http::string_body> request) {
    beast::get_lowest_layer(stream).expires_after(options_.timeout);
    co_await http::async_write(stream, request, asio::use_awaitable);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    beast::get_lowest_layer(stream).expires_after(options_.timeout);
    co_await http::async_read(stream, buffer_, parser, asio::use_awaitable);
    beast::get_lowest_layer(stream).expires_never();
    auto message = parser.release();
    stream_keep_alive_ = message.keep_alive();
    co_return HttpResponse{message.result_int(), headers_of(message), std::move(message.body())};
}

template <class Stream>
asio::awaitable<HttpResponse> HttpClient::open(Stream& stream, http::request<http::string_body> request) {
    beast::get_lowest_layer(stream).expires_after(options_.timeout);
    co_await http::async_write(stream, request, asio::use_awaitable);
    stream_parser_.emplace();
    stream_parser_->body_limit(boost::none);
    beast::get_lowest_layer(stream).expires_after(options_.timeout);
    co_await http::async_read_header(stream, buffer_, *stream_parser_, asio::use_awaitable);
    beast::get_lowest_layer(stream).expires_never();
    const auto& message = stream_parser_->get();
    stream_keep_alive_ = message.keep_alive();
    co_return HttpResponse{message.result_int(), headers_of(message), {}};
}

template <class Stream>
asio::awaitable<std::size_t> HttpClient::read_body_piece(Stream& stream) {
    auto& body = stream_parser_->get().body();
    body.data = scratch_.data();
    body.size = scratch_.size();
    beast::get_lowest_layer(stream).expires_after(options_.timeout);
    auto [error, read] =
        co_await http::async_read_some(stream, buffer_, *stream_parser_, asio::as_tuple(asio::use_awaitable));
    beast::get_lowest_layer(stream).expires_never();
    if (error == http::error::need_buffer) {
        error = {};
    }
    if (error) {
        throw boost::system::system_error(error);
    }
    co_return scratch_.size() - body.size;
}

HttpResponse HttpClient::request(std::string_view method, std::string_view target, std::string_view body,
                                 const HttpHeaders& headers) {
    ensure_connected();
    auto message = make_request(method, target, body, headers);
    try {
        auto response = tls_ ? run(exchange(*tls_, std::move(message))) : run(exchange(*tcp_, std::move(message)));
        if (!stream_keep_alive_) {
            close();
        }
        return response;
    } catch (...) {
        close();
        throw;
    }
}

HttpResponse HttpClient::open_stream(std::string_view method, std::string_view target, std::string_view body,
                                     const HttpHeaders& headers) {
    ensure_connected();
    auto message = make_request(method, target, body, headers);
    try {
        return tls_ ? run(open(*tls_, std::move(message))) : run(open(*tcp_, std::move(message)));
    } catch (...) {
        close();
        throw;
    }
}

StreamStatus HttpClient::read_more() {
    if (!stream_parser_ || !connected()) {
        return StreamStatus::failed;
    }
    if (stream_parser_->is_done()) {
        return StreamStatus::finished;
    }
    try {
        const auto read = tls_ ? run(read_body_piece(*tls_)) : run(read_body_piece(*tcp_));
        pending_.append(scratch_.data(), read);
    } catch (const boost::system::system_error& error) {
        close();
        return classify(error.code());
    }
    return StreamStatus::event;
}

std::optional<SseEvent> HttpClient::take_event() {
    for (;;) {
        // An event ends at an empty line; lines end in LF or CRLF.
        const auto lf = pending_.find("\n\n");
        const auto crlf = pending_.find("\r\n\r\n");
        if (lf == std::string::npos && crlf == std::string::npos) {
            return std::nullopt;
        }
        const bool lf_first = crlf == std::string::npos || (lf != std::string::npos && lf < crlf);
        const auto end = lf_first ? lf : crlf;
        const auto separator = lf_first ? std::size_t{2} : std::size_t{4};
        const std::string block = pending_.substr(0, end + separator / 2);
        pending_.erase(0, end + separator);
        SseEvent event;
        bool has_data = false;
        std::size_t line_start = 0;
        while (line_start < block.size()) {
            const auto line_end = block.find('\n', line_start);
            std::string_view line(block.data() + line_start, line_end - line_start);
            line_start = line_end + 1;
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            if (line.empty() || line.front() == ':') {
                continue;  // a comment (keep-alive) line
            }
            const auto colon = line.find(':');
            const auto field = line.substr(0, colon);
            auto value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
            if (!value.empty() && value.front() == ' ') {
                value.remove_prefix(1);
            }
            if (field == "event") {
                event.event = value;
            } else if (field == "data") {
                if (has_data) {
                    event.data += '\n';
                }
                event.data += value;
                has_data = true;
            } else if (field == "id") {
                event.id = value;
            }
        }
        if (has_data || !event.event.empty()) {
            event.received_at = std::chrono::steady_clock::now();
            return event;
        }
    }
}

SseRead HttpClient::next_event() {
    for (;;) {
        if (auto event = take_event()) {
            return {StreamStatus::event, std::move(*event)};
        }
        if (stream_parser_ && stream_parser_->is_done()) {
            stream_parser_.reset();
            pending_.clear();
            if (!stream_keep_alive_) {
                close();
            }
            return {StreamStatus::finished, {}};
        }
        const auto status = read_more();
        if (status != StreamStatus::event) {
            return {status, {}};
        }
    }
}

std::string HttpClient::read_rest() {
    for (;;) {
        if (stream_parser_ && stream_parser_->is_done()) {
            stream_parser_.reset();
            if (!stream_keep_alive_) {
                close();
            }
            return std::exchange(pending_, {});
        }
        if (read_more() != StreamStatus::event) {
            return std::exchange(pending_, {});
        }
    }
}

SseCapture HttpClient::stream(std::string_view method, std::string_view target, std::string_view body,
                              const HttpHeaders& headers) {
    SseCapture capture;
    capture.head = open_stream(method, target, body, headers);
    constexpr unsigned kFirstNonSuccess = 300;
    if (capture.head.status >= kFirstNonSuccess) {
        capture.head.body = read_rest();
        capture.end = StreamStatus::finished;
        return capture;
    }
    for (;;) {
        auto read = next_event();
        if (read.status != StreamStatus::event) {
            capture.end = read.status;
            return capture;
        }
        capture.events.push_back(std::move(read.event));
    }
}

}  // namespace parley::testing
