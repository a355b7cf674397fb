#include "core/config_loader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>
#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include "core/secret_hash.hpp"
#include "core/tools/address_policy.hpp"

namespace parley::core {
namespace {

constexpr std::int64_t kMaxPort = 65535;
constexpr std::int64_t kMaxThreads = 256;
constexpr std::int64_t kMinBodyBytes = 1024;
constexpr std::int64_t kMaxBodyBytes = std::int64_t{1} << 30;
constexpr std::int64_t kOneHour = 3600;
constexpr std::int64_t kOneDay = 24 * kOneHour;
constexpr std::int64_t kThirtyDays = 30 * kOneDay;
constexpr std::size_t kSha256HexLength = 64;

std::string quote(std::string_view text) {
    return fmt::format("\"{}\"", text);
}

std::string describe(const toml::node& node) {
    std::ostringstream out;
    if (const auto* text = node.as_string()) {
        return quote(text->get());
    }
    if (node.is_table()) {
        return "a table";
    }
    if (node.is_array()) {
        return "an array";
    }
    node.visit([&out](const auto& value) { out << value; });
    return out.str();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// Collects every problem instead of stopping at the first, so one run of
// --check-config shows an operator everything to fix.
class Problems {
public:
    void add(std::string problem) { items_.push_back(std::move(problem)); }
    void invalid(std::string_view key, std::string_view value, std::string_view allowed) {
        add(fmt::format("{}: {} is not allowed: expected {}", key, value, allowed));
    }
    [[nodiscard]] bool empty() const { return items_.empty(); }
    std::vector<std::string> take() { return std::move(items_); }

private:
    std::vector<std::string> items_;
};

// Reads one TOML table, remembering which keys were consumed so that the
// leftovers can be reported as unknown (a typo must never be silently ignored).
class TableReader {
public:
    TableReader(const toml::table* table, std::string prefix, Problems& problems)
        : table_(table), prefix_(std::move(prefix)), problems_(problems) {}

    [[nodiscard]] std::string key_path(std::string_view key) const {
        return prefix_.empty() ? std::string(key) : fmt::format("{}.{}", prefix_, key);
    }

    const toml::node* node(std::string_view key) {
        known_.emplace(key);
        return table_ == nullptr ? nullptr : table_->get(key);
    }

    const toml::table* table(std::string_view key) {
        const auto* found = node(key);
        if (found == nullptr) {
            return nullptr;
        }
        if (!found->is_table()) {
            problems_.invalid(key_path(key), describe(*found), "a table");
            return nullptr;
        }
        return found->as_table();
    }

    void string(std::string_view key, std::string& out) {
        if (const auto* found = node(key)) {
            if (const auto* text = found->as_string()) {
                out = text->get();
            } else {
                problems_.invalid(key_path(key), describe(*found), "a string");
            }
        }
    }

    void boolean(std::string_view key, bool& out) {
        if (const auto* found = node(key)) {
            if (const auto* flag = found->as_boolean()) {
                out = flag->get();
            } else {
                problems_.invalid(key_path(key), describe(*found), "true or false");
            }
        }
    }

    template <typename Integer>
    void integer(std::string_view key, Integer& out, std::int64_t min, std::int64_t max) {
        const auto* found = node(key);
        if (found == nullptr) {
            return;
        }
        const auto* number = found->as_integer();
        if (number == nullptr || number->get() < min || number->get() > max) {
            problems_.invalid(key_path(key), describe(*found), fmt::format("an integer from {} to {}", min, max));
            return;
        }
        out = static_cast<Integer>(number->get());
    }

    void number(std::string_view key, double& out, double min, double max) {
        const auto* found = node(key);
        if (found == nullptr) {
            return;
        }
        std::optional<double> value;
        if (const auto* real = found->as_floating_point()) {
            value = real->get();
        } else if (const auto* whole = found->as_integer()) {
            value = static_cast<double>(whole->get());
        }
        if (!value || !std::isfinite(*value) || *value < min || *value > max) {
            problems_.invalid(key_path(key), describe(*found), fmt::format("a number from {} to {}", min, max));
            return;
        }
        out = *value;
    }

    template <typename Enum, std::size_t N>
    void choice(std::string_view key, Enum& out, const std::pair<std::string_view, Enum> (&options)[N]) {
        const auto* found = node(key);
        if (found == nullptr) {
            return;
        }
        std::vector<std::string_view> names;
        for (const auto& [name, value] : options) {
            names.push_back(name);
            if (const auto* text = found->as_string(); text != nullptr && text->get() == name) {
                out = value;
                return;
            }
        }
        problems_.invalid(key_path(key), describe(*found), fmt::format("one of {}", fmt::join(names, ", ")));
    }

    void strings(std::string_view key, std::vector<std::string>& out) {
        const auto* found = node(key);
        if (found == nullptr) {
            return;
        }
        const auto* array = found->as_array();
        if (array == nullptr || !array->is_homogeneous(toml::node_type::string)) {
            if (array == nullptr || !array->empty()) {
                problems_.invalid(key_path(key), describe(*found), "an array of strings");
                return;
            }
        }
        out.clear();
        for (const auto& item : *array) {
            out.emplace_back(item.as_string()->get());
        }
    }

    // Reports every key of this table that no reader asked for, with the closest known key.
    void report_unknown() {
        if (table_ == nullptr) {
            return;
        }
        for (const auto& [key, value] : *table_) {
            const std::string_view name = key.str();
            if (known_.contains(std::string(name))) {
                continue;
            }
            std::string hint;
            std::size_t best = std::numeric_limits<std::size_t>::max();
            for (const auto& candidate : known_) {
                const auto distance = edit_distance(name, candidate);
                if (distance < best && distance <= 3) {
                    best = distance;
                    hint = fmt::format(" (did you mean \"{}\"?)", candidate);
                }
            }
            problems_.add(fmt::format("{}: unknown key{}", key_path(name), hint));
        }
    }

private:
    const toml::table* table_;
    std::string prefix_;
    Problems& problems_;
    std::set<std::string, std::less<>> known_;
};

boost::json::value to_json(const toml::node& node) {
    if (const auto* table = node.as_table()) {
        boost::json::object object;
        for (const auto& [key, value] : *table) {
            object[key.str()] = to_json(value);
        }
        return object;
    }
    if (const auto* array = node.as_array()) {
        boost::json::array items;
        for (const auto& item : *array) {
            items.push_back(to_json(item));
        }
        return items;
    }
    if (const auto* text = node.as_string()) {
        return boost::json::value(text->get());
    }
    if (const auto* whole = node.as_integer()) {
        return boost::json::value(whole->get());
    }
    if (const auto* real = node.as_floating_point()) {
        return boost::json::value(real->get());
    }
    if (const auto* flag = node.as_boolean()) {
        return boost::json::value(flag->get());
    }
    return boost::json::value(describe(node));
}

bool valid_name(std::string_view name) {
    static const std::regex pattern("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    return std::regex_match(name.begin(), name.end(), pattern);
}

bool valid_http_url(std::string_view text) {
    const auto parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed) {
        return false;
    }
    const auto scheme = parsed->scheme();
    return (scheme == "http" || scheme == "https") && !parsed->host().empty();
}

}  // namespace

bool is_loopback_host(std::string_view host) {
    if (host == "localhost") {
        return true;
    }
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(host, ec);
    return !ec && address.is_loopback();
}

namespace {

void read_listen(std::string_view key, std::string_view text, ServerConfig& server, Problems& problems) {
    constexpr std::string_view kAllowed = "HOST:PORT with an IP address or localhost and a port from 0 to 65535";
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
        problems.invalid(key, quote(text), kAllowed);
        return;
    }
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    std::int64_t port = -1;
    if (port_text.size() <= 5 &&
        std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        port = std::stoll(std::string(port_text));
    }
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(host, ec);
    if (port < 0 || port > kMaxPort || (ec && host != "localhost")) {
        problems.invalid(key, quote(text), kAllowed);
        return;
    }
    server.listen_host = host == "localhost" ? "127.0.0.1" : std::string(host);
    server.listen_port = static_cast<std::uint16_t>(port);
}

void read_server(TableReader& root, Config& config, Problems& problems) {
    TableReader reader(root.table("server"), "server", problems);
    auto& server = config.server;
    std::string listen;
    reader.string("listen", listen);
    if (!listen.empty()) {
        read_listen("server.listen", listen, server, problems);
    } else if (reader.node("listen") != nullptr) {
        problems.invalid("server.listen", "\"\"", "HOST:PORT");
    }
    reader.integer("io_threads", server.io_threads, 0, kMaxThreads);
    reader.integer("max_body_bytes", server.max_body_bytes, kMinBodyBytes, kMaxBodyBytes);
    reader.integer("shutdown_grace_seconds", server.shutdown_grace_seconds, 0, kOneHour);
    reader.boolean("metrics_require_key", server.metrics_require_key);
    reader.integer("header_timeout_seconds", server.header_timeout_seconds, 1, kOneHour);
    reader.integer("body_timeout_seconds", server.body_timeout_seconds, 1, kOneHour);
    reader.integer("keepalive_timeout_seconds", server.keepalive_timeout_seconds, 1, kOneDay);
    reader.report_unknown();
}

void read_storage(TableReader& root, Config& config, Problems& problems) {
    TableReader reader(root.table("storage"), "storage", problems);
    auto& storage = config.storage;
    reader.string("path", storage.path);
    if (storage.path.empty()) {
        problems.invalid("storage.path", "\"\"", "a file path or \":memory:\"");
    }
    reader.integer("batch_max_ops", storage.batch_max_ops, 1, 10000);
    reader.integer("batch_max_delay_ms", storage.batch_max_delay_ms, 0, 10000);
    reader.integer("read_pool_size", storage.read_pool_size, 0, 64);
    reader.choice(
        "synchronous", storage.synchronous,
        {std::pair{std::string_view("normal"), SyncMode::normal}, std::pair{std::string_view("full"), SyncMode::full}});
    reader.integer("busy_timeout_ms", storage.busy_timeout_ms, 0, 60000);
    reader.integer("writer_queue_capacity", storage.writer_queue_capacity, 16, 10000000);
    reader.report_unknown();
}

void read_cache_stream_log(TableReader& root, Config& config, Problems& problems) {
    TableReader cache(root.table("agent_cache"), "agent_cache", problems);
    cache.integer("max_entries", config.agent_cache.max_entries, 1, 10000000);
    cache.integer("ttl_seconds", config.agent_cache.ttl_seconds, 1, kThirtyDays);
    cache.report_unknown();

    TableReader stream(root.table("stream"), "stream", problems);
    stream.integer("retained_events", config.stream.retained_events, 16, 1000000);
    stream.integer("subscriber_queue", config.stream.subscriber_queue, 8, 1000000);
    stream.report_unknown();

    TableReader log(root.table("log"), "log", problems);
    log.string("level", config.log.level);
    log.choice(
        "format", config.log.format,
        {std::pair{std::string_view("text"), LogFormat::text}, std::pair{std::string_view("json"), LogFormat::json}});
    log.report_unknown();
}

void read_auth(TableReader& root, Config& config, const Environment& env, Problems& problems) {
    TableReader auth(root.table("auth"), "auth", problems);
    const auto* keys = auth.node("keys");
    auth.report_unknown();
    if (keys == nullptr) {
        return;
    }
    const auto* array = keys->as_array();
    if (array == nullptr || !array->is_homogeneous(toml::node_type::table)) {
        problems.invalid("auth.keys", describe(*keys), "an array of tables ([[auth.keys]])");
        return;
    }
    std::set<std::string> names;
    for (std::size_t index = 0; index < array->size(); ++index) {
        const std::string prefix = fmt::format("auth.keys[{}]", index);
        TableReader reader(array->get(index)->as_table(), prefix, problems);
        AuthKey key;
        std::string key_env;
        std::string sha256;
        reader.string("name", key.name);
        reader.string("tenant", key.tenant);
        reader.string("key_env", key_env);
        reader.string("sha256", sha256);
        reader.boolean("admin", key.admin);
        reader.number("rate_limit_per_second", key.rate_limit_per_second, 0, 1e6);
        reader.number("rate_limit_burst", key.rate_limit_burst, 0, 1e6);
        reader.report_unknown();

        if (!valid_name(key.name)) {
            problems.invalid(prefix + ".name", quote(key.name), "1-64 characters of letters, digits, '_', '.', '-'");
        } else if (!names.insert(key.name).second) {
            problems.invalid(prefix + ".name", quote(key.name), "a name no other key uses");
        }
        if (!valid_name(key.tenant)) {
            problems.invalid(prefix + ".tenant", quote(key.tenant),
                             "1-64 characters of letters, digits, '_', '.', '-'");
        }
        if (key_env.empty() == sha256.empty()) {
            problems.add(fmt::format("{}: exactly one of key_env and sha256 is required", prefix));
        } else if (!key_env.empty()) {
            const auto secret = env(key_env);
            if (!secret || secret->empty()) {
                problems.add(fmt::format("{}.key_env: environment variable {} is not set", prefix, key_env));
            } else {
                key.sha256_hex = sha256_hex(*secret);
            }
        } else {
            std::string lower = sha256;
            std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
            if (lower.size() != kSha256HexLength || lower.find_first_not_of("0123456789abcdef") != std::string::npos) {
                problems.invalid(prefix + ".sha256", quote(sha256), "64 hexadecimal digits (the SHA-256 of the key)");
            }
            key.sha256_hex = lower;
        }
        if (key.rate_limit_per_second > 0 && key.rate_limit_burst < 1) {
            key.rate_limit_burst = std::max(1.0, key.rate_limit_per_second);
        }
        config.auth_keys.push_back(std::move(key));
    }
}

void read_providers(TableReader& root, Config& config, const Environment& env, Problems& problems,
                    std::vector<std::string>& warnings) {
    const auto* providers = root.table("providers");
    if (providers == nullptr) {
        return;
    }
    for (const auto& [name_key, node] : *providers) {
        const std::string name(name_key.str());
        const std::string prefix = "providers." + name;
        if (!valid_name(name)) {
            problems.invalid(prefix, quote(name), "a provider name of letters, digits, '_', '.', '-'");
            continue;
        }
        if (!node.is_table()) {
            problems.invalid(prefix, describe(node), "a table");
            continue;
        }
        TableReader reader(node.as_table(), prefix, problems);
        ProviderConfig provider;
        provider.name = name;
        if (reader.node("kind") == nullptr) {
            problems.add(fmt::format("{}.kind: required: one of openai, anthropic, mock", prefix));
        }
        reader.choice("kind", provider.kind,
                      {std::pair{std::string_view("openai"), ProviderKind::openai},
                       std::pair{std::string_view("anthropic"), ProviderKind::anthropic},
                       std::pair{std::string_view("mock"), ProviderKind::mock}});
        if (provider.kind == ProviderKind::openai) {
            provider.base_url = "https://api.openai.com/v1";
            provider.api_key_env = "OPENAI_API_KEY";
        } else if (provider.kind == ProviderKind::anthropic) {
            provider.base_url = "https://api.anthropic.com/v1";
            provider.api_key_env = "ANTHROPIC_API_KEY";
        }
        reader.string("base_url", provider.base_url);
        reader.string("api_key_env", provider.api_key_env);
        reader.integer("max_connections", provider.max_connections, 1, 10000);
        reader.integer("max_idle_connections", provider.max_idle_connections, 0, 10000);
        reader.integer("keepalive_timeout_seconds", provider.keepalive_timeout_seconds, 1, kOneDay);
        reader.integer("connect_timeout_ms", provider.connect_timeout_ms, 1, 600000);
        reader.integer("first_byte_timeout_seconds", provider.first_byte_timeout_seconds, 1, kOneHour);
        reader.integer("idle_timeout_seconds", provider.idle_timeout_seconds, 1, kOneHour);
        reader.integer("request_timeout_seconds", provider.request_timeout_seconds, 1, kOneDay);
        reader.integer("max_retries", provider.max_retries, 0, 10);
        reader.number("tokens_per_second", provider.tokens_per_second, 0, 1e6);
        reader.string("anthropic_version", provider.anthropic_version);
        reader.report_unknown();

        if (provider.kind != ProviderKind::mock) {
            if (!valid_http_url(provider.base_url)) {
                problems.invalid(prefix + ".base_url", quote(provider.base_url), "an http:// or https:// URL");
            }
            if (!provider.api_key_env.empty()) {
                const auto secret = env(provider.api_key_env);
                if (secret && !secret->empty()) {
                    provider.api_key = *secret;
                } else {
                    provider.available = false;
                    warnings.push_back(
                        fmt::format("provider {}: environment variable {} is not set; the provider is "
                                    "unavailable and agents use their fallbacks",
                                    name, provider.api_key_env));
                }
            }
        }
        if (provider.max_idle_connections > provider.max_connections) {
            provider.max_idle_connections = provider.max_connections;
        }
        config.providers.emplace(name, std::move(provider));
    }
}

void read_tools(TableReader& root, Config& config, Problems& problems) {
    const auto* tools = root.table("tools");
    if (tools == nullptr) {
        return;
    }
    for (const auto& [name_key, node] : *tools) {
        const std::string name(name_key.str());
        const std::string prefix = "tools." + name;
        if (!valid_name(name)) {
            problems.invalid(prefix, quote(name), "a tool name of letters, digits, '_', '.', '-'");
            continue;
        }
        if (std::find(std::begin(kBuiltinTools), std::end(kBuiltinTools), name) != std::end(kBuiltinTools)) {
            problems.invalid(prefix, quote(name), "a name that is not a built-in tool (todo, web_fetch)");
            continue;
        }
        if (!node.is_table()) {
            problems.invalid(prefix, describe(node), "a table");
            continue;
        }
        TableReader reader(node.as_table(), prefix, problems);
        ToolConfig tool;
        tool.name = name;
        reader.choice("kind", tool.kind, {std::pair{std::string_view("http"), ToolKind::http}});
        reader.string("url", tool.url);
        reader.string("description", tool.description);
        reader.integer("timeout_seconds", tool.timeout_seconds, 1, kOneHour);
        reader.integer("max_response_bytes", tool.max_response_bytes, 1, 64 * 1024 * 1024);
        tool.parameters = {{"type", "object"}, {"properties", boost::json::object{}}};
        if (const auto* parameters = reader.node("parameters")) {
            if (parameters->is_table()) {
                tool.parameters = to_json(*parameters).as_object();
            } else {
                problems.invalid(prefix + ".parameters", describe(*parameters), "a table holding a JSON schema");
            }
        }
        reader.report_unknown();
        if (!valid_http_url(tool.url)) {
            problems.invalid(prefix + ".url", quote(tool.url), "an http:// or https:// URL");
        }
        config.tools.emplace(name, std::move(tool));
    }
}

void read_web_fetch(TableReader& root, Config& config, Problems& problems) {
    TableReader reader(root.table("web_fetch"), "web_fetch", problems);
    auto& web_fetch = config.web_fetch;
    reader.strings("allow_hosts", web_fetch.allow_hosts);
    reader.boolean("allow_private", web_fetch.allow_private);
    reader.integer("timeout_seconds", web_fetch.timeout_seconds, 1, kOneHour);
    reader.integer("max_response_bytes", web_fetch.max_response_bytes, 1024, 256 * 1024 * 1024);
    reader.integer("max_output_bytes", web_fetch.max_output_bytes, 256, 16 * 1024 * 1024);
    reader.report_unknown();
    for (const auto& entry : web_fetch.allow_hosts) {
        if (!AddressPolicy::valid_entry(entry)) {
            problems.invalid("web_fetch.allow_hosts", quote(entry), "host names, IP addresses or CIDR networks");
        }
    }
}

void read_agents(TableReader& root, Config& config, Problems& problems, std::vector<std::string>& warnings) {
    const auto* agents = root.table("agents");
    if (agents == nullptr) {
        return;
    }
    for (const auto& [name_key, node] : *agents) {
        const std::string name(name_key.str());
        const std::string prefix = "agents." + name;
        if (!valid_name(name)) {
            problems.invalid(prefix, quote(name), "an agent name of letters, digits, '_', '.', '-'");
            continue;
        }
        if (!node.is_table()) {
            problems.invalid(prefix, describe(node), "a table");
            continue;
        }
        TableReader reader(node.as_table(), prefix, problems);
        AgentConfig agent;
        agent.name = name;
        reader.string("description", agent.description);
        reader.string("provider", agent.provider);
        reader.strings("fallback", agent.fallback);
        reader.string("model", agent.model);
        reader.string("system_prompt", agent.system_prompt);
        reader.strings("tools", agent.tools);
        reader.integer("max_iterations", agent.max_iterations, 1, 100);
        reader.choice("busy_policy", agent.busy_policy,
                      {std::pair{std::string_view("queue"), BusyPolicy::queue},
                       std::pair{std::string_view("interrupt"), BusyPolicy::interrupt},
                       std::pair{std::string_view("reject"), BusyPolicy::reject}});
        if (reader.node("temperature") != nullptr) {
            double temperature = 0;
            reader.number("temperature", temperature, 0, 2);
            agent.temperature = temperature;
        }
        if (reader.node("max_tokens") != nullptr) {
            unsigned max_tokens = 0;
            reader.integer("max_tokens", max_tokens, 1, 1000000);
            agent.max_tokens = max_tokens;
        }
        reader.integer("context_tokens", agent.context_tokens, 256, 10000000);
        reader.report_unknown();

        const auto provider = config.providers.find(agent.provider);
        if (agent.provider.empty()) {
            problems.add(fmt::format("{}.provider: required: the name of a [providers.*] table", prefix));
        } else if (provider == config.providers.end()) {
            problems.invalid(prefix + ".provider", quote(agent.provider), "the name of a [providers.*] table");
        } else if (agent.model.empty()) {
            if (provider->second.kind == ProviderKind::mock) {
                agent.model = "mock";
            } else {
                problems.add(fmt::format("{}.model: required for a provider of kind {}", prefix,
                                         to_string(provider->second.kind)));
            }
        }
        for (const auto& fallback : agent.fallback) {
            if (!config.providers.contains(fallback) || fallback == agent.provider) {
                problems.invalid(prefix + ".fallback", quote(fallback),
                                 "names of [providers.*] tables other than the agent's own provider");
            }
        }
        for (const auto& tool : agent.tools) {
            const bool builtin =
                std::find(std::begin(kBuiltinTools), std::end(kBuiltinTools), tool) != std::end(kBuiltinTools);
            if (!builtin && !config.tools.contains(tool)) {
                problems.invalid(prefix + ".tools", quote(tool), "todo, web_fetch or the name of a [tools.*] table");
            }
        }
        std::vector<std::string> chain{agent.provider};
        chain.insert(chain.end(), agent.fallback.begin(), agent.fallback.end());
        for (const auto& candidate : chain) {
            const auto found = config.providers.find(candidate);
            if (found != config.providers.end() && found->second.available) {
                agent.provider_chain.push_back(candidate);
            }
        }
        if (provider != config.providers.end() && agent.provider_chain.empty()) {
            problems.add(fmt::format("{}: none of its providers ({}) is usable: set their API keys or add a fallback",
                                     prefix, fmt::join(chain, ", ")));
        } else if (!agent.provider_chain.empty() && agent.provider_chain.front() != agent.provider) {
            const auto& used = config.providers.at(agent.provider_chain.front());
            warnings.push_back(fmt::format("agent {}: provider {} is unavailable; using {} (kind {}) instead", name,
                                           agent.provider, used.name, to_string(used.kind)));
        }
        config.agents.emplace(name, std::move(agent));
    }
}

// An empty file (or one without agents) is a working daemon: one agent on a
// mock provider, an existing one if there is one.
void add_defaults(Config& config) {
    if (!config.agents.empty()) {
        return;
    }
    std::string provider_name;
    for (const auto& [name, provider] : config.providers) {
        if (provider.kind == ProviderKind::mock) {
            provider_name = name;
            break;
        }
    }
    if (provider_name.empty()) {
        provider_name = config.providers.contains("mock") ? "builtin_mock" : "mock";
        ProviderConfig mock;
        mock.name = provider_name;
        mock.kind = ProviderKind::mock;
        config.providers.emplace(provider_name, mock);
    }
    AgentConfig agent;
    agent.name = "assistant";
    agent.description = "Built-in demo agent on the mock provider";
    agent.provider = provider_name;
    agent.model = "mock";
    agent.system_prompt = "You are a helpful assistant.";
    agent.tools = {"todo"};
    agent.provider_chain = {provider_name};
    config.agents.emplace(agent.name, agent);
}

void apply_overrides(TableReader& root, Config& config, const Environment& env, Problems& problems) {
    if (const auto listen = env("PARLEY_LISTEN")) {
        read_listen("PARLEY_LISTEN", *listen, config.server, problems);
    }
    if (const auto db = env("PARLEY_DB")) {
        if (db->empty()) {
            problems.invalid("PARLEY_DB", "\"\"", "a file path or \":memory:\"");
        } else {
            config.storage.path = *db;
        }
    }
    if (const auto level = env("PARLEY_LOG_LEVEL")) {
        config.log.level = *level;
    }
    (void)root;
}

void validate(const Config& config, Problems& problems) {
    static const std::set<std::string, std::less<>> kLevels{"trace", "debug", "info", "warn", "error"};
    if (!kLevels.contains(config.log.level)) {
        problems.invalid("log.level", quote(config.log.level), "one of trace, debug, info, warn, error");
    }
    if (config.open_mode() && !is_loopback_host(config.server.listen_host)) {
        problems.add(
            fmt::format("server.listen: \"{}\" is not a loopback address, and no [[auth.keys]] are "
                        "configured: open dev mode only listens on 127.0.0.1 or ::1; configure keys to "
                        "listen elsewhere",
                        config.server.listen_host));
    }
}

LoadedConfig load(const toml::table& table, const Environment& env) {
    Problems problems;
    LoadedConfig loaded;
    auto& config = loaded.config;
    TableReader root(&table, "", problems);
    read_server(root, config, problems);
    read_storage(root, config, problems);
    read_cache_stream_log(root, config, problems);
    read_auth(root, config, env, problems);
    read_providers(root, config, env, problems, loaded.warnings);
    read_tools(root, config, problems);
    read_web_fetch(root, config, problems);
    read_agents(root, config, problems, loaded.warnings);
    root.report_unknown();
    add_defaults(config);
    apply_overrides(root, config, env, problems);
    validate(config, problems);
    if (!problems.empty()) {
        throw ConfigError(problems.take());
    }
    return loaded;
}

std::string describe_parse_error(const toml::parse_error& error, std::string_view source_name) {
    return fmt::format("{}:{}:{}: {}", source_name, error.source().begin.line, error.source().begin.column,
                       error.description());
}

}  // namespace

Environment process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr) {
            return std::nullopt;
        }
        return std::string(value);
    };
}

