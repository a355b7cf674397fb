#include "server/api_error.hpp"

#include <stdexcept>

#include <boost/json/serialize.hpp>

#include "core/version.hpp"

namespace parley::server {

ApiError ApiError::not_found(std::string message) {
    return ApiError{http::status::not_found, "not_found", std::move(message), std::nullopt, std::nullopt};
}

ApiError ApiError::bad_request(std::string code, std::string message, std::optional<std::string> param) {
    return ApiError{http::status::bad_request, std::move(code), std::move(message), std::move(param), std::nullopt};
}

void throw_exception_from_error(const ApiError& error, const boost::source_location& /*location*/) {
    throw std::runtime_error(error.code + ": " + error.message);
}

ApiError to_api_error(const core::ServiceError& error) {
    using core::ServiceErrc;
    const auto status = [&] {
        switch (error.code) {
            case ServiceErrc::session_not_found:
            case ServiceErrc::agent_not_found: return http::status::not_found;
            case ServiceErrc::invalid_argument:
            case ServiceErrc::content_too_long:
            case ServiceErrc::invalid_query:
            case ServiceErrc::invalid_cursor: return http::status::bad_request;
            case ServiceErrc::turn_in_progress: return http::status::conflict;
            case ServiceErrc::queue_full: return http::status::too_many_requests;
            case ServiceErrc::unavailable: return http::status::service_unavailable;
            case ServiceErrc::internal: break;
        }
        return http::status::internal_server_error;
    }();
    std::optional<unsigned> retry_after;
    if (error.code == ServiceErrc::queue_full || error.code == ServiceErrc::unavailable) {
        retry_after = 1;
    }
    return ApiError{status, std::string(core::to_string(error.code)), error.message, error.param, retry_after};
}

std::string_view error_type(http::status status) {
    switch (status) {
        case http::status::unauthorized: return "authentication_error";
        case http::status::forbidden: return "permission_error";
        case http::status::too_many_requests: return "rate_limit_error";
        default: break;
    }
    return static_cast<unsigned>(status) >= 500 ? "server_error" : "invalid_request_error";
}

boost::json::value error_body(const ApiError& error) {
    boost::json::object detail{
        {"message", error.message}, {"type", error_type(error.status)}, {"code", error.code}, {"param", nullptr}};
    if (error.param) {
        detail["param"] = *error.param;
    }
    return boost::json::object{{"error", std::move(detail)}};
}

Response json_response(http::status status, const boost::json::value& body, unsigned http_version, bool keep_alive) {
    return json_response(status, boost::json::serialize(body), http_version, keep_alive);
}

Response json_response(http::status status, std::string json_text, unsigned http_version, bool keep_alive) {
    static const std::string server = std::string("parley/") + core::kVersion;
    Response response{status, http_version};
    response.set(http::field::server, server);
    response.set(http::field::content_type, "application/json");
    response.keep_alive(keep_alive);
    response.body() = std::move(json_text);
    response.prepare_payload();
    return response;
}

Response error_response(const ApiError& error, unsigned http_version, bool keep_alive) {
    Response response = json_response(error.status, error_body(error), http_version, keep_alive);
    if (error.retry_after_seconds) {
        response.set(http::field::retry_after, std::to_string(*error.retry_after_seconds));
    }
    return response;
}

}  // namespace parley::server
