#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

namespace parley::core {

enum class HttpErrorKind {
    network,    // DNS, connect, TLS handshake or certificate, connection lost, malformed HTTP
    timeout,    // connect, first byte, idle between body chunks, or total
    cancelled,  // Asio cancellation reached the request; the socket was closed
    client,     // the server answered 4xx
    server,     // the server answered 5xx (or another non-2xx status)
};

[[nodiscard]] std::string_view to_string(HttpErrorKind kind);

// Why an outbound request failed. A value, never an exception.
struct HttpError {
    HttpErrorKind kind = HttpErrorKind::network;
    std::string message{};       // what failed, for the log (never a header value or the body)
    unsigned status = 0;         // the HTTP status for client/server errors
    std::string body_excerpt{};  // the start of the error body
    std::optional<std::chrono::milliseconds>
        retry_after{};             // Retry-After of a 429/503 (seconds or HTTP-date), as a wait
    bool address_refused = false;  // HttpRequest::allow_address refused every address of the host
};

// For boost::system::result<T, HttpError>::value() on an error.
[[noreturn]] void throw_exception_from_error(const HttpError& error, const boost::source_location& location);

template <class T>
using HttpResult = boost::system::result<T, HttpError>;

}  // namespace parley::core
