#pragma once

#include <string_view>

#include <boost/system/system_error.hpp>

#include "core/net/http_error.hpp"
#include "core/providers/model_types.hpp"

namespace parley::core {

// The provider-level view of a failed HTTP exchange (429 becomes rate_limited).
[[nodiscard]] ProviderError to_provider_error(const HttpError& error);

// "network", "timeout", ... for logs and messages.
[[nodiscard]] std::string_view to_string(ProviderErrorKind kind);

// An outcome carrying only an error.
[[nodiscard]] ModelOutcome failed_outcome(ProviderError error);

// What an exchange that threw ran into: a cancellation (operation_aborted) or the network.
[[nodiscard]] ProviderError exchange_error(const boost::system::system_error& failure);

}  // namespace parley::core
