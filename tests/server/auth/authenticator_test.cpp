#include "server/auth/authenticator.hpp"

#include <catch2/catch.hpp>

#include "core/secret_hash.hpp"

namespace parley::server {
namespace {

Request request_with_authorization(std::string_view value) {
    Request request{http::verb::get, "/v1/sessions", 11};
    if (!value.empty()) {
        request.set(http::field::authorization, value);
    }
    return request;
}

std::vector<core::AuthKey> two_keys() {
    core::AuthKey web;
    web.name = "web";
    web.tenant = "acme";
    web.sha256_hex = core::sha256_hex("web-secret");
    core::AuthKey ops;
    ops.name = "ops";
    ops.tenant = "globex";
    ops.sha256_hex = core::sha256_hex("ops-secret");
    ops.admin = true;
    return {web, ops};
}

TEST_CASE("the bearer token is the presented key", "[server][auth]") {
    CHECK(presented_key(request_with_authorization("Bearer abc"), "") == "abc");
    CHECK(presented_key(request_with_authorization("bearer   abc"), "") == "abc");
    CHECK(presented_key(request_with_authorization("Basic abc"), "").empty());
    CHECK(presented_key(request_with_authorization(""), "").empty());
}

TEST_CASE("access_token in the query is used when there is no bearer", "[server][auth]") {
    CHECK(presented_key(request_with_authorization(""), "x=1&access_token=t%20k") == "t k");
    CHECK(presented_key(request_with_authorization("Bearer header"), "access_token=query") == "header");
    CHECK(presented_key(request_with_authorization(""), "access_token").empty());
}

TEST_CASE("a key matches the configured key with its hash", "[server][auth]") {
    const auto keys = two_keys();
    const auto* web = find_key(keys, "web-secret");
    REQUIRE(web != nullptr);
    CHECK(web->tenant == "acme");
    const auto* ops = find_key(keys, "ops-secret");
    REQUIRE(ops != nullptr);
    CHECK(ops->tenant == "globex");
    CHECK(find_key(keys, "web-secret ") == nullptr);
    CHECK(find_key(keys, "") == nullptr);
    CHECK(find_key({}, "web-secret") == nullptr);
}

}  // namespace
}  // namespace parley::server
