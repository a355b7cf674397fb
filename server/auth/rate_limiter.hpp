#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "core/config.hpp"

namespace parley::server {

// One token bucket per configured key (by name): `rate_limit_per_second`
// tokens a second up to `rate_limit_burst` (default: one second's worth).
// A bucket starts full. A reload that changes a key's limits applies them to
// its existing bucket.
class RateLimiter {
public:
    explicit RateLimiter(const core::Clock& clock) : clock_(clock) {}

    // Takes one token. nullopt: admitted; otherwise the whole seconds until a
    // token is available again (the Retry-After value, at least 1).
    [[nodiscard]] std::optional<unsigned> acquire(const core::AuthKey& key);

private:
    struct Bucket {
        double tokens = 0;
        core::Clock::time_point refilled;
    };

    const core::Clock& clock_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace parley::server
