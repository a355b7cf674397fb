#include "core/net/retry_after.hpp"

#include <chrono>

#include <catch2/catch.hpp>

using namespace parley::core;
using namespace std::chrono_literals;
namespace chrono = std::chrono;

namespace {

// 1994-11-06 08:49:37 UTC, the example date of RFC 9110.
chrono::system_clock::time_point rfc_example() {
    return chrono::sys_days(chrono::year(1994) / chrono::November / 6) + 8h + 49min + 37s;
}

}  // namespace

TEST_CASE("retry-after: delta-seconds", "[net]") {
    const auto now = rfc_example();
    CHECK(parse_retry_after("0", now) == 0ms);
    CHECK(parse_retry_after("2", now) == 2000ms);
    CHECK(parse_retry_after("120", now) == 120000ms);
    CHECK(parse_retry_after("99999999999999999999999", now) == chrono::milliseconds(kMaxRetryAfter));
    CHECK_FALSE(parse_retry_after("", now));
    CHECK_FALSE(parse_retry_after("-1", now));
    CHECK_FALSE(parse_retry_after("1.5", now));
    CHECK_FALSE(parse_retry_after("12 seconds", now));
}

TEST_CASE("retry-after: an IMF-fixdate is the wait until that date", "[net]") {
    const auto now = rfc_example();
    CHECK(parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT") == now);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now) == 0ms);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:42 GMT", now) == 5000ms);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:51:37 GMT", now) == 120000ms);
    // Across a day, a month and a leap day.
    CHECK(parse_retry_after("Mon, 07 Nov 1994 08:49:37 GMT", now) == chrono::milliseconds(24h));
    const auto leap = chrono::sys_days(chrono::year(2024) / chrono::February / 29) + 23h + 59min + 59s;
    CHECK(parse_imf_fixdate("Thu, 29 Feb 2024 23:59:59 GMT") == leap);
    CHECK(parse_retry_after("Fri, 01 Mar 2024 00:00:01 GMT", leap) == 2000ms);
    // A sub-second "now" waits until the date, not a truncated second less.
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:39 GMT", now + 250ms) == 1750ms);
}

TEST_CASE("retry-after: a date in the past asks for no wait and a far one saturates", "[net]") {
    const auto now = rfc_example();
    CHECK(parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now) == 0ms);
    CHECK(parse_retry_after("Fri, 01 Jan 2100 00:00:00 GMT", now) == chrono::milliseconds(kMaxRetryAfter));
}

TEST_CASE("retry-after: malformed dates are not a wait", "[net]") {
    const auto now = rfc_example();
    CHECK_FALSE(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now));  // RFC 850, obsolete
    CHECK_FALSE(parse_retry_after("Sun Nov  6 08:49:37 1994", now));        // asctime, obsolete
    CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:49:37 UTC", now));
    CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT ", now));
    CHECK_FALSE(parse_retry_after("Sun, 31 Nov 1994 08:49:37 GMT", now));
    CHECK_FALSE(parse_retry_after("Sun, 06 Now 1994 08:49:37 GMT", now));
    CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 24:00:00 GMT", now));
    CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:60:00 GMT", now));
    CHECK_FALSE(parse_retry_after("Sun, 6 Nov 1994 08:49:37 GMT", now));
    CHECK_FALSE(parse_retry_after("Xyz, 06 Nov 1994 08:49:37 GMT", now));
    CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:4a:37 GMT", now));
}
