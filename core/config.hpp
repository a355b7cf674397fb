#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

// The whole configuration of a running daemon, as documented in docs/configuration.md.
// Plain values only: loading and validation live in config_loader.hpp.
namespace parley::core {

enum class LogFormat { text, json };
enum class SyncMode { normal, full };
enum class ProviderKind { openai, anthropic, mock };
enum class BusyPolicy { queue, interrupt, reject };
enum class ToolKind { http };

struct ServerConfig {
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 8080;
    unsigned io_threads = 0;  // 0 = hardware concurrency
    std::size_t max_body_bytes = 1024 * 1024;
    unsigned shutdown_grace_seconds = 10;
    bool metrics_require_key = false;
    unsigned header_timeout_seconds = 10;     // a request's headers must arrive within this
    unsigned body_timeout_seconds = 30;       // and its body within this
    unsigned keepalive_timeout_seconds = 75;  // an idle keep-alive connection is closed after this

    bool operator==(const ServerConfig&) const = default;
};

struct StorageConfig {
    std::string path = "parley.db";
    unsigned batch_max_ops = 50;
    unsigned batch_max_delay_ms = 100;
    unsigned read_pool_size = 0;  // 0 = auto: read_pool_threads()
    SyncMode synchronous = SyncMode::normal;
    unsigned busy_timeout_ms = 5000;
    unsigned writer_queue_capacity = 10000;

    bool operator==(const StorageConfig&) const = default;
};

// The read pool's threads: storage.read_pool_size, or when it is 0 the number of
// cores, at least 2 (a query waiting on the disk does not hold up every other) and
// at most 5. More reader threads than cores only time-slice: on 2 cores, 4 busy
// clients read with a p99 of 0.5 ms on 2 readers and 3.3 ms on 5, and 40 % more
// queries per second on 2 (docs/BENCHMARKS.md, "Storage").
[[nodiscard]] constexpr unsigned read_pool_threads(const StorageConfig& storage, unsigned cores) {
    if (storage.read_pool_size != 0) {
        return storage.read_pool_size;
    }
    return std::clamp(cores, 2U, 5U);
}

struct AgentCacheConfig {
    unsigned max_entries = 100;
    unsigned ttl_seconds = 3600;
};

struct StreamConfig {
    unsigned retained_events = 2048;
    unsigned subscriber_queue = 1024;
};

struct LogConfig {
    std::string level = "info";
    LogFormat format = LogFormat::text;
};

// An API key as the daemon keeps it: never the key itself, only its SHA-256.
struct AuthKey {
    std::string name;
    std::string tenant;
    std::string sha256_hex;
    bool admin = false;
    double rate_limit_per_second = 0;  // 0 = unlimited
    double rate_limit_burst = 0;
};

struct ProviderConfig {
    std::string name;
    ProviderKind kind = ProviderKind::mock;
    std::string base_url;
    std::string api_key_env;
    unsigned max_connections = 20;
    unsigned max_idle_connections = 10;
    unsigned keepalive_timeout_seconds = 60;  // an idle pooled connection is closed after this
    unsigned connect_timeout_ms = 5000;
    unsigned first_byte_timeout_seconds = 60;
    unsigned idle_timeout_seconds = 60;  // longest silence between two streamed chunks
    unsigned request_timeout_seconds = 300;
    unsigned max_retries = 2;
    double tokens_per_second = 50;  // mock only; 0 = as fast as possible
    std::string anthropic_version = "2023-06-01";
    // Resolved from api_key_env at load time. A secret: never logged, never serialised.
    std::string api_key;
    // False when api_key_env names an unset variable; agents then skip this provider.
    bool available = true;
};

struct AgentConfig {
    std::string name;
    std::string description;
    std::string provider;
    std::vector<std::string> fallback;
    std::string model;
    std::string system_prompt;
    std::vector<std::string> tools;
    unsigned max_iterations = 8;
    BusyPolicy busy_policy = BusyPolicy::queue;
    std::optional<double> temperature;
    std::optional<unsigned> max_tokens;
    unsigned context_tokens = 32000;  // history budget sent to the model, estimated
    // provider followed by fallback, keeping only the available ones; never empty once loaded.
    std::vector<std::string> provider_chain;
};

struct ToolConfig {
    std::string name;
    ToolKind kind = ToolKind::http;
    std::string url;
    std::string description;
    unsigned timeout_seconds = 10;
    std::size_t max_response_bytes = 64 * 1024;
    boost::json::object parameters;
};

// The built-in web_fetch tool ([web_fetch]). It refuses every non-public
// destination (loopback, private, link-local, unique-local, multicast,
// unspecified, reserved, cloud metadata) after DNS resolution unless opened here.
struct WebFetchConfig {
    // Host names, IP addresses or CIDR networks that may be fetched although not public.
    std::vector<std::string> allow_hosts;
    bool allow_private = false;  // true: every non-public address but cloud metadata
    unsigned timeout_seconds = 15;
    std::size_t max_response_bytes = 2 * 1024 * 1024;  // bytes read from the server at most
    std::size_t max_output_bytes = 64 * 1024;          // extracted text handed to the model at most
};

struct Config {
    ServerConfig server;
    StorageConfig storage;
    AgentCacheConfig agent_cache;
    StreamConfig stream;
    LogConfig log;
    std::vector<AuthKey> auth_keys;
    std::map<std::string, ProviderConfig> providers;
    std::map<std::string, AgentConfig> agents;
    std::map<std::string, ToolConfig> tools;
    WebFetchConfig web_fetch;

    // Open dev mode: no keys configured, every request is the "default" tenant.
    [[nodiscard]] bool open_mode() const { return auth_keys.empty(); }
};

[[nodiscard]] std::string_view to_string(ProviderKind kind);
[[nodiscard]] std::string_view to_string(BusyPolicy policy);
[[nodiscard]] std::string_view to_string(LogFormat format);
[[nodiscard]] std::string_view to_string(SyncMode mode);

}  // namespace parley::core