ConfigError::ConfigError(std::vector<std::string> problems)
    : std::runtime_error(fmt::format("{}", fmt::join(problems, "\n"))), problems_(std::move(problems)) {}

LoadedConfig load_config_file(const std::filesystem::path& path, const Environment& env) {
    try {
        return load(toml::parse_file(path.string()), env);
    } catch (const toml::parse_error& error) {
        if (!std::filesystem::exists(path)) {
            throw ConfigError({fmt::format("{}: cannot read the configuration file: no such file", path.string())});
        }
        throw ConfigError({describe_parse_error(error, path.string())});
    }
}

LoadedConfig load_config_string(std::string_view toml_text, std::string_view source_name, const Environment& env) {
    try {
        return load(toml::parse(toml_text, source_name), env);
    } catch (const toml::parse_error& error) {
        throw ConfigError({describe_parse_error(error, source_name)});
    }
}

std::string_view to_string(ProviderKind kind) {
    switch (kind) {
        case ProviderKind::openai: return "openai";
        case ProviderKind::anthropic: return "anthropic";
        case ProviderKind::mock: return "mock";
    }
    return "unknown";
}

std::string_view to_string(BusyPolicy policy) {
    switch (policy) {
        case BusyPolicy::queue: return "queue";
        case BusyPolicy::interrupt: return "interrupt";
        case BusyPolicy::reject: return "reject";
    }
    return "unknown";
}

std::string_view to_string(LogFormat format) {
    return format == LogFormat::json ? "json" : "text";
}

std::string_view to_string(SyncMode mode) {
    return mode == SyncMode::full ? "full" : "normal";
}

}  // namespace parley::core
