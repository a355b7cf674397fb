#include "server/query_params.hpp"

#include <catch2/catch.hpp>

namespace parley::server {
namespace {

TEST_CASE("query values are percent-decoded", "[server][query]") {
    const QueryParams params("q=hello%20world&after=ses_1&empty=");
    CHECK(params.text("q") == "hello world");
    CHECK(params.text("after") == "ses_1");
    CHECK(params.text("empty") == "");
    CHECK_FALSE(params.text("absent").has_value());
    CHECK_FALSE(QueryParams("").text("q").has_value());
}

TEST_CASE("unsigned integers are validated against their range", "[server][query]") {
    const QueryParams params("limit=20&big=1000&neg=-1&junk=2x&blank=");
    CHECK(params.unsigned_integer("limit", 1, 100).value() == 20U);
    CHECK_FALSE(params.unsigned_integer("absent", 1, 100).value().has_value());
    for (const auto* name : {"big", "neg", "junk", "blank"}) {
        const auto value = params.unsigned_integer(name, 1, 100);
        REQUIRE_FALSE(value.has_value());
        CHECK(value.error().code == "invalid_query_parameter");
        CHECK(value.error().param == name);
    }
    CHECK_FALSE(QueryParams("limit=0").unsigned_integer("limit", 1, 100).has_value());
}

TEST_CASE("parse_unsigned accepts only plain decimal digits", "[server][query]") {
    CHECK(parse_unsigned("0") == 0U);
    CHECK(parse_unsigned("18446744073709551615") == 18446744073709551615ULL);
    CHECK_FALSE(parse_unsigned("18446744073709551616").has_value());
    CHECK_FALSE(parse_unsigned("+1").has_value());
    CHECK_FALSE(parse_unsigned(" 1").has_value());
    CHECK_FALSE(parse_unsigned("").has_value());
}

}  // namespace
}  // namespace parley::server
