#include "core/tools/tool_text.hpp"

#include <catch2/catch.hpp>

using parley::core::ToolText;

TEST_CASE("tool text is cut on a UTF-8 boundary with a marker", "[tools]") {
    CHECK(ToolText::truncate("hello", 10, 5) == "hello");
    CHECK(ToolText::truncate("hello world", 5, 11) == "hello\n[truncated: 5 of 11 bytes shown]");
    CHECK(ToolText::truncate("hello", 5, std::nullopt) == "hello\n[truncated: first 5 bytes shown]");
    // "é" is two bytes: a cut inside it keeps the whole character out.
    CHECK(ToolText::truncate("a\xC3\xA9z", 2, 4) == "a\n[truncated: 1 of 4 bytes shown]");
    CHECK(ToolText::utf8_prefix("\xE2\x82\xAC\xE2\x82\xAC", 4) == "\xE2\x82\xAC");
}

TEST_CASE("invalid UTF-8 is replaced, valid text is kept", "[tools]") {
    CHECK(ToolText::sanitize_utf8("plain \xC3\xA9 \xF0\x9F\x98\x80") == "plain \xC3\xA9 \xF0\x9F\x98\x80");
    CHECK(ToolText::sanitize_utf8("a\xFFz") == "a\xEF\xBF\xBDz");
    CHECK(ToolText::sanitize_utf8("cut \xE2\x82") == "cut \xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(ToolText::sanitize_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");          // overlong
    CHECK(ToolText::sanitize_utf8("\xED\xA0\x80").find("\xED") == std::string::npos);  // surrogate
}
