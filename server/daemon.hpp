#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "core/clock.hpp"
#include "core/config_store.hpp"
#include "core/metrics/metrics_registry.hpp"
#include "core/net/http_client.hpp"
#include "core/providers/provider_metrics.hpp"
#include "core/session_service.hpp"
#include "core/stream/stream_hub.hpp"
#include "core/tools/blocking_pool.hpp"
#include "server/api_routes.hpp"
#include "server/auth/access_gate.hpp"
#include "server/connection_registry.hpp"
#include "server/handlers/health_handlers.hpp"
#include "server/http_metrics.hpp"
#include "server/io_threads.hpp"
#include "server/listener.hpp"
#include "server/router.hpp"
#include "storage/sqlite_store.hpp"

namespace parley::server {

// The running daemon: owns the I/O threads, the listener, the routes and the
// services behind them, and the process lifecycle (signals, reload, shutdown).
class Daemon {
public:
    explicit Daemon(std::shared_ptr<core::ConfigStore> config);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Listens, serves until SIGTERM/SIGINT, shuts down gracefully; returns the exit code.
    int run();

private:
    boost::asio::awaitable<void> start_serving(unsigned threads);
    boost::asio::awaitable<void> watch_signals();
    // Every second, closes upstream connections idle past their provider's keepalive.
    boost::asio::awaitable<void> close_idle_upstream_connections();
    boost::asio::awaitable<void> shut_down();
    boost::asio::awaitable<bool> await_connections_closed(std::chrono::steady_clock::duration limit);
    void reload_configuration();
    [[nodiscard]] bool ready() const;
    [[nodiscard]] std::shared_ptr<const core::AgentRuntime> build_runtime(
        std::shared_ptr<const core::ConfigSnapshot> snapshot);

    std::shared_ptr<core::ConfigStore> config_;
    // Declared first, destroyed last: everything below may hold its I/O objects.
    IoThreads io_threads_;
    boost::asio::io_context& io_;
    // The services behind the routes, in the order they are built (and torn down in reverse).
    std::unique_ptr<storage::SqliteStore> store_;
    core::MetricsRegistry metrics_;
    core::ProviderMetrics provider_metrics_{metrics_};
    core::HttpClient http_{io_.get_executor()};
    core::BlockingPool blocking_;
    core::SteadyClock clock_;
    std::unique_ptr<core::StreamHub> hub_;
    std::unique_ptr<core::SessionService> sessions_;
    boost::asio::strand<boost::asio::io_context::executor_type> control_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer connections_closed_;
    Router router_;
    ConnectionRegistry registry_;
    AccessGate gate_{config_, clock_};
    HttpMetrics http_metrics_{metrics_};
    HealthHandlers health_;
    std::unique_ptr<ApiRoutes> api_;
    std::unique_ptr<ConnectionServices> connection_services_;
    std::unique_ptr<Listener> listener_;
    std::atomic<bool> stopping_{false};
    int exit_code_ = 0;
};

}  // namespace parley::server
