#include "server/handlers/metrics_handler.hpp"

#include <string>

#include "core/metrics/metric_format.hpp"
#include "server/response.hpp"

namespace parley::server {
namespace {

void register_turn_metrics(core::MetricsRegistry& registry, const core::SessionService& sessions) {
    registry.collected_family("parley_turns_active", "Turns running now", "gauge",
                              [&sessions](std::string& out, std::string_view name) {
                                  core::append_sample(out, name, "", static_cast<double>(sessions.turn_stats().active));
                              });
    registry.collected_family(
        "parley_turns_total", "Turns ended, by outcome", "counter",
        [&sessions](std::string& out, std::string_view name) {
            const auto stats = sessions.turn_stats();
            core::append_sample(out, name, R"(outcome="completed")", static_cast<double>(stats.completed));
            core::append_sample(out, name, R"(outcome="interrupted")", static_cast<double>(stats.interrupted));
            core::append_sample(out, name, R"(outcome="failed")", static_cast<double>(stats.failed));
        });
}

void register_cache_metrics(core::MetricsRegistry& registry, const core::SessionService& sessions) {
    using Field = std::uint64_t core::AgentCacheStats::*;
    const auto add = [&](std::string name, std::string help, std::string type, Field field) {
        registry.collected_family(std::move(name), std::move(help), std::move(type),
                                  [&sessions, field](std::string& out, std::string_view metric) {
                                      const auto stats = sessions.cache_stats();
                                      core::append_sample(out, metric, "", static_cast<double>(stats.*field));
                                  });
    };
    add("parley_agent_cache_hits_total", "Agent cache lookups served from the cache", "counter",
        &core::AgentCacheStats::hits);
    add("parley_agent_cache_misses_total", "Agent cache lookups that loaded the agent from storage", "counter",
        &core::AgentCacheStats::misses);
    add("parley_agent_cache_evictions_total", "Agents evicted by the LRU bound or the idle TTL", "counter",
        &core::AgentCacheStats::evictions);
    registry.collected_family("parley_agent_cache_entries", "Agents in the cache now", "gauge",
                              [&sessions](std::string& out, std::string_view name) {
                                  core::append_sample(out, name, "",
                                                      static_cast<double>(sessions.cache_stats().entries));
                              });
}

void register_writer_metrics(core::MetricsRegistry& registry, const storage::Store& store) {
    registry.collected_family("parley_writer_queue_depth", "Storage operations waiting for the writer", "gauge",
                              [&store](std::string& out, std::string_view name) {
                                  core::append_sample(out, name, "", static_cast<double>(store.stats().queue_depth));
                              });
    registry.collected_family("parley_writer_batch_size", "Operations per storage commit", "histogram",
                              [&store](std::string& out, std::string_view name) {
                                  const auto batch = store.stats().batch_size;
                                  core::append_histogram(out, name, "", batch.bounds, batch.cumulative, batch.sum,
                                                         batch.count);
                              });
    registry.collected_family("parley_writer_commit_duration_seconds", "Time from BEGIN to COMMIT of a storage batch",
                              "histogram", [&store](std::string& out, std::string_view name) {
                                  const auto commit = store.stats().commit_duration;
                                  core::append_histogram(out, name, "", commit.bounds, commit.cumulative, commit.sum,
                                                         commit.count);
                              });
}

}  // namespace

MetricsHandler::MetricsHandler(core::MetricsRegistry& registry, const core::SessionService& sessions,
                               const storage::Store& store)
    : registry_(registry) {
    register_turn_metrics(registry, sessions);
    register_cache_metrics(registry, sessions);
    register_writer_metrics(registry, store);
}

void MetricsHandler::add_routes(Router& router) {
    router.add(
        http::verb::get, "/metrics", [this](RequestContext& context) { return metrics(context); },
        RouteAccess::metrics);
}

boost::asio::awaitable<Response> MetricsHandler::metrics(RequestContext& context) {
    Response response{http::status::ok, context.request.version()};
    response.set(http::field::content_type, core::MetricsRegistry::kContentType);
    response.keep_alive(context.request.keep_alive());
    response.body() = registry_.render();
    response.prepare_payload();
    co_return response;
}

}  // namespace parley::server
