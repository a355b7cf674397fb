#include "core/providers/retry_policy.hpp"

#include <algorithm>
#include <random>

namespace parley::core {

bool RetryPolicy::retryable(const ProviderError& error) {
    if (error.after_first_delta) {
        return false;
    }
    switch (error.kind) {
        case ProviderErrorKind::network:
        case ProviderErrorKind::rate_limited:
        case ProviderErrorKind::server: return true;
        default: return false;
    }
}

std::optional<std::chrono::milliseconds> RetryPolicy::delay(unsigned retry, const ProviderError& error) const {
    if (error.retry_after) {
        if (*error.retry_after > max_retry_after) {
            return std::nullopt;
        }
        return *error.retry_after;
    }
    constexpr unsigned kMaxShift = 20;
    const auto doubled = initial_backoff * (1LL << std::min(retry, kMaxShift));
    const auto base = std::min<std::chrono::milliseconds>(doubled, max_backoff);
    thread_local std::minstd_rand random(std::random_device{}());
    std::uniform_real_distribution<double> spread(1.0 - jitter, 1.0 + jitter);
    return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(base.count()) * spread(random)));
}

}  // namespace parley::core
