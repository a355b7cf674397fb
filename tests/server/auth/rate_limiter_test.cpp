#include "server/auth/rate_limiter.hpp"

#include <catch2/catch.hpp>

#include "tests/server/manual_clock.hpp"

namespace parley::server {
namespace {

core::AuthKey key_with(double per_second, double burst) {
    core::AuthKey key;
    key.name = "web";
    key.tenant = "acme";
    key.rate_limit_per_second = per_second;
    key.rate_limit_burst = burst;
    return key;
}

TEST_CASE("a key without a rate limit is always admitted", "[server][auth]") {
    testing::ManualClock clock;
    RateLimiter limiter(clock);
    const auto key = key_with(0, 0);
    for (int i = 0; i < 1000; ++i) {
        REQUIRE_FALSE(limiter.acquire(key).has_value());
    }
}

TEST_CASE("the bucket starts full then refuses with the seconds until a token", "[server][auth]") {
    testing::ManualClock clock;
    RateLimiter limiter(clock);
    const auto key = key_with(0.5, 3);  // one token every 2 s, burst 3
    for (int i = 0; i < 3; ++i) {
        REQUIRE_FALSE(limiter.acquire(key).has_value());
    }
    const auto refused = limiter.acquire(key);
    REQUIRE(refused.has_value());
    CHECK(*refused == 2);

    clock.advance(std::chrono::milliseconds(1500));
    const auto still_refused = limiter.acquire(key);
    REQUIRE(still_refused.has_value());
    CHECK(*still_refused == 1);

    clock.advance(std::chrono::milliseconds(600));
    CHECK_FALSE(limiter.acquire(key).has_value());
    CHECK(limiter.acquire(key).has_value());
}

TEST_CASE("refill never exceeds the burst", "[server][auth]") {
    testing::ManualClock clock;
    RateLimiter limiter(clock);
    const auto key = key_with(10, 2);
    clock.advance(std::chrono::hours(1));
    CHECK_FALSE(limiter.acquire(key).has_value());
    CHECK_FALSE(limiter.acquire(key).has_value());
    CHECK(limiter.acquire(key).has_value());
}

TEST_CASE("without a burst a bucket holds one second of tokens", "[server][auth]") {
    testing::ManualClock clock;
    RateLimiter limiter(clock);
    const auto key = key_with(5, 0);
    int admitted = 0;
    while (!limiter.acquire(key).has_value()) {
        ++admitted;
        REQUIRE(admitted < 100);
    }
    CHECK(admitted == 5);
}

TEST_CASE("keys have separate buckets", "[server][auth]") {
    testing::ManualClock clock;
    RateLimiter limiter(clock);
    auto first = key_with(1, 1);
    auto second = key_with(1, 1);
    second.name = "other";
    CHECK_FALSE(limiter.acquire(first).has_value());
    CHECK(limiter.acquire(first).has_value());
    CHECK_FALSE(limiter.acquire(second).has_value());
}

}  // namespace
}  // namespace parley::server
