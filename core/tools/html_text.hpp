#pragma once

#include <string>
#include <string_view>

namespace parley::core {

// Readable text from an HTML page, for a model to read: script, style, head,
// noscript, template and svg elements and comments are dropped, tags removed
// (block-level ones end a line, table cells are separated by a space), the
// common character references decoded (named: amp lt gt quot apos nbsp and a few
// typographic ones; every numeric one), whitespace collapsed to single spaces
// and single line breaks, lines trimmed. Tolerant of malformed markup; linear
// in the input. Assumes UTF-8.
class HtmlText {
public:
    [[nodiscard]] static std::string extract(std::string_view html);
    // Decodes character references in a run of text (exposed for tests).
    [[nodiscard]] static std::string decode_entities(std::string_view text);
};

}  // namespace parley::core
