#include "core/json_text.hpp"

#include <boost/json/serialize.hpp>

namespace parley::core {

std::string quote_json(std::string_view text) {
    std::string quoted;
    append_quoted_json(quoted, text);
    return quoted;
}

void append_quoted_json(std::string& out, std::string_view text) {
    // Ids and most tokens need no escaping: those skip the serializer's set-up.
    // No early exit, so that the compiler checks many bytes per instruction.
    unsigned char needs_escaping = 0;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        needs_escaping |= static_cast<unsigned char>((byte < 0x20) | (byte == '"') | (byte == '\\'));
    }
    if (needs_escaping != 0) {
        out += boost::json::serialize(boost::json::string_view(text.data(), text.size()));
        return;
    }
    out.reserve(out.size() + text.size() + 2);
    out += '"';
    out += text;
    out += '"';
}

}  // namespace parley::core
