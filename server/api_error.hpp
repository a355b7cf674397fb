#pragma once

#include <optional>
#include <string>

#include <boost/assert/source_location.hpp>
#include <boost/json/value.hpp>

#include "core/service_error.hpp"
#include "server/http_types.hpp"

namespace parley::server {

// An error as the API reports it: OpenAI's error shape with a fitting status.
struct ApiError {
    http::status status = http::status::internal_server_error;
    std::string code;
    std::string message;
    std::optional<std::string> param;
    std::optional<unsigned> retry_after_seconds;

    [[nodiscard]] static ApiError not_found(std::string message);
    [[nodiscard]] static ApiError bad_request(std::string code, std::string message,
                                              std::optional<std::string> param = std::nullopt);
};

// Lets result<T, ApiError>::value() throw (found by argument-dependent lookup).
[[noreturn]] void throw_exception_from_error(const ApiError& error, const boost::source_location& location);

// The status and code API.md gives each expected failure of core.
[[nodiscard]] ApiError to_api_error(const core::ServiceError& error);

// The `type` field OpenAI uses for a status (invalid_request_error, authentication_error, ...).
[[nodiscard]] std::string_view error_type(http::status status);

[[nodiscard]] boost::json::value error_body(const ApiError& error);

// A complete response: JSON body, Content-Type, Retry-After when set.
[[nodiscard]] Response error_response(const ApiError& error, unsigned http_version, bool keep_alive);

[[nodiscard]] Response json_response(http::status status, const boost::json::value& body, unsigned http_version,
                                     bool keep_alive);
// The same with a body already serialised.
[[nodiscard]] Response json_response(http::status status, std::string json_text, unsigned http_version,
                                     bool keep_alive);

}  // namespace parley::server
