#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::storage {

inline constexpr std::size_t kIdTimeChars = 8;
inline constexpr std::size_t kIdRandomChars = 16;
inline constexpr std::size_t kIdChars = kIdTimeChars + kIdRandomChars;  // after the prefix

// prefix + 24 base62 characters ("0-9A-Za-z", ASCII order): 8 for the
// creation time in milliseconds since the Unix epoch, fixed width, then 16
// from OpenSSL's CSPRNG (about 95 bits): "msg_0TbqL2xe3kTq...". Ids made in
// different milliseconds sort, as strings, in creation order, so the unique
// indexes on ids grow at their end instead of dirtying a random page per
// insert (docs/storage.md, "Ids"). Thread-safe.
[[nodiscard]] std::string generate_id(std::string_view prefix);

// The same with the creation time given (tests, replays). Times before the
// epoch count as 0; the 8 characters hold times up to the year 8888.
[[nodiscard]] std::string generate_id(std::string_view prefix, std::int64_t epoch_ms);

}  // namespace parley::storage
