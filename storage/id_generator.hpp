#pragma once

#include <string>
#include <string_view>

namespace parley::storage {

inline constexpr std::size_t kIdRandomChars = 24;

// prefix + 24 URL-safe base62 characters from the operating system's CSPRNG
// (about 143 bits): "ses_3kTq...". Thread-safe.
[[nodiscard]] std::string generate_id(std::string_view prefix);

}  // namespace parley::storage
