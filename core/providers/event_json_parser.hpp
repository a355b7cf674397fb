#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "core/per_thread_pool.hpp"

namespace parley::core {

// What a stream decoder parses each event's JSON with: simdjson's On Demand
// parser and the padded copy it reads, both kept between events and, pooled
// per thread, between model calls.
struct EventJsonParser {
    simdjson::ondemand::parser parser;
    std::string padded;  // the event's JSON with simdjson's padding behind it

    // Iterates a copy of `json` (simdjson reads up to SIMDJSON_PADDING bytes past
    // the end). The document is valid until the next call. Throws simdjson_error.
    simdjson::ondemand::document iterate(std::string_view json) {
        padded.reserve(json.size() + simdjson::SIMDJSON_PADDING);
        padded.assign(json);
        return parser.iterate(padded.data(), padded.size(), padded.capacity());
    }

    // None is pooled that grew for an unusually large event.
    static bool worth_keeping(const EventJsonParser& json) {
        constexpr std::size_t kLargestPooledBytes = 1024 * 1024;
        return json.parser.capacity() <= kLargestPooledBytes && json.padded.capacity() <= kLargestPooledBytes;
    }
};

using EventJsonParsers = PerThreadPool<EventJsonParser, 4, &EventJsonParser::worth_keeping>;

}  // namespace parley::core
