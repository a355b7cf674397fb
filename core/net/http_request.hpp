#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/http/verb.hpp>

namespace parley::core {

// Per-request timeouts. A request fails with HttpErrorKind::timeout when one runs out.
struct HttpTimeouts {
    std::chrono::milliseconds connect{5000};      // DNS + TCP + TLS handshake
    std::chrono::milliseconds first_byte{60000};  // request written and response header read
    std::chrono::milliseconds idle{60000};        // silence between two body chunks
    std::chrono::milliseconds total{300000};      // the whole exchange, waiting for a pool slot included
};

// Limits of the per-host pool. The first request to a host sets them for that host.
struct HttpPoolLimits {
    std::size_t max_connections = 20;       // in use at once; more requests wait for one
    std::size_t max_idle_connections = 10;  // kept open for reuse
};

struct HttpRequest {
    boost::beast::http::verb method = boost::beast::http::verb::post;
    std::string url;  // http:// or https://, with port and query as needed
    std::vector<std::pair<std::string, std::string>> headers;
    std::string content_type = "application/json";
    std::string body;
    HttpTimeouts timeouts;
    HttpPoolLimits limits;
    std::size_t max_body_bytes = 16 * 1024 * 1024;  // read_all(): a longer body is a network error
    std::size_t error_excerpt_bytes = 2048;         // the start of a non-2xx body kept in HttpError
};

}  // namespace parley::core
