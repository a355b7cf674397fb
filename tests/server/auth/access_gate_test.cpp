#include "server/auth/access_gate.hpp"

#include <catch2/catch.hpp>

#include "core/secret_hash.hpp"
#include "tests/server/manual_clock.hpp"

namespace parley::server {
namespace {

std::shared_ptr<core::ConfigStore> store_with(std::vector<core::AuthKey> keys, bool metrics_require_key = false) {
    core::Config config;
    config.auth_keys = std::move(keys);
    config.server.metrics_require_key = metrics_require_key;
    return std::make_shared<core::ConfigStore>(
        "unused.toml", [](std::string_view) { return std::nullopt; }, std::move(config));
}

core::AuthKey key(std::string name, std::string tenant, std::string secret, bool admin = false) {
    core::AuthKey result;
    result.name = std::move(name);
    result.tenant = std::move(tenant);
    result.sha256_hex = core::sha256_hex(secret);
    result.admin = admin;
    return result;
}

Request get(std::string_view bearer) {
    Request request{http::verb::get, "/v1/sessions", 11};
    if (!bearer.empty()) {
        request.set(http::field::authorization, "Bearer " + std::string(bearer));
    }
    return request;
}

TEST_CASE("open dev mode admits every request as the default tenant", "[server][auth]") {
    testing::ManualClock clock;
    AccessGate gate(store_with({}), clock);
    const auto admitted = gate.admit(get(""), "", RouteAccess::tenant);
    REQUIRE(admitted.has_value());
    CHECK(admitted->tenant == kOpenModeTenant);
}

TEST_CASE("tenant routes need a configured key", "[server][auth]") {
    testing::ManualClock clock;
    AccessGate gate(store_with({key("web", "acme", "s1")}), clock);

    const auto missing = gate.admit(get(""), "", RouteAccess::tenant);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().status == http::status::unauthorized);
    CHECK(missing.error().code == "invalid_api_key");

    const auto wrong = gate.admit(get("nope"), "", RouteAccess::tenant);
    REQUIRE_FALSE(wrong.has_value());
    CHECK(wrong.error().status == http::status::unauthorized);

    const auto right = gate.admit(get("s1"), "", RouteAccess::tenant);
    REQUIRE(right.has_value());
    CHECK(right->tenant == "acme");
    CHECK(right->key_name == "web");

    const auto by_query = gate.admit(get(""), "access_token=s1", RouteAccess::tenant);
    REQUIRE(by_query.has_value());
    CHECK(by_query->tenant == "acme");
}

TEST_CASE("probes need no key even when keys are configured", "[server][auth]") {
    testing::ManualClock clock;
    AccessGate gate(store_with({key("web", "acme", "s1")}), clock);
    CHECK(gate.admit(get(""), "", RouteAccess::open).has_value());
    CHECK(gate.admit(get(""), "", RouteAccess::metrics).has_value());
}

TEST_CASE("protected metrics need an admin key", "[server][auth]") {
    testing::ManualClock clock;
    AccessGate gate(store_with({key("web", "acme", "s1"), key("ops", "acme", "s2", true)}, true), clock);
    const auto anonymous = gate.admit(get(""), "", RouteAccess::metrics);
    REQUIRE_FALSE(anonymous.has_value());
    CHECK(anonymous.error().status == http::status::unauthorized);
    const auto tenant_key = gate.admit(get("s1"), "", RouteAccess::metrics);
    REQUIRE_FALSE(tenant_key.has_value());
    CHECK(tenant_key.error().status == http::status::forbidden);
    CHECK(tenant_key.error().code == "admin_key_required");
    CHECK(gate.admit(get("s2"), "", RouteAccess::metrics).has_value());
}

TEST_CASE("a rate-limited key gets 429 with Retry-After", "[server][auth]") {
    testing::ManualClock clock;
    auto limited = key("web", "acme", "s1");
    limited.rate_limit_per_second = 1;
    limited.rate_limit_burst = 2;
    AccessGate gate(store_with({limited}), clock);
    CHECK(gate.admit(get("s1"), "", RouteAccess::tenant).has_value());
    CHECK(gate.admit(get("s1"), "", RouteAccess::tenant).has_value());
    const auto refused = gate.admit(get("s1"), "", RouteAccess::tenant);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().status == http::status::too_many_requests);
    CHECK(refused.error().code == "rate_limited");
    REQUIRE(refused.error().retry_after_seconds.has_value());
    CHECK(*refused.error().retry_after_seconds == 1);
    clock.advance(std::chrono::seconds(1));
    CHECK(gate.admit(get("s1"), "", RouteAccess::tenant).has_value());
}

}  // namespace
}  // namespace parley::server
