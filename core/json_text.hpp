#pragma once

#include <string>
#include <string_view>

namespace parley::core {

// `text` as a JSON string: quoted and escaped. For JSON written piece by piece
// around a few variable parts, where a json::object per document would cost
// more than the document (per streamed delta and chunk).
[[nodiscard]] std::string quote_json(std::string_view text);

// The same, appended to `out`: a document written piece by piece into one
// reserved string allocates nothing per piece.
void append_quoted_json(std::string& out, std::string_view text);

}  // namespace parley::core
