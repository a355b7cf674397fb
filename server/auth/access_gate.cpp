#include "server/auth/access_gate.hpp"

#include "server/auth/authenticator.hpp"

namespace parley::server {
namespace {

ApiError unauthorized(bool key_presented) {
    return {
        http::status::unauthorized, "invalid_api_key",
        key_presented ? "the API key is not valid" : "an API key is required: send it as 'Authorization: Bearer <key>'",
        std::nullopt, std::nullopt};
}

}  // namespace

AccessGate::AccessGate(std::shared_ptr<core::ConfigStore> config, const core::Clock& clock)
    : config_(std::move(config)), limiter_(clock) {}

boost::system::result<Principal, ApiError> AccessGate::admit(const Request& request, std::string_view query,
                                                             RouteAccess access) {
    const auto snapshot = config_->current();
    const auto& config = snapshot->config;
    const bool key_required =
        access == RouteAccess::tenant || (access == RouteAccess::metrics && config.server.metrics_require_key);
    if (!key_required || config.open_mode()) {
        return Principal{std::string(kOpenModeTenant), {}, config.open_mode()};
    }
    const auto key = presented_key(request, query);
    const auto* matched = find_key(config.auth_keys, key);
    if (matched == nullptr) {
        return unauthorized(!key.empty());
    }
    if (access == RouteAccess::metrics && !matched->admin) {
        return ApiError{http::status::forbidden, "admin_key_required", "this endpoint needs an admin key", std::nullopt,
                        std::nullopt};
    }
    if (const auto retry_after = limiter_.acquire(*matched)) {
        return ApiError{http::status::too_many_requests, "rate_limited",
                        "this key's request rate limit is exceeded; retry later", std::nullopt, *retry_after};
    }
    return Principal{matched->tenant, matched->name, matched->admin};
}

}  // namespace parley::server
