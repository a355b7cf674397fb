#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace parley::testing {

using HttpHeaders = std::map<std::string, std::string>;

struct HttpResponse {
    unsigned status = 0;
    HttpHeaders headers;  // names lower-cased; repeated fields joined with ", "
    std::string body;
    // The value of a header ("" when absent); the name in any case.
    [[nodiscard]] std::string header(std::string_view name) const;
};

struct SseEvent {
    std::string event;  // "" when the event had no "event:" line
    std::string data;   // "data:" lines joined with "\n"
    std::string id;
    std::chrono::steady_clock::time_point received_at;  // when its last byte was read
};

// Why next_event() returned.
enum class StreamStatus {
    event,      // an event was read
    finished,   // the response body ended properly (last chunk)
    closed,     // the connection ended before the body did (a dropped stream)
    timed_out,  // nothing arrived within the timeout
    failed,     // any other error
};

struct SseRead {
    StreamStatus status = StreamStatus::failed;
    SseEvent event;  // valid when status == event
};

struct SseCapture {
    HttpResponse head;  // status and headers; body too when the answer was not a stream
    std::vector<SseEvent> events;
    StreamStatus end = StreamStatus::failed;  // what ended the stream
};

struct HttpClientOptions {
    std::string host = "127.0.0.1";
    std::chrono::milliseconds timeout{10'000};  // per connect, write and read
    std::optional<std::string> tls_ca_pem;      // set: HTTPS, trusting only this CA
    std::string tls_server_name = "localhost";  // SNI and the name the certificate must carry
};

// A small synchronous HTTP/1.1 client for tests. One connection, kept alive across
// requests and reopened when it was closed; an SSE response is read event by event.
// request() and open_stream() throw boost::system::system_error (code beast::error::timeout on a timeout).
class HttpClient {
public:
    explicit HttpClient(std::uint16_t port, HttpClientOptions options = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;
    HttpClient(HttpClient&&) = delete;
    HttpClient& operator=(HttpClient&&) = delete;

    // A whole request and response. Content-Type defaults to application/json when there is a body.
    HttpResponse request(std::string_view method, std::string_view target, std::string_view body = {},
                         const HttpHeaders& headers = {});

    // Sends the request and reads the response head; read the body with next_event() or read_rest().
    HttpResponse open_stream(std::string_view method, std::string_view target, std::string_view body = {},
                             const HttpHeaders& headers = {});
    // The next server-sent event of the open response.
    SseRead next_event();
    // The rest of the open response's body (e.g. the JSON error of a non-stream answer).
    std::string read_rest();
    // open_stream, then every event (or the body of a non-2xx answer) until the stream ends.
    SseCapture stream(std::string_view method, std::string_view target, std::string_view body = {},
                      const HttpHeaders& headers = {});

    void set_timeout(std::chrono::milliseconds timeout) { options_.timeout = timeout; }
    void close();
    [[nodiscard]] bool connected() const { return tcp_.has_value() || tls_.has_value(); }
    [[nodiscard]] std::uint64_t connections_opened() const { return connections_opened_; }

private:
    using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
    using StreamParser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;
    static constexpr std::size_t kReadChunk = 16 * 1024;

    template <class T>
    T run(boost::asio::awaitable<T> task);
    void ensure_connected();
    boost::asio::awaitable<void> connect();
    [[nodiscard]] boost::beast::http::request<boost::beast::http::string_body> make_request(
        std::string_view method, std::string_view target, std::string_view body, const HttpHeaders& headers) const;

    template <class Stream>
    boost::asio::awaitable<HttpResponse> exchange(Stream& stream,
                                                  boost::beast::http::request<boost::beast::http::string_body> request);
    template <class Stream>
    boost::asio::awaitable<HttpResponse> open(Stream& stream,
                                              boost::beast::http::request<boost::beast::http::string_body> request);
    template <class Stream>
    boost::asio::awaitable<std::size_t> read_body_piece(Stream& stream);
    // Reads more of the open body into pending_; the status is event when bytes (or the end) arrived.
    StreamStatus read_more();
    [[nodiscard]] std::optional<SseEvent> take_event();

    std::uint16_t port_;
    HttpClientOptions options_;
    boost::asio::io_context io_context_;
    std::unique_ptr<boost::asio::ssl::context> tls_context_;
    std::optional<boost::beast::tcp_stream> tcp_;
    std::optional<TlsStream> tls_;
    boost::beast::flat_buffer buffer_;
    std::optional<StreamParser> stream_parser_;  // the response being streamed
    bool stream_keep_alive_ = false;
    std::string pending_;  // body bytes not yet returned as events
    std::array<char, kReadChunk> scratch_{};
    std::uint64_t connections_opened_ = 0;
};

}  // namespace parley::testing
