#include "core/config_loader.hpp"

#include <fstream>
#include <map>

#include <catch2/catch.hpp>

#include "core/secret_hash.hpp"

namespace {

using parley::core::ConfigError;
using parley::core::Environment;
using parley::core::load_config_string;

Environment fake_env(std::map<std::string, std::string> values = {}) {
    return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
        const auto found = values.find(std::string(name));
        if (found == values.end()) {
            return std::nullopt;
        }
        return found->second;
    };
}

// The problems a configuration text produces; empty when it loads.
std::vector<std::string> problems_of(std::string_view text, std::map<std::string, std::string> env = {}) {
    try {
        (void)load_config_string(text, "test.toml", fake_env(std::move(env)));
    } catch (const ConfigError& error) {
        return error.problems();
    }
    return {};
}

bool mentions(const std::vector<std::string>& problems, std::string_view needle) {
    for (const auto& problem : problems) {
        if (problem.find(needle) != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_CASE("an empty file gives the documented defaults and a mock agent", "[core][config]") {
    const auto loaded = load_config_string("", "empty.toml", fake_env());
    const auto& config = loaded.config;
    CHECK(config.server.listen_host == "127.0.0.1");
    CHECK(config.server.listen_port == 8080);
    CHECK(config.server.io_threads == 0);
    CHECK(config.server.max_body_bytes == 1048576);
    CHECK(config.server.shutdown_grace_seconds == 10);
    CHECK_FALSE(config.server.metrics_require_key);
    CHECK(config.storage.path == "parley.db");
    CHECK(config.storage.batch_max_ops == 50);
    CHECK(config.storage.batch_max_delay_ms == 100);
    CHECK(config.storage.read_pool_size == 0);
    CHECK(config.agent_cache.max_entries == 100);
    CHECK(config.agent_cache.ttl_seconds == 3600);
    CHECK(config.stream.retained_events == 2048);
    CHECK(config.stream.subscriber_queue == 1024);
    CHECK(config.log.level == "info");
    CHECK(config.log.format == parley::core::LogFormat::text);
    CHECK(config.open_mode());
    REQUIRE(config.agents.size() == 1);
    const auto& agent = config.agents.at("assistant");
    CHECK(agent.provider == "mock");
    CHECK(agent.provider_chain == std::vector<std::string>{"mock"});
    CHECK(config.providers.at("mock").kind == parley::core::ProviderKind::mock);
    CHECK(loaded.warnings.empty());
}

TEST_CASE("read_pool_size 0 sizes the read pool to the cores, from 2 to 5; any other value is taken as is",
          "[core][config]") {
    parley::core::StorageConfig storage;
    REQUIRE(storage.read_pool_size == 0);
    CHECK(parley::core::read_pool_threads(storage, 0) == 2);  // hardware_concurrency() may not know
    CHECK(parley::core::read_pool_threads(storage, 1) == 2);
    CHECK(parley::core::read_pool_threads(storage, 2) == 2);
    CHECK(parley::core::read_pool_threads(storage, 4) == 4);
    CHECK(parley::core::read_pool_threads(storage, 5) == 5);
    CHECK(parley::core::read_pool_threads(storage, 64) == 5);
    storage.read_pool_size = 8;
    CHECK(parley::core::read_pool_threads(storage, 2) == 8);
    storage.read_pool_size = 1;
    CHECK(parley::core::read_pool_threads(storage, 16) == 1);
}

TEST_CASE("the documented example configuration loads", "[core][config]") {
    constexpr std::string_view kExample = R"(
[server]
listen = "127.0.0.1:0"
io_threads = 2
max_body_bytes = 2097152
shutdown_grace_seconds = 5
metrics_require_key = true

[storage]
path = ":memory:"
batch_max_ops = 20
batch_max_delay_ms = 5
read_pool_size = 3
synchronous = "full"

[agent_cache]
max_entries = 10
ttl_seconds = 60

[stream]
retained_events = 100
subscriber_queue = 64

[log]
level = "debug"
format = "json"

[[auth.keys]]
name = "web"
tenant = "acme"
key_env = "PARLEY_WEB_KEY"
rate_limit_per_second = 5

[[auth.keys]]
name = "ops"
tenant = "acme"
sha256 = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
admin = true

[providers.openai]
kind = "openai"
base_url = "http://127.0.0.1:9999/v1"
api_key_env = "OPENAI_API_KEY"
max_connections = 4
max_idle_connections = 2
keepalive_timeout_seconds = 30
connect_timeout_ms = 100
first_byte_timeout_seconds = 2
request_timeout_seconds = 10
max_retries = 1

[providers.demo]
kind = "mock"
tokens_per_second = 0

[agents.assistant]
description = "General assistant"
provider = "openai"
fallback = ["demo"]
model = "gpt-4o-mini"
system_prompt = "You are a helpful assistant."
tools = ["todo", "weather"]
max_iterations = 4
busy_policy = "interrupt"
temperature = 0.2
max_tokens = 256

[tools.weather]
kind = "http"
url = "http://127.0.0.1:9000/weather"
description = "Current weather for a city"
timeout_seconds = 3
parameters = { type = "object", properties = { city = { type = "string" } }, required = ["city"] }
)";
    const auto loaded = load_config_string(kExample, "example.toml",
                                           fake_env({{"PARLEY_WEB_KEY", "s3cret"}, {"OPENAI_API_KEY", "sk-x"}}));
    const auto& config = loaded.config;
    CHECK(config.server.listen_port == 0);
    CHECK(config.server.metrics_require_key);
    CHECK(config.storage.synchronous == parley::core::SyncMode::full);
    CHECK(config.log.format == parley::core::LogFormat::json);
    REQUIRE(config.auth_keys.size() == 2);
    CHECK(config.auth_keys[0].sha256_hex == parley::core::sha256_hex("s3cret"));
    CHECK(config.auth_keys[0].rate_limit_burst == 5);
    CHECK(config.auth_keys[1].sha256_hex == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    CHECK(config.auth_keys[1].admin);
    CHECK_FALSE(config.open_mode());
    const auto& openai = config.providers.at("openai");
    CHECK(openai.api_key == "sk-x");
    CHECK(openai.available);
    CHECK(openai.max_connections == 4);
    CHECK(openai.keepalive_timeout_seconds == 30);
    CHECK(config.providers.at("demo").keepalive_timeout_seconds == 60);  // the default
    const auto& agent = config.agents.at("assistant");
    CHECK(agent.provider_chain == std::vector<std::string>{"openai", "demo"});
    CHECK(agent.busy_policy == parley::core::BusyPolicy::interrupt);
    CHECK(agent.temperature == Approx(0.2));
    CHECK(agent.max_tokens == 256U);
    const auto& weather = config.tools.at("weather");
    CHECK(weather.parameters.at("type") == "object");
    CHECK(weather.parameters.at("required").as_array().size() == 1);
    CHECK(loaded.warnings.empty());
}

TEST_CASE("a provider without its API key falls back, with a warning", "[core][config]") {
    constexpr std::string_view kText = R"(
[providers.openai]
kind = "openai"
[providers.demo]
kind = "mock"
[agents.assistant]
provider = "openai"
fallback = ["demo"]
model = "gpt-4o-mini"
)";
    const auto loaded = load_config_string(kText, "t.toml", fake_env());
    CHECK_FALSE(loaded.config.providers.at("openai").available);
    CHECK(loaded.config.agents.at("assistant").provider_chain == std::vector<std::string>{"demo"});
    REQUIRE(loaded.warnings.size() == 2);
    CHECK(mentions(loaded.warnings, "OPENAI_API_KEY is not set"));
    CHECK(mentions(loaded.warnings, "agent assistant: provider openai is unavailable; using demo (kind mock)"));

    const auto without_fallback = problems_of(R"(
[providers.openai]
kind = "openai"
[agents.assistant]
provider = "openai"
model = "m"
)");
    CHECK(mentions(without_fallback, "agents.assistant: none of its providers (openai) is usable"));
}

TEST_CASE("each invalid value is named with the key, the value and what is allowed", "[core][config]") {
    struct Case {
        std::string text;
        std::string expected;
    };
    const std::vector<Case> cases{
        {"[server]\nlisten = \"nonsense\"", "server.listen: \"nonsense\" is not allowed: expected HOST:PORT"},
        {"[server]\nlisten = \"127.0.0.1:70000\"", "server.listen: \"127.0.0.1:70000\""},
        {"[server]\nlisten = 8080", "server.listen: 8080 is not allowed: expected a string"},
        {"[server]\nio_threads = -1", "server.io_threads: -1 is not allowed: expected an integer from 0 to 256"},
        {"[server]\nmax_body_bytes = 10", "server.max_body_bytes: 10 is not allowed"},
        {"[server]\nmetrics_require_key = \"yes\"",
         "server.metrics_require_key: \"yes\" is not allowed: expected true or false"},
        {"[storage]\npath = \"\"", "storage.path: \"\" is not allowed"},
        {"[storage]\nbatch_max_ops = 0",
         "storage.batch_max_ops: 0 is not allowed: expected an integer from 1 to 10000"},
        {"[storage]\nread_pool_size = 65",
         "storage.read_pool_size: 65 is not allowed: expected an integer from 0 to 64"},
        {"[storage]\nsynchronous = \"off\"",
         "storage.synchronous: \"off\" is not allowed: expected one of normal, full"},
        {"[agent_cache]\nttl_seconds = 0", "agent_cache.ttl_seconds: 0 is not allowed"},
        {"[stream]\nretained_events = 1.5", "stream.retained_events: 1.5 is not allowed"},
        {"[log]\nlevel = \"loud\"",
         "log.level: \"loud\" is not allowed: expected one of trace, debug, info, warn, error"},
        {"[log]\nformat = \"xml\"", "log.format: \"xml\" is not allowed: expected one of text, json"},
        {"server = 5", "server: 5 is not allowed: expected a table"},
        {"[[auth.keys]]\nname = \"a\"\ntenant = \"t\"", "auth.keys[0]: exactly one of key_env and sha256 is required"},
        {"[[auth.keys]]\nname = \"a\"\ntenant = \"t\"\nkey_env = \"MISSING\"",
         "auth.keys[0].key_env: environment variable MISSING is not set"},
        {"[[auth.keys]]\nname = \"a\"\ntenant = \"t\"\nsha256 = \"abc\"",
         "auth.keys[0].sha256: \"abc\" is not allowed"},
        {"[[auth.keys]]\nname = \"a\"\ntenant = \"bad tenant\"\nsha256 = \"" + std::string(64, 'a') + "\"",
         "auth.keys[0].tenant: \"bad tenant\" is not allowed"},
        {"[providers.p]\nbase_url = \"http://x\"", "providers.p.kind: required"},
        {"[providers.p]\nkind = \"gpt\"",
         "providers.p.kind: \"gpt\" is not allowed: expected one of openai, anthropic, mock"},
        {"[providers.p]\nkind = \"openai\"\nbase_url = \"ftp://x\"\napi_key_env = \"\"\n[agents.a]\nprovider = "
         "\"p\"\nmodel = \"m\"",
         "providers.p.base_url: \"ftp://x\" is not allowed: expected an http:// or https:// URL"},
        {"[providers.p]\nkind = \"openai\"\napi_key_env = \"\"\nkeepalive_timeout_seconds = 0",
         "providers.p.keepalive_timeout_seconds: 0 is not allowed: expected an integer from 1 to 86400"},
        {"[agents.a]\nprovider = \"nope\"", "agents.a.provider: \"nope\" is not allowed"},
        {"[agents.a]\nmodel = \"m\"", "agents.a.provider: required"},
        {"[providers.p]\nkind = \"mock\"\n[agents.a]\nprovider = \"p\"\nbusy_policy = \"wait\"",
         "agents.a.busy_policy: \"wait\" is not allowed: expected one of queue, interrupt, reject"},
        {"[providers.p]\nkind = \"mock\"\n[agents.a]\nprovider = \"p\"\ntools = [\"teleport\"]",
         "agents.a.tools: \"teleport\" is not allowed"},
        {"[providers.p]\nkind = \"mock\"\n[agents.a]\nprovider = \"p\"\nfallback = [\"p\"]",
         "agents.a.fallback: \"p\""},
        {"[providers.p]\nkind = \"mock\"\n[agents.a]\nprovider = \"p\"\ntemperature = 3",
         "agents.a.temperature: 3 is not allowed"},
        {"[providers.p]\nkind = \"openai\"\napi_key_env = \"\"\n[agents.a]\nprovider = \"p\"",
         "agents.a.model: required"},
        {"[tools.t]\nkind = \"http\"", "tools.t.url: \"\" is not allowed"},
        {"[tools.todo]\nurl = \"http://x\"", "tools.todo: \"todo\" is not allowed"},
    };
    for (const auto& item : cases) {
        INFO(item.text);
        const auto problems = problems_of(item.text);
        INFO(fmt::format("{}", fmt::join(problems, "\n")));
        CHECK(mentions(problems, item.expected));
    }
}

TEST_CASE("unknown keys are reported with the closest known key", "[core][config]") {
    const auto problems = problems_of("[server]\nlisen = \"127.0.0.1:1\"\n[storage]\nbatch_max_op = 3\n[mystery]\n");
    CHECK(mentions(problems, "server.lisen: unknown key (did you mean \"listen\"?)"));
    CHECK(mentions(problems, "storage.batch_max_op: unknown key (did you mean \"batch_max_ops\"?)"));
    CHECK(mentions(problems, "mystery: unknown key"));
}

TEST_CASE("every problem is reported at once", "[core][config]") {
    const auto problems = problems_of("[server]\nio_threads = -1\n[log]\nlevel = \"x\"\n");
    CHECK(problems.size() == 2);
}

TEST_CASE("a syntax error names the file, line and column", "[core][config]") {
    const auto problems = problems_of("[server\nlisten = 1");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].rfind("test.toml:1:", 0) == 0);
}

