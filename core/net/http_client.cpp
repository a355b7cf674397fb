#include "core/net/http_client.hpp"

#include <stdexcept>

#include <boost/asio/buffer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/system/system_error.hpp>

#include "core/net/retry_after.hpp"

namespace parley::core {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr unsigned kHttpVersion = 11;
constexpr unsigned kFirstClientError = 400;
constexpr unsigned kFirstServerError = 500;
constexpr unsigned kFirstRedirect = 300;
constexpr unsigned kFirstSuccess = 200;

asio::ssl::context make_tls_context(const HttpClientOptions& options) {
    asio::ssl::context context(asio::ssl::context::tls_client);
    context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    context.set_verify_mode(asio::ssl::verify_peer);
    if (options.use_system_trust_store) {
        context.set_default_verify_paths();
    }
    for (const auto& pem : options.extra_ca_pem) {
        boost::system::error_code ec;
        context.add_certificate_authority(asio::buffer(pem), ec);
        if (ec) {
            throw std::runtime_error("invalid extra CA certificate: " + ec.message());
        }
    }
    return context;
}

HttpError cancelled_error() {
    return HttpError{.kind = HttpErrorKind::cancelled, .message = "request cancelled"};
}

}  // namespace

HttpClient::HttpClient(asio::any_io_executor executor, HttpClientOptions options)
    : executor_(std::move(executor)), options_(std::move(options)), tls_(make_tls_context(options_)) {}

std::optional<HttpClient::Destination> HttpClient::destination_for(const std::string& url,
                                                                   const HttpPoolLimits& limits) {
    {
        const std::lock_guard lock(mutex_);
        if (const auto known = destinations_.find(url); known != destinations_.end()) {
            return known->second;
        }
    }
    auto origin = HttpOrigin::parse(url);
    if (!origin) {
        return std::nullopt;
    }
    const std::lock_guard lock(mutex_);
    Destination destination{*origin, pool_for(*origin, limits)};
    if (destinations_.size() >= kMaxRememberedUrls) {
        destinations_.clear();
    }
    destinations_.emplace(url, destination);
    return destination;
}

std::shared_ptr<ConnectionPool> HttpClient::pool_for(const HttpOrigin& origin, const HttpPoolLimits& limits) {
    auto key = origin.key();
    auto it = pools_.find(key);
    if (it == pools_.end()) {
        it = pools_.emplace(std::move(key), std::make_shared<ConnectionPool>(executor_, limits)).first;
    }
    return it->second;
}

std::size_t HttpClient::idle_connections(std::string_view url) const {
    const auto origin = HttpOrigin::parse(url);
    if (!origin) {
        return 0;
    }
    const std::lock_guard lock(mutex_);
    const auto it = pools_.find(origin->key());
    return it == pools_.end() ? 0 : it->second->idle_count();
}

std::size_t HttpClient::close_expired_idle() {
    std::vector<std::shared_ptr<ConnectionPool>> pools;
    {
        const std::lock_guard lock(mutex_);
        pools.reserve(pools_.size());
        for (const auto& [key, pool] : pools_) {
            pools.push_back(pool);
        }
    }
    const auto now = std::chrono::steady_clock::now();
    std::size_t closed = 0;
    for (const auto& pool : pools) {
        closed += pool->close_expired(now);
    }
    return closed;
}

HttpConnection::Request HttpClient::make_request(const HttpOrigin& origin, HttpRequest& request) const {
    HttpConnection::Request message(request.method, origin.target, kHttpVersion);
    message.set(http::field::host, origin.host_header());
    message.set(http::field::user_agent, options_.user_agent);
    for (auto& [name, value] : request.headers) {
        message.set(name, value);
    }
    if (!request.body.empty() || request.method == http::verb::post || request.method == http::verb::put) {
        message.set(http::field::content_type, request.content_type);
        message.body() = std::move(request.body);
    }
    message.keep_alive(true);
    message.prepare_payload();
    return message;
}

asio::awaitable<HttpResult<std::unique_ptr<HttpResponseStream>>> HttpClient::open(HttpRequest request) {
    auto destination = destination_for(request.url, request.limits);
    if (!destination) {
        co_return HttpError{.kind = HttpErrorKind::client, .message = "not an http(s) URL"};
    }
    const auto& origin = destination->origin;
    auto pool = std::move(destination->pool);
    const auto deadline = std::chrono::steady_clock::now() + request.timeouts.total;
    auto message = make_request(origin, request);
    try {
        switch (co_await pool->acquire_slot(deadline)) {
            case ConnectionPool::Acquired::slot: break;
            case ConnectionPool::Acquired::timed_out:
                co_return HttpError{.kind = HttpErrorKind::timeout,
                                    .message = "total request timeout waiting for a connection to " + origin.key()};
            case ConnectionPool::Acquired::cancelled: co_return cancelled_error();
        }
        // From here the stream owns the slot and gives it back however this ends.
        auto stream = std::make_unique<HttpResponseStream>(std::move(pool), request.timeouts, deadline);
        auto started = co_await stream->start(origin, std::move(message), origin.tls ? &tls_ : nullptr,
                                              std::move(request.allow_address));
        if (!started) {
            co_return started.error();
        }
        const unsigned status = stream->status();
        if (status >= kFirstSuccess && status < kFirstRedirect) {
            co_return std::move(stream);
        }
        HttpError error{.kind = status >= kFirstClientError && status < kFirstServerError ? HttpErrorKind::client
                                                                                          : HttpErrorKind::server,
                        .message = "HTTP " + std::to_string(status) + " from " + origin.key(),
                        .status = status};
        if (const auto it = stream->headers().find(http::field::retry_after); it != stream->headers().end()) {
            error.retry_after = parse_retry_after(it->value(), std::chrono::system_clock::now());
        }
        // Keep the start of the body for the log; the rest is not worth waiting for.
        while (error.body_excerpt.size() < request.error_excerpt_bytes) {
            auto chunk = co_await stream->next_chunk();
            if (!chunk || chunk->empty()) {
                break;
            }
            error.body_excerpt.append(chunk->substr(0, request.error_excerpt_bytes - error.body_excerpt.size()));
        }
        co_return error;
    } catch (const boost::system::system_error& failure) {
        // A coroutine resumed after cancellation throws at its next co_await.
        if (failure.code() == asio::error::operation_aborted) {
            co_return cancelled_error();
        }
        co_return HttpError{.kind = HttpErrorKind::network, .message = failure.what()};
    }
}

asio::awaitable<HttpResult<HttpResponse>> HttpClient::request(HttpRequest request) {
    const std::size_t max_body = request.max_body_bytes;
    auto opened = co_await open(std::move(request));
    if (!opened) {
        co_return opened.error();
    }
    auto& stream = **opened;
    HttpResponse response;
    response.status = stream.status();
    response.headers = stream.headers();
    try {
        while (true) {
            auto chunk = co_await stream.next_chunk();
            if (!chunk) {
                co_return chunk.error();
            }
            if (chunk->empty()) {
                break;
            }
            if (response.body.size() + chunk->size() > max_body) {
                co_return HttpError{.kind = HttpErrorKind::network,
                                    .message = "response body over " + std::to_string(max_body) + " bytes"};
            }
            response.body.append(*chunk);
        }
    } catch (const boost::system::system_error& failure) {
        if (failure.code() == asio::error::operation_aborted) {
            co_return cancelled_error();
        }
        co_return HttpError{.kind = HttpErrorKind::network, .message = failure.what()};
    }
    co_return response;
}

}  // namespace parley::core
