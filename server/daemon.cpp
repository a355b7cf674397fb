#include "server/daemon.hpp"

#include <csignal>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"

namespace parley::server {
namespace {

namespace asio = boost::asio;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
// After the grace period, force-closed connections get this long to unwind.
constexpr std::chrono::seconds kForcedCloseWait{2};

std::string format_endpoint(const asio::ip::tcp::endpoint& endpoint) {
    const auto address = endpoint.address().to_string();
    return endpoint.address().is_v6() ? fmt::format("[{}]:{}", address, endpoint.port())
                                      : fmt::format("{}:{}", address, endpoint.port());
}

HttpLimits limits_from(const core::ServerConfig& server) {
    HttpLimits limits;
    limits.max_body_bytes = server.max_body_bytes;
    limits.header_timeout = std::chrono::seconds(server.header_timeout_seconds);
    limits.body_timeout = std::chrono::seconds(server.body_timeout_seconds);
    limits.keepalive_timeout = std::chrono::seconds(server.keepalive_timeout_seconds);
    return limits;
}

unsigned io_thread_count(const core::ServerConfig& server) {
    if (server.io_threads > 0) {
        return server.io_threads;
    }
    return std::max(1U, std::thread::hardware_concurrency());
}

}  // namespace

Daemon::Daemon(std::shared_ptr<core::ConfigStore> config)
    : config_(std::move(config)),
      control_(asio::make_strand(io_)),
      signals_(io_, SIGINT, SIGTERM, SIGHUP),
      connections_closed_(control_),
      health_([this] { return ready(); }) {
    health_.add_routes(router_);
}

Daemon::~Daemon() = default;

bool Daemon::ready() const {
    return !stopping_.load();
}

int Daemon::run() {
    const auto snapshot = config_->current();
    const auto& server = snapshot->config.server;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(server.listen_host, ec);
    if (ec) {
        spdlog::error("cannot listen on {}: {}", server.listen_host, ec.message());
        return 1;
    }
    try {
        listener_ = std::make_unique<Listener>(io_, asio::ip::tcp::endpoint(address, server.listen_port), router_,
                                               registry_, limits_from(server));
    } catch (const boost::system::system_error& error) {
        spdlog::error("cannot listen on {}:{}: {}", server.listen_host, server.listen_port, error.code().message());
        return 1;
    }
    registry_.set_empty_callback([this] { asio::post(control_, [this] { connections_closed_.cancel(); }); });

    asio::co_spawn(control_, watch_signals(), asio::detached);
    asio::co_spawn(io_, listener_->accept_connections(), asio::detached);

    const unsigned threads = io_thread_count(server);
    spdlog::info("listening on {} ({} I/O threads)", format_endpoint(listener_->local_endpoint()), threads);
    std::vector<std::jthread> pool;
    for (unsigned i = 1; i < threads; ++i) {
        pool.emplace_back([this] { io_.run(); });
    }
    io_.run();
    pool.clear();
    spdlog::info("stopped");
    return 0;
}

asio::awaitable<void> Daemon::watch_signals() {
    for (;;) {
        auto [ec, signal] = co_await signals_.async_wait(kAsTuple);
        if (ec) {
            co_return;
        }
        if (signal == SIGHUP) {
            reload_configuration();
            continue;
        }
        spdlog::info("received {}: shutting down", signal == SIGTERM ? "SIGTERM" : "SIGINT");
        co_await shut_down();
        co_return;
    }
}

void Daemon::reload_configuration() {
    try {
        const auto loaded = config_->reload();
        for (const auto& warning : loaded.warnings) {
            spdlog::warn("{}", warning);
        }
        core::set_log_level(loaded.config.log.level);
        spdlog::info("configuration reloaded from {} (generation {})", config_->path().string(),
                     config_->current()->generation);
    } catch (const core::ConfigError& error) {
        for (const auto& problem : error.problems()) {
            spdlog::error("configuration reload rejected: {}", problem);
        }
        spdlog::error("keeping configuration generation {}", config_->current()->generation);
    }
}

asio::awaitable<void> Daemon::shut_down() {
    stopping_ = true;
    const auto grace = std::chrono::seconds(config_->current()->config.server.shutdown_grace_seconds);
    listener_->stop();
    registry_.drain_all(false);
    if (!co_await await_connections_closed(grace)) {
        spdlog::warn("{} connections still open after the {} s grace period: closing them", registry_.size(),
                     grace.count());
        registry_.drain_all(true);
        co_await await_connections_closed(kForcedCloseWait);
    }
    signals_.cancel();
    io_.stop();
}

asio::awaitable<bool> Daemon::await_connections_closed(std::chrono::steady_clock::duration limit) {
    connections_closed_.expires_after(limit);
    if (registry_.size() == 0) {
        co_return true;
    }
    co_await connections_closed_.async_wait(kAsTuple);
    co_return registry_.size() == 0;
}

}  // namespace parley::server
