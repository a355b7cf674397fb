#pragma once

#include <chrono>
#include <optional>

#include "core/providers/model_types.hpp"

namespace parley::core {

// When and how long ProviderChain waits before trying a provider again.
struct RetryPolicy {
    std::chrono::milliseconds initial_backoff{250};  // before the first retry; doubles each time
    std::chrono::milliseconds max_backoff{8000};
    std::chrono::milliseconds max_retry_after{30000};  // a longer Retry-After moves on to the fallback
    double jitter = 0.25;                              // +-25 % of the backoff, uniformly

    // Retried: connect/network errors, 429 and 5xx, and only before anything was delivered.
    [[nodiscard]] static bool retryable(const ProviderError& error);

    // The wait before retry number `retry` (0-based); nullopt: do not wait that long, fall back.
    // A Retry-After within max_retry_after is honoured as given (never shortened).
    [[nodiscard]] std::optional<std::chrono::milliseconds> delay(unsigned retry, const ProviderError& error) const;
};

}  // namespace parley::core
