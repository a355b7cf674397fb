#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace parley::core {

// The wait a Retry-After header asks for (RFC 9110, section 10.2.3): either
// delta-seconds ("120") or an HTTP-date in the IMF-fixdate form ("Sun, 06 Nov
// 1994 08:49:37 GMT") less `now`; a date already past asks for no wait. Very
// large values saturate at kMaxRetryAfter (callers cap far below it). nullopt
// when the value is neither form.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                                         std::chrono::system_clock::time_point now);

// An IMF-fixdate as a point in time; nullopt when the text is not one (the
// obsolete RFC 850 and asctime forms are not accepted).
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> parse_imf_fixdate(std::string_view text);

inline constexpr std::chrono::hours kMaxRetryAfter{24};

}  // namespace parley::core