TEST_CASE("open dev mode refuses a non-loopback address", "[core][config]") {
    CHECK(mentions(problems_of("[server]\nlisten = \"0.0.0.0:8080\""), "open dev mode only listens on"));
    CHECK(problems_of("[server]\nlisten = \"[::1]:8080\"").empty());
    CHECK(problems_of("[server]\nlisten = \"localhost:8080\"").empty());
    const std::string with_key =
        "[server]\nlisten = \"0.0.0.0:8080\"\n[[auth.keys]]\nname = \"k\"\ntenant = \"t\"\nkey_env = \"K\"\n";
    CHECK(problems_of(with_key, {{"K", "secret"}}).empty());
}

TEST_CASE("PARLEY_* environment variables override the file", "[core][config]") {
    const auto loaded = load_config_string(
        "[server]\nlisten = \"127.0.0.1:1\"\n[storage]\npath = \"a.db\"\n[log]\nlevel = \"warn\"\n", "t.toml",
        fake_env({{"PARLEY_LISTEN", "127.0.0.2:9"}, {"PARLEY_DB", "b.db"}, {"PARLEY_LOG_LEVEL", "debug"}}));
    CHECK(loaded.config.server.listen_host == "127.0.0.2");
    CHECK(loaded.config.server.listen_port == 9);
    CHECK(loaded.config.storage.path == "b.db");
    CHECK(loaded.config.log.level == "debug");

    const auto problems = problems_of("", {{"PARLEY_LISTEN", "nope"}, {"PARLEY_LOG_LEVEL", "chatty"}});
    CHECK(mentions(problems, "PARLEY_LISTEN: \"nope\" is not allowed"));
    CHECK(mentions(problems, "log.level: \"chatty\" is not allowed"));
}

