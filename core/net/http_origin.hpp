#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::core {

// Where a URL points: the pool key (scheme, host, port) and the request target.
struct HttpOrigin {
    bool tls = false;
    std::string host;  // without brackets for IPv6 literals
    std::uint16_t port = 0;
    std::string target;  // path and query, "/" at least

    // "https://host:port", the pool key.
    [[nodiscard]] std::string key() const;
    // The Host header value (port omitted when it is the scheme's default).
    [[nodiscard]] std::string host_header() const;

    // nullopt when the URL is not an absolute http(s) URL.
    [[nodiscard]] static std::optional<HttpOrigin> parse(std::string_view url);
};

}  // namespace parley::core
