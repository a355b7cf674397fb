#include "core/json_text.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using parley::core::quote_json;

TEST_CASE("quote_json writes a JSON string that parses back to the text", "[core]") {
    for (const std::string& text : {std::string(), std::string("ses_0VcGGdQ9KZgIRMIFiSLXjgG8"),
                                    std::string("plain words"), std::string("quote \" backslash \\ newline \n tab \t"),
                                    std::string("del \x7f ok"), std::string("control \x01\x1f"),
                                    std::string("utf-8 \xC3\xA9 \xF0\x9F\x98\x80"), std::string("nul \0 inside", 13)}) {
        const auto quoted = quote_json(text);
        CHECK(boost::json::parse(quoted).as_string() == text);
    }
    // The check for characters to escape runs many bytes at a time: one at
    // every position of a longer text must still be found.
    const std::string plain(40, 'x');
    for (const char special : {'"', '\\', '\n', '\x1f'}) {
        for (std::size_t position = 0; position < plain.size(); ++position) {
            auto text = plain;
            text[position] = special;
            const auto quoted = quote_json(text);
            CHECK(quoted.size() > text.size() + 2);
            CHECK(boost::json::parse(quoted).as_string() == text);
        }
    }
    CHECK(quote_json(plain) == '"' + plain + '"');
    CHECK(quote_json("abc") == "\"abc\"");
    CHECK(quote_json("a\"b") == R"("a\"b")");
}
