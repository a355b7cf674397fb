#include "server/auth/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace parley::server {

std::optional<unsigned> RateLimiter::acquire(const core::AuthKey& key) {
    const double rate = key.rate_limit_per_second;
    if (rate <= 0) {
        return std::nullopt;
    }
    const double burst = key.rate_limit_burst > 0 ? key.rate_limit_burst : std::max(1.0, rate);
    const auto now = clock_.now();
    const std::lock_guard lock(mutex_);
    auto [bucket, created] = buckets_.try_emplace(key.name, Bucket{burst, now});
    auto& state = bucket->second;
    if (!created) {
        const std::chrono::duration<double> elapsed = now - state.refilled;
        state.tokens = std::min(burst, state.tokens + elapsed.count() * rate);
        state.refilled = now;
    }
    if (state.tokens >= 1.0) {
        state.tokens -= 1.0;
        return std::nullopt;
    }
    const double wait_seconds = (1.0 - state.tokens) / rate;
    return std::max(1U, static_cast<unsigned>(std::ceil(wait_seconds)));
}

}  // namespace parley::server
