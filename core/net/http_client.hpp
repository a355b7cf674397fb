#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/fields.hpp>

#include "core/net/connection_pool.hpp"
#include "core/net/http_error.hpp"
#include "core/net/http_origin.hpp"
#include "core/net/http_request.hpp"
#include "core/net/http_response_stream.hpp"

namespace parley::core {

struct HttpClientOptions {
    std::string user_agent = "parley";
    // Trust the operating system's CA store (set_default_verify_paths).
    bool use_system_trust_store = true;
    // Further trusted CA certificates, PEM (tests trust their own CA this way).
    std::vector<std::string> extra_ca_pem;
};

// A whole response, for callers that do not stream (HTTP tools).
struct HttpResponse {
    unsigned status = 0;
    boost::beast::http::fields headers;
    std::string body;
};

// The process's one outbound HTTP/1.1 client, shared by every provider and HTTP
// tool: created at start-up, it keeps a connection pool per origin (scheme, host,
// port). Thread-safe; requests are coroutines on the caller's executor, stopped
// by Asio cancellation (which closes the socket). Non-2xx responses are errors
// (client for 4xx, server otherwise) with the status and a body excerpt.
class HttpClient {
public:
    // Throws std::runtime_error when an extra CA certificate is not valid PEM.
    explicit HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options = {});
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Sends the request and returns once the response header is in; read the body
    // with HttpResponseStream::next_chunk().
    boost::asio::awaitable<HttpResult<std::unique_ptr<HttpResponseStream>>> open(HttpRequest request);

    // Sends the request and reads the whole body (at most request.max_body_bytes).
    boost::asio::awaitable<HttpResult<HttpResponse>> request(HttpRequest request);

    // Idle pooled connections to the origin of `url` (tests, diagnostics).
    [[nodiscard]] std::size_t idle_connections(std::string_view url) const;
    // Closes every pool's connections idle longer than their keepalive (parleyd calls
    // this periodically, so connections left from a burst do not stay open); returns how many.
    std::size_t close_expired_idle();

private:
    // A URL's origin and its pool. Parsed URLs are remembered (a model provider
    // sends every request to one URL; parsing it each time showed in the
    // gateway's profile), up to kMaxRememberedUrls (tools fetch any URL).
    struct Destination {
        HttpOrigin origin;
        std::shared_ptr<ConnectionPool> pool;
    };
    static constexpr std::size_t kMaxRememberedUrls = 256;
    std::optional<Destination> destination_for(const std::string& url, const HttpPoolLimits& limits);
    std::shared_ptr<ConnectionPool> pool_for(const HttpOrigin& origin, const HttpPoolLimits& limits);  // mutex_ held
    HttpConnection::Request make_request(const HttpOrigin& origin, HttpRequest& request) const;

    boost::asio::any_io_executor executor_;
    HttpClientOptions options_;
    boost::asio::ssl::context tls_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<ConnectionPool>, std::less<>> pools_;
    std::unordered_map<std::string, Destination> destinations_;
};

}  // namespace parley::core
