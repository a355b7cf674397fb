#pragma once

#include <boost/json/value.hpp>

#include "server/api_error.hpp"
#include "server/request_context.hpp"

namespace parley::server {

// Responses to the request in `context` (its HTTP version and keep-alive).
[[nodiscard]] inline Response reply_json(const RequestContext& context, http::status status,
                                         const boost::json::value& body) {
    return json_response(status, body, context.request.version(), context.request.keep_alive());
}

[[nodiscard]] inline Response reply_json(const RequestContext& context, http::status status, std::string json_text) {
    return json_response(status, std::move(json_text), context.request.version(), context.request.keep_alive());
}

[[nodiscard]] inline Response reply_error(const RequestContext& context, const ApiError& error) {
    return error_response(error, context.request.version(), context.request.keep_alive());
}

[[nodiscard]] inline Response reply_error(const RequestContext& context, const core::ServiceError& error) {
    return reply_error(context, to_api_error(error));
}

[[nodiscard]] inline Response reply_no_content(const RequestContext& context) {
    Response response{http::status::no_content, context.request.version()};
    response.keep_alive(context.request.keep_alive());
    response.prepare_payload();
    return response;
}

}  // namespace parley::server
