#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "core/config_store.hpp"
#include "server/connection_registry.hpp"
#include "server/handlers/health_handlers.hpp"
#include "server/listener.hpp"
#include "server/router.hpp"

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
    boost::asio::awaitable<void> watch_signals();
    boost::asio::awaitable<void> shut_down();
    boost::asio::awaitable<bool> await_connections_closed(std::chrono::steady_clock::duration limit);
    void reload_configuration();
    [[nodiscard]] bool ready() const;

    std::shared_ptr<core::ConfigStore> config_;
    boost::asio::io_context io_;
    boost::asio::strand<boost::asio::io_context::executor_type> control_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer connections_closed_;
    Router router_;
    ConnectionRegistry registry_;
    HealthHandlers health_;
    std::unique_ptr<Listener> listener_;
    std::atomic<bool> stopping_{false};
};

}  // namespace parley::server
