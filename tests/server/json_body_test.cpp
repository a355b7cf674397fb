#include "server/json_body.hpp"

#include <catch2/catch.hpp>

namespace parley::server {
namespace {

TEST_CASE("a body that is not one JSON object is invalid_json", "[server][json]") {
    for (const std::string_view body : {"", "{", "[1,2]", "\"text\"", "{\"a\":1} trailing", "nul", "{\"a\":}"}) {
        const auto parsed = JsonBody::parse(body);
        REQUIRE_FALSE(parsed.has_value());
        CHECK(parsed.error().status == http::status::bad_request);
        CHECK(parsed.error().code == "invalid_json");
    }
}

TEST_CASE("typed members name the field when missing or mistyped", "[server][json]") {
    const auto parsed = JsonBody::parse(R"({"agent":5,"title":null,"stream":"yes","metadata":{"k":[1, 2]}})");
    REQUIRE(parsed.has_value());

    const auto agent = parsed->required_string("agent");
    REQUIRE_FALSE(agent.has_value());
    CHECK(agent.error().code == "invalid_field");
    CHECK(agent.error().param == "agent");

    const auto missing = parsed->required_string("content");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == "missing_field");
    CHECK(missing.error().param == "content");

    const auto title = parsed->optional_string("title");
    REQUIRE(title.has_value());
    CHECK_FALSE(title->has_value());

    const auto stream = parsed->optional_bool("stream");
    REQUIRE_FALSE(stream.has_value());
    CHECK(stream.error().param == "stream");

    const auto metadata = parsed->optional_object_text("metadata");
    REQUIRE(metadata.has_value());
    CHECK(**metadata == R"({"k":[1,2]})");

    const auto not_object = parsed->optional_object_text("agent");
    REQUIRE_FALSE(not_object.has_value());
    CHECK(not_object.error().param == "agent");
}

TEST_CASE("strings keep their exact bytes", "[server][json]") {
    const auto parsed = JsonBody::parse(R"({"content":"h\u00e9llo \"q\" \ud83d\ude00 <b>"})");
    REQUIRE(parsed.has_value());
    const auto content = parsed->required_string("content");
    REQUIRE(content.has_value());
    CHECK(*content == "h\xc3\xa9llo \"q\" \xf0\x9f\x98\x80 <b>");
}

TEST_CASE("numbers are checked by type", "[server][json]") {
    const auto parsed = JsonBody::parse(R"({"n":3,"x":0.5,"s":"3"})");
    REQUIRE(parsed.has_value());
    CHECK(parsed->optional_integer("n").value() == 3);
    CHECK_FALSE(parsed->optional_integer("x").has_value());
    CHECK(parsed->optional_number("x").value() == 0.5);
    CHECK(parsed->optional_number("n").value() == 3.0);
    CHECK_FALSE(parsed->optional_number("s").has_value());
    CHECK_FALSE(parsed->optional_number("absent").value().has_value());
}

}  // namespace
}  // namespace parley::server
