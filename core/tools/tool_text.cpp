#include "core/tools/tool_text.hpp"

#include <fmt/format.h>

namespace parley::core {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// The length of the valid UTF-8 character starting text[0], or 0 when invalid or cut.
std::size_t char_length(std::string_view text) {
    const auto lead = static_cast<unsigned char>(text[0]);
    std::size_t length = 0;
    unsigned min_second = 0x80;
    unsigned max_second = 0xBF;
    if (lead < 0x80) {
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        min_second = lead == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
        max_second = lead == 0xED ? 0x9F : 0xBF;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        min_second = lead == 0xF0 ? 0x90 : 0x80;
        max_second = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (text.size() < length) {
        return 0;
    }
    const auto second = static_cast<unsigned char>(text[1]);
    if (second < min_second || second > max_second) {
        return 0;
    }
    for (std::size_t i = 2; i < length; ++i) {
        const auto next = static_cast<unsigned char>(text[i]);
        if (next < 0x80 || next > 0xBF) {
            return 0;
        }
    }
    return length;
}

}  // namespace

std::string ToolText::sanitize_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const std::size_t length = char_length(text);
        if (length == 0) {
            out += kReplacement;
            text.remove_prefix(1);
            continue;
        }
        out.append(text.substr(0, length));
        text.remove_prefix(length);
    }
    return out;
}

std::string_view ToolText::utf8_prefix(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) {
        return text;
    }
    std::size_t end = max_bytes;
    // Step back over continuation bytes to the start of the character that max_bytes cuts.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
        --end;
    }
    return text.substr(0, end);
}

std::string ToolText::truncate(std::string text, std::size_t max_bytes, std::optional<std::size_t> total_bytes) {
    const bool complete = total_bytes.has_value() && *total_bytes <= text.size();
    if (complete && text.size() <= max_bytes) {
        return text;
    }
    const std::size_t shown = utf8_prefix(text, max_bytes).size();
    text.resize(shown);
    if (total_bytes) {
        text += fmt::format("\n[truncated: {} of {} bytes shown]", shown, *total_bytes);
    } else {
        text += fmt::format("\n[truncated: first {} bytes shown]", shown);
    }
    return text;
}

}  // namespace parley::core
