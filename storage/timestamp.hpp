#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace parley::storage {

// Milliseconds since the Unix epoch, UTC: how storage keeps every time.
using Clock = std::function<std::int64_t()>;

[[nodiscard]] std::int64_t system_now_ms();

// RFC 3339 UTC with milliseconds: "2024-05-01T12:00:00.123Z".
[[nodiscard]] std::string format_rfc3339(std::int64_t epoch_ms);

}  // namespace parley::storage
