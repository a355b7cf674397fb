#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "core/agent_runtime.hpp"
#include "core/config_loader.hpp"
#include "core/metrics/metrics_registry.hpp"
#include "core/net/http_client.hpp"
#include "core/providers/provider_metrics.hpp"
#include "core/session_service.hpp"
#include "core/tools/blocking_pool.hpp"
#include "storage/sqlite_store.hpp"

namespace parley::bench {

// A SessionService and everything it needs, wired as server/daemon.cpp wires
// them, from a configuration text (TOML), on `threads` threads of one io_context.
class ServiceRuntime {
public:
    ServiceRuntime(const std::string& config_text, const std::string& database, unsigned threads,
                   core::AgentCacheOptions cache = {})
        : work_(boost::asio::make_work_guard(io_)),
          store_(store_options(database)),
          hub_(core::StreamHubOptions{}),
          http_(io_.get_executor()),
          provider_metrics_(metrics_) {
        auto loaded =
            core::load_config_string(config_text, "bench.toml", [](std::string_view) { return std::nullopt; });
        auto snapshot = std::make_shared<const core::ConfigSnapshot>(core::ConfigSnapshot{loaded.config, 1});
        auto runtime = std::make_shared<core::AgentRuntime>();
        runtime->config = snapshot;
        runtime->providers = std::make_shared<core::ProviderRegistry>(snapshot->config, http_, provider_metrics_, 1);
        runtime->tools = std::make_shared<core::ToolRegistry>(snapshot->config, http_, blocking_);
        service_ = std::make_unique<core::SessionService>(io_.get_executor(), store_, hub_, cache, clock_, runtime);
        for (unsigned i = 0; i < threads; ++i) {
            threads_.emplace_back([this] { io_.run(); });
        }
    }

    ~ServiceRuntime() {
        run(service_->shut_down(std::chrono::seconds(1)));
        service_.reset();
        work_.reset();
        io_.stop();
        threads_.clear();
        store_.close();
    }
    ServiceRuntime(const ServiceRuntime&) = delete;
    ServiceRuntime& operator=(const ServiceRuntime&) = delete;

    // Runs `task` on the io_context and waits for its result.
    template <typename T>
    T run(boost::asio::awaitable<T> task) {
        return boost::asio::co_spawn(io_, std::move(task), boost::asio::use_future).get();
    }

    core::SessionService& service() { return *service_; }
    boost::asio::io_context& io() { return io_; }
    core::StreamHub& hub() { return hub_; }

private:
    static storage::Options store_options(const std::string& path) {
        storage::Options options;
        options.path = path;
        return options;
    }

    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    storage::SqliteStore store_;
    core::StreamHub hub_;
    core::HttpClient http_;
    core::MetricsRegistry metrics_;
    core::ProviderMetrics provider_metrics_;
    core::BlockingPool blocking_;
    core::SteadyClock clock_;
    std::unique_ptr<core::SessionService> service_;
    std::vector<std::jthread> threads_;
};

}  // namespace parley::bench
