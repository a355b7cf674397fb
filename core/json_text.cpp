#include "core/json_text.hpp"

#include <algorithm>

#include <boost/json/serialize.hpp>

namespace parley::core {

std::string quote_json(std::string_view text) {
    // Ids and most tokens need no escaping: those skip the serializer's set-up.
    const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\';
    });
    if (!plain) {
        return boost::json::serialize(boost::json::string_view(text.data(), text.size()));
    }
    std::string quoted;
    quoted.reserve(text.size() + 2);
    quoted += '"';
    quoted += text;
    quoted += '"';
    return quoted;
}

}  // namespace parley::core
