#include "core/net/retry_after.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

namespace parley::core {

namespace {

namespace chrono = std::chrono;

constexpr std::array<std::string_view, 7> kDayNames{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 12> kMonthNames{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
// "Sun, 06 Nov 1994 08:49:37 GMT"
constexpr std::size_t kFixdateLength = 29;
constexpr unsigned kMaxHour = 23;
constexpr unsigned kMaxMinute = 59;
constexpr unsigned kMaxSecond = 60;  // a leap second is allowed by the grammar

// Exactly `digits` ASCII digits at `offset`.
std::optional<unsigned> number_at(std::string_view text, std::size_t offset, std::size_t digits) {
    const std::string_view field = text.substr(offset, digits);
    if (field.size() != digits ||
        !std::all_of(field.begin(), field.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    unsigned value = 0;
    std::from_chars(field.data(), field.data() + field.size(), value);
    return value;
}

template <std::size_t N>
std::optional<unsigned> index_of(const std::array<std::string_view, N>& names, std::string_view name) {
    const auto found = std::find(names.begin(), names.end(), name);
    if (found == names.end()) {
        return std::nullopt;
    }
    return static_cast<unsigned>(found - names.begin());
}

}  // namespace

std::optional<chrono::system_clock::time_point> parse_imf_fixdate(std::string_view text) {
    if (text.size() != kFixdateLength || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
        text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
        return std::nullopt;
    }
    const auto weekday = index_of(kDayNames, text.substr(0, 3));
    const auto month = index_of(kMonthNames, text.substr(8, 3));
    const auto day = number_at(text, 5, 2);
    const auto year = number_at(text, 12, 4);
    const auto hour = number_at(text, 17, 2);
    const auto minute = number_at(text, 20, 2);
    const auto second = number_at(text, 23, 2);
    if (!weekday || !month || !day || !year || !hour || !minute || !second || *hour > kMaxHour ||
        *minute > kMaxMinute || *second > kMaxSecond) {
        return std::nullopt;
    }
    const chrono::year_month_day date{chrono::year(static_cast<int>(*year)), chrono::month(*month + 1),
                                      chrono::day(*day)};
    if (!date.ok()) {
        return std::nullopt;
    }
    // The day name is redundant; a wrong one is tolerated, as most parsers do.
    const chrono::sys_seconds at =
        chrono::sys_days(date) + chrono::hours(*hour) + chrono::minutes(*minute) + chrono::seconds(*second);
    return chrono::time_point_cast<chrono::system_clock::duration>(at);
}

std::optional<chrono::milliseconds> parse_retry_after(std::string_view value, chrono::system_clock::time_point now) {
    constexpr auto kMax = chrono::duration_cast<chrono::milliseconds>(kMaxRetryAfter);
    if (!value.empty() && value.front() >= '0' && value.front() <= '9') {
        std::uint64_t seconds = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (ec == std::errc::result_out_of_range) {
            // Still all digits: only too large.
            const bool digits = std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
            return digits ? std::optional(kMax) : std::nullopt;
        }
        if (ec != std::errc{} || end != value.data() + value.size()) {
            return std::nullopt;
        }
        const auto max_seconds = static_cast<std::uint64_t>(chrono::duration_cast<chrono::seconds>(kMax).count());
        return seconds >= max_seconds ? kMax : chrono::milliseconds(chrono::seconds(seconds));
    }
    const auto date = parse_imf_fixdate(value);
    if (!date) {
        return std::nullopt;
    }
    if (*date <= now) {
        return chrono::milliseconds(0);
    }
    return std::min(chrono::ceil<chrono::milliseconds>(*date - now), kMax);
}

}  // namespace parley::core
