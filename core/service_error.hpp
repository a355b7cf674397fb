#pragma once

#include <optional>
#include <string>

#include <boost/system/result.hpp>

namespace parley::core {

// The expected failures of session operations; server/ maps each to its HTTP
// status and error code (API.md).
enum class ServiceErrc {
    session_not_found,
    agent_not_found,
    invalid_argument,  // a field the client got wrong (param names it)
    content_too_long,
    turn_in_progress,  // busy policy reject
    queue_full,        // busy policy queue, 8 already waiting
    invalid_query,     // malformed search query
    invalid_cursor,
    unavailable,  // storage overloaded or shutting down
    internal,
};

struct ServiceError {
    ServiceErrc code = ServiceErrc::internal;
    std::string message;
    std::optional<std::string> param;
};

template <typename T>
using ServiceResult = boost::system::result<T, ServiceError>;

[[nodiscard]] std::string_view to_string(ServiceErrc code);

}  // namespace parley::core
