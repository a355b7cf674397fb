#include "server/query_params.hpp"

#include <charconv>

#include <fmt/format.h>
#include <boost/url/params_view.hpp>

namespace parley::server {

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [position, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc{} || position != end) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::string> QueryParams::text(std::string_view name) const {
    if (query_.empty()) {
        return std::nullopt;
    }
    const boost::urls::params_view params(query_);
    const auto found = params.find(name);
    if (found == params.end()) {
        return std::nullopt;
    }
    return std::string((*found).value);
}

ParseResult<std::optional<std::uint64_t>> QueryParams::unsigned_integer(std::string_view name, std::uint64_t min,
                                                                        std::uint64_t max) const {
    const auto value = text(name);
    if (!value) {
        return std::optional<std::uint64_t>{};
    }
    const auto number = parse_unsigned(*value);
    if (!number || *number < min || *number > max) {
        return ApiError::bad_request("invalid_query_parameter",
                                     fmt::format("'{}' must be an integer from {} to {}", name, min, max),
                                     std::string(name));
    }
    return std::optional<std::uint64_t>(number);
}

}  // namespace parley::server
