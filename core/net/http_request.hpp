#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ip/address.hpp>
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
    std::size_t max_connections = 20;            // in use at once; more requests wait for one
    std::size_t max_idle_connections = 10;       // kept open for reuse
    std::chrono::milliseconds keepalive{60000};  // an idle connection is closed once idle this long
};

// Decides whether the client may talk to a peer address (web_fetch's guard
// against requests to private and metadata addresses).
using AddressFilter = std::function<bool(const boost::asio::ip::address&)>;

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
    // Set: every address the request would use (each resolved or literal address
    // before connecting, the peer of a reused pooled connection) must pass it;
    // when none does the request fails (network, address_refused) without
    // connecting. Checked on the addresses actually connected to, so a DNS answer
    // that changes after the caller's own check cannot slip through.
    AddressFilter allow_address{};
};

}  // namespace parley::core
