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
#include <boost/asio/use_future.hpp>

#include "core/logging.hpp"

namespace parley::server {
namespace {

namespace asio = boost::asio;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
// After the grace period, force-closed connections get this long to unwind.
constexpr std::chrono::seconds kForcedCloseWait{2};
// How late past its keepalive an idle upstream connection may be closed.
constexpr std::chrono::seconds kIdleUpstreamSweepInterval{1};

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

storage::Options storage_options(const core::StorageConfig& config) {
    storage::Options options;
    options.path = config.path;
    options.batch_max_ops = config.batch_max_ops;
    options.batch_max_delay_ms = config.batch_max_delay_ms;
    options.read_pool_size = core::read_pool_threads(config, std::thread::hardware_concurrency());
    options.synchronous =
        config.synchronous == core::SyncMode::full ? storage::SyncMode::full : storage::SyncMode::normal;
    options.busy_timeout_ms = config.busy_timeout_ms;
    options.writer_queue_capacity = config.writer_queue_capacity;
    return options;
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
      io_threads_(io_thread_count(config_->current()->config.server)),
      io_(io_threads_.primary()),
      control_(asio::make_strand(io_)),
      signals_(io_, SIGINT, SIGTERM, SIGHUP),
      connections_closed_(control_),
      health_([this] { return ready(); }) {
    health_.add_routes(router_);
}

Daemon::~Daemon() = default;

bool Daemon::ready() const {
    return !stopping_.load() && store_ && store_->alive();
}

std::shared_ptr<const core::AgentRuntime> Daemon::build_runtime(std::shared_ptr<const core::ConfigSnapshot> snapshot) {
    auto runtime = std::make_shared<core::AgentRuntime>();
    runtime->providers =
        std::make_shared<core::ProviderRegistry>(snapshot->config, http_, provider_metrics_, snapshot->generation);
    runtime->tools = std::make_shared<core::ToolRegistry>(snapshot->config, http_, blocking_);
    runtime->config = std::move(snapshot);
    return runtime;
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
    connection_services_ = std::make_unique<ConnectionServices>(
        ConnectionServices{router_, gate_, registry_, http_metrics_, limits_from(server)});
    try {
        listener_ = std::make_unique<Listener>(io_, io_threads_, asio::ip::tcp::endpoint(address, server.listen_port),
                                               *connection_services_);
    } catch (const boost::system::system_error& error) {
        spdlog::error("cannot listen on {}:{}: {}", server.listen_host, server.listen_port, error.code().message());
        return 1;
    }
    registry_.set_empty_callback([this] { asio::post(control_, [this] { connections_closed_.cancel(); }); });

    try {
        store_ = std::make_unique<storage::SqliteStore>(storage_options(snapshot->config.storage));
    } catch (const std::exception& error) {
        spdlog::error("cannot open the database {}: {}", snapshot->config.storage.path, error.what());
        return 1;
    }
    spdlog::info("database {} opened ({} reader threads)", snapshot->config.storage.path, store_->readers().size());
    hub_ = std::make_unique<core::StreamHub>(
        core::StreamHubOptions{snapshot->config.stream.retained_events, snapshot->config.stream.subscriber_queue});
    sessions_ = std::make_unique<core::SessionService>(
        io_.get_executor(), *store_, *hub_,
        core::AgentCacheOptions{snapshot->config.agent_cache.max_entries,
                                std::chrono::seconds(snapshot->config.agent_cache.ttl_seconds)},
        clock_, build_runtime(snapshot));
    api_ = std::make_unique<ApiRoutes>(ApiServices{*sessions_, *store_, config_, metrics_, http_metrics_, registry_},
                                       router_);

    asio::co_spawn(control_, watch_signals(), asio::detached);
    asio::co_spawn(io_, start_serving(io_threads_.size()), asio::detached);
    io_threads_.run();
    sessions_.reset();
    store_->close();
    spdlog::info("stopped");
    return exit_code_;
}

// Recovers what an unclean stop left behind, then accepts connections.
asio::awaitable<void> Daemon::start_serving(unsigned threads) {
    try {
        (void)co_await sessions_->recover();
    } catch (const std::exception& error) {
        spdlog::error("start-up recovery failed: {}", error.what());
        exit_code_ = 1;
        signals_.cancel();
        io_.stop();
        co_return;
    }
    sessions_->cache().start();
    asio::co_spawn(io_, close_idle_upstream_connections(), asio::detached);
    asio::co_spawn(io_, listener_->accept_connections(), asio::detached);
    spdlog::info("listening on {} ({} I/O threads)", format_endpoint(listener_->local_endpoint()), threads);
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

asio::awaitable<void> Daemon::close_idle_upstream_connections() {
    asio::steady_timer timer(io_);
    while (!stopping_) {
        timer.expires_after(kIdleUpstreamSweepInterval);
        auto [ec] = co_await timer.async_wait(kAsTuple);
        if (ec) {
            co_return;
        }
        if (const auto closed = http_.close_expired_idle(); closed > 0) {
            spdlog::debug("closed {} idle upstream connections past their keepalive", closed);
        }
    }
}

void Daemon::reload_configuration() {
    try {
        const auto loaded = config_->reload();
        for (const auto& warning : loaded.warnings) {
            spdlog::warn("{}", warning);
        }
        core::set_log_level(loaded.config.log.level);
        sessions_->reload(build_runtime(config_->current()));
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
    // Running turns get the grace period, then are interrupted (partial replies stored).
    co_await sessions_->shut_down(std::chrono::duration_cast<std::chrono::milliseconds>(grace));
    hub_->close_all(core::SubscriberClose::shutdown);
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
