#include "core/json_text.hpp"

#include <algorithm>

#include <boost/json/serialize.hpp>

namespace parley::core {

std::string quote_json(std::string_view text) {
    std::string quoted;
    append_quoted_json(quoted, text);
    return quoted;
}

void append_quoted_json(std::string& out, std::string_view text) {
    // Ids and most tokens need no escaping: those skip the serializer's set-up.
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\';
    });
    if (!plain) {
        out += boost::json::serialize(boost::json::string_view(text.data(), text.size()));
        return;
    }
    out.reserve(out.size() + text.size() + 2);
    out += '"';
    out += text;
    out += '"';
}

}  // namespace parley::core
