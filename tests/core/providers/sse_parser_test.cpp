#include "core/providers/sse_parser.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using parley::core::SseParser;

namespace {

struct Collected {
    std::string event;
    std::string data;
    std::string id;
    bool operator==(const Collected&) const = default;
};

std::vector<Collected> drain(SseParser& parser) {
    std::vector<Collected> events;
    while (auto event = parser.next()) {
        events.push_back({std::string(event->event), std::string(event->data), std::string(event->id)});
    }
    return events;
}

// Feeds the stream in two pieces split at `split`, then in single bytes.
std::vector<std::vector<Collected>> parse_every_way(const std::string& stream) {
    std::vector<std::vector<Collected>> results;
    for (std::size_t split = 0; split <= stream.size(); ++split) {
        SseParser parser;
        std::vector<Collected> events;
        parser.append(std::string_view(stream).substr(0, split));
        for (auto& e : drain(parser)) {
            events.push_back(std::move(e));
        }
        parser.append(std::string_view(stream).substr(split));
        for (auto& e : drain(parser)) {
            events.push_back(std::move(e));
        }
        results.push_back(std::move(events));
    }
    SseParser bytewise;
    std::vector<Collected> events;
    for (const char c : stream) {
        bytewise.append(std::string_view(&c, 1));
        for (auto& e : drain(bytewise)) {
            events.push_back(std::move(e));
        }
    }
    results.push_back(std::move(events));
    return results;
}

}  // namespace

TEST_CASE("sse: events split at every byte parse the same", "[providers]") {
    const std::string stream =
        "\xEF\xBB\xBF"
        ": a comment\n"
        "data: {\"a\":1}\n\n"
        "event: content_block_delta\r\n"
        "data: first line\r\n"
        "data:second line\r\n"
        "id: 42\r\n\r\n"
        "data: caf\xC3\xA9 \xE2\x82\xAC\r\r"
        "retry: 1000\n"
        "unknown: field\n"
        "data\n\n"
        "event: ignored-without-data\n\n"
        "data: [DONE]\n\n";
    const std::vector<Collected> expected = {
        {"message", "{\"a\":1}", ""},
        {"content_block_delta", "first line\nsecond line", "42"},
        {"message", "caf\xC3\xA9 \xE2\x82\xAC", "42"},
        {"message", "", "42"},
        {"message", "[DONE]", "42"},
    };
    const auto results = parse_every_way(stream);
    for (std::size_t i = 0; i < results.size(); ++i) {
        INFO("split " << i);
        CHECK(results[i] == expected);
    }
}

TEST_CASE("sse: an incomplete event is held until its blank line", "[providers]") {
    SseParser parser;
    parser.append("data: partial");
    CHECK_FALSE(parser.next());
    parser.append("\n");
    CHECK_FALSE(parser.next());
    parser.append("\n");
    const auto event = parser.next();
    REQUIRE(event);
    CHECK(event->data == "partial");
    CHECK(parser.buffered() == 0);
}

TEST_CASE("sse: a CR at the end of one read and the LF at the start of the next are one line end", "[providers]") {
    SseParser parser;
    parser.append("data: x\r");
    CHECK_FALSE(parser.next());
    parser.append("\n\r");
    auto event = parser.next();
    REQUIRE(event);
    CHECK(event->data == "x");
    parser.append("\ndata: y\n\n");
    event = parser.next();
    REQUIRE(event);
    CHECK(event->data == "y");
}

TEST_CASE("sse: a line over the limit is reported", "[providers]") {
    SseParser parser(16);
    parser.append("data: this line is far too long for the limit");
    CHECK_FALSE(parser.next());
    CHECK(parser.overflowed());
}