TEST_CASE("a missing file is a clear error", "[core][config]") {
    try {
        (void)parley::core::load_config_file("/nonexistent/parley.toml", fake_env());
        FAIL("expected a ConfigError");
    } catch (const ConfigError& error) {
        CHECK(mentions(error.problems(), "/nonexistent/parley.toml: cannot read the configuration file"));
    }
}

TEST_CASE("the default agent uses an existing mock provider, never a user's other kind", "[core][config]") {
    const auto with_mock = load_config_string("[providers.demo]\nkind = \"mock\"\n", "t.toml", fake_env());
    CHECK(with_mock.config.agents.at("assistant").provider == "demo");
    CHECK(with_mock.config.providers.size() == 1);

    const auto named_mock = load_config_string(
        "[providers.mock]\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:1/v1\"\napi_key_env = \"\"\n", "t.toml",
        fake_env());
    const auto& agent = named_mock.config.agents.at("assistant");
    CHECK(agent.provider == "builtin_mock");
    CHECK(named_mock.config.providers.at("builtin_mock").kind == parley::core::ProviderKind::mock);
}

TEST_CASE("[web_fetch] opens destinations for web_fetch and is validated", "[core][config][tools]") {
    const auto defaults = load_config_string("", "test.toml", fake_env()).config.web_fetch;
    CHECK(defaults.allow_hosts.empty());
    CHECK_FALSE(defaults.allow_private);
    CHECK(defaults.timeout_seconds == 15);

    const auto loaded = load_config_string(
                            "[web_fetch]\nallow_hosts = [\"intranet.example\", \"10.1.0.0/16\", \"::1\"]\n"
                            "allow_private = true\ntimeout_seconds = 5\nmax_response_bytes = 4096\n"
                            "max_output_bytes = 1024\n",
                            "test.toml", fake_env())
                            .config.web_fetch;
    CHECK(loaded.allow_hosts == std::vector<std::string>{"intranet.example", "10.1.0.0/16", "::1"});
    CHECK(loaded.allow_private);
    CHECK(loaded.timeout_seconds == 5);
    CHECK(loaded.max_response_bytes == 4096);
    CHECK(loaded.max_output_bytes == 1024);

    CHECK(mentions(problems_of("[web_fetch]\nallow_hosts = [\"bad host!\"]"),
                   "web_fetch.allow_hosts: \"bad host!\" is not allowed"));
    CHECK(mentions(problems_of("[web_fetch]\nallow_private = \"yes\""),
                   "web_fetch.allow_private: \"yes\" is not allowed: expected true or false"));
    CHECK(mentions(problems_of("[web_fetch]\ntimeout_seconds = 0"), "web_fetch.timeout_seconds: 0 is not allowed"));
    CHECK(mentions(problems_of("[web_fetch]\nallow_host = []"),
                   "web_fetch.allow_host: unknown key (did you mean \"allow_hosts\"?)"));
}
