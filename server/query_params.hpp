#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/json_body.hpp"

namespace parley::server {

// A request's query string with typed, validated access: a bad value is a 400
// `invalid_query_parameter` naming the parameter.
class QueryParams {
public:
    explicit QueryParams(std::string_view query) : query_(query) {}

    [[nodiscard]] std::optional<std::string> text(std::string_view name) const;
    // An unsigned integer within [min, max]; absent: nullopt.
    [[nodiscard]] ParseResult<std::optional<std::uint64_t>> unsigned_integer(std::string_view name, std::uint64_t min,
                                                                             std::uint64_t max) const;

private:
    std::string_view query_;
};

// Parses a decimal unsigned integer (the whole text, no sign or spaces).
[[nodiscard]] std::optional<std::uint64_t> parse_unsigned(std::string_view text);

}  // namespace parley::server
