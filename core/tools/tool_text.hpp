#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace parley::core {

// Text a tool hands to the model: valid UTF-8, and cut with a visible marker
// when it is too long.
class ToolText {
public:
    // Replaces every invalid UTF-8 sequence with U+FFFD.
    [[nodiscard]] static std::string sanitize_utf8(std::string_view text);

    // The longest prefix of `text` of at most max_bytes that does not split a
    // UTF-8 character.
    [[nodiscard]] static std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

    // `text` unchanged when it fits in max_bytes (and nothing more was cut
    // before: total_bytes is the size of the whole original, or nullopt when it
    // is unknown but larger than text). Otherwise its UTF-8-safe prefix
    // followed by "\n[truncated: N of M bytes shown]" (or "[truncated: first N
    // bytes shown]" when M is unknown).
    [[nodiscard]] static std::string truncate(std::string text, std::size_t max_bytes,
                                              std::optional<std::size_t> total_bytes);
};

}  // namespace parley::core
