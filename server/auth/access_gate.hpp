#pragma once

#include <memory>
#include <string_view>

#include <boost/system/result.hpp>

#include "core/clock.hpp"
#include "core/config_store.hpp"
#include "server/api_error.hpp"
#include "server/auth/principal.hpp"
#include "server/auth/rate_limiter.hpp"

namespace parley::server {

// Who may call a route.
enum class RouteAccess {
    open,     // probes: /healthz, /readyz
    metrics,  // open, or an admin key when server.metrics_require_key is set
    tenant,   // any configured key (or open dev mode); acts as the key's tenant
};

// Authentication and rate limiting in front of every handler. Reads the keys
// of the current configuration generation, so a reload changes them at once.
class AccessGate {
public:
    AccessGate(std::shared_ptr<core::ConfigStore> config, const core::Clock& clock);

    // The principal the request acts as, or its refusal: 401 (no or wrong
    // key), 403 (a key without the right), 429 rate_limited with Retry-After.
    [[nodiscard]] boost::system::result<Principal, ApiError> admit(const Request& request, std::string_view query,
                                                                   RouteAccess access);

private:
    std::shared_ptr<core::ConfigStore> config_;
    RateLimiter limiter_;
};

}  // namespace parley::server
