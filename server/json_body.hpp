#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>
#include <boost/system/result.hpp>

#include "core/per_thread_pool.hpp"
#include "server/api_error.hpp"

namespace parley::server {

template <typename T>
using ParseResult = boost::system::result<T, ApiError>;

// A request body that must be one JSON object, parsed with simdjson (DOM),
// with typed access to its members. Every failure is a 400 naming the field
// (`param`): `invalid_json`, `missing_field` or `invalid_field`. Unknown
// members are ignored, as OpenAI's API does.
class JsonBody {
public:
    [[nodiscard]] static ParseResult<JsonBody> parse(std::string_view body);

    [[nodiscard]] bool has(std::string_view field) const;

    [[nodiscard]] ParseResult<std::string> required_string(std::string_view field) const;
    // Absent or null: nullopt.
    [[nodiscard]] ParseResult<std::optional<std::string>> optional_string(std::string_view field) const;
    [[nodiscard]] ParseResult<std::optional<bool>> optional_bool(std::string_view field) const;
    [[nodiscard]] ParseResult<std::optional<std::int64_t>> optional_integer(std::string_view field) const;
    [[nodiscard]] ParseResult<std::optional<double>> optional_number(std::string_view field) const;
    // The member as compact JSON text, when it is an object (absent or null: nullopt).
    [[nodiscard]] ParseResult<std::optional<std::string>> optional_object_text(std::string_view field) const;

    [[nodiscard]] simdjson::dom::object root() const { return root_; }

    [[nodiscard]] static ApiError missing(std::string_view field);
    [[nodiscard]] static ApiError invalid(std::string_view field, std::string_view expected);

private:
    // A parser keeps its buffers between documents; none is kept that grew for an unusually large body.
    static bool worth_keeping(const simdjson::dom::parser& parser);
    using Parsers = core::PerThreadPool<simdjson::dom::parser, 4, &JsonBody::worth_keeping>;
    using ParserPtr = Parsers::Handle;

    JsonBody(ParserPtr parser, simdjson::dom::object root) : parser_(std::move(parser)), root_(root) {}
    [[nodiscard]] std::optional<simdjson::dom::element> member(std::string_view field) const;

    ParserPtr parser_;  // owns the memory root_ points into
    simdjson::dom::object root_;
};

}  // namespace parley::server
