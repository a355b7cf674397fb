#include "server/json_body.hpp"

#include <memory>
#include <vector>

#include <fmt/format.h>

namespace parley::server {
namespace {

constexpr std::size_t kLargestPooledCapacity = 1024 * 1024;

}  // namespace

bool JsonBody::worth_keeping(const simdjson::dom::parser& parser) {
    return parser.capacity() <= kLargestPooledCapacity;
}

ParseResult<JsonBody> JsonBody::parse(std::string_view body) {
    auto parser = Parsers::take();
    simdjson::dom::element document;
    // simdjson reads up to SIMDJSON_PADDING bytes past the end: parse a padded copy.
    const simdjson::padded_string padded(body);
    if (const auto error = parser->parse(padded).get(document); error) {
        return ApiError::bad_request(
            "invalid_json", fmt::format("the request body is not valid JSON: {}", simdjson::error_message(error)));
    }
    simdjson::dom::object root;
    if (document.get_object().get(root) != simdjson::SUCCESS) {
        return ApiError::bad_request("invalid_json", "the request body must be a JSON object");
    }
    return JsonBody(std::move(parser), root);
}

ApiError JsonBody::missing(std::string_view field) {
    return ApiError::bad_request("missing_field", fmt::format("'{}' is required", field), std::string(field));
}

ApiError JsonBody::invalid(std::string_view field, std::string_view expected) {
    return ApiError::bad_request("invalid_field", fmt::format("'{}' must be {}", field, expected), std::string(field));
}

std::optional<simdjson::dom::element> JsonBody::member(std::string_view field) const {
    simdjson::dom::element value;
    if (root_.at_key(field).get(value) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    return value;
}

bool JsonBody::has(std::string_view field) const {
    return member(field).has_value();
}

ParseResult<std::string> JsonBody::required_string(std::string_view field) const {
    const auto value = member(field);
    if (!value || value->is_null()) {
        return missing(field);
    }
    std::string_view text;
    if (value->get_string().get(text) != simdjson::SUCCESS) {
        return invalid(field, "a string");
    }
    return std::string(text);
}

ParseResult<std::optional<std::string>> JsonBody::optional_string(std::string_view field) const {
    const auto value = member(field);
    if (!value || value->is_null()) {
        return std::optional<std::string>{};
    }
    std::string_view text;
    if (value->get_string().get(text) != simdjson::SUCCESS) {
        return invalid(field, "a string");
    }
    return std::optional<std::string>(std::string(text));
}

ParseResult<std::optional<bool>> JsonBody::optional_bool(std::string_view field) const {
    const auto value = member(field);
    if (!value || value->is_null()) {
        return std::optional<bool>{};
    }
    bool flag = false;
    if (value->get_bool().get(flag) != simdjson::SUCCESS) {
        return invalid(field, "a boolean");
    }
    return std::optional<bool>(flag);
}

ParseResult<std::optional<std::int64_t>> JsonBody::optional_integer(std::string_view field) const {
    const auto value = member(field);
    if (!value || value->is_null()) {
        return std::optional<std::int64_t>{};
    }
    std::int64_t number = 0;
    if (value->get_int64().get(number) != simdjson::SUCCESS) {
        return invalid(field, "an integer");
    }
    return std::optional<std::int64_t>(number);
}

ParseResult<std::optional<double>> JsonBody::optional_number(std::string_view field) const {
    const auto value = member(field);
    if (!value || value->is_null()) {
        return std::optional<double>{};
    }
    double number = 0;
    if (value->get_double().get(number) != simdjson::SUCCESS) {
        return invalid(field, "a number");
    }
    return std::optional<double>(number);
}

ParseResult<std::optional<std::string>> JsonBody::optional_object_text(std::string_view field) const {
    const auto value = member(field);
    if (!value || value->is_null()) {
        return std::optional<std::string>{};
    }
    if (!value->is_object()) {
        return invalid(field, "an object");
    }
    return std::optional<std::string>(simdjson::minify(*value));
}

}  // namespace parley::server
