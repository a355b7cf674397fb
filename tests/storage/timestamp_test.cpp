#include "storage/timestamp.hpp"

#include <catch2/catch.hpp>

using parley::storage::format_rfc3339;
using parley::storage::system_now_ms;

TEST_CASE("timestamps format as RFC 3339 UTC with milliseconds", "[storage]") {
    CHECK(format_rfc3339(0) == "1970-01-01T00:00:00.000Z");
    CHECK(format_rfc3339(1'700'000'000'123) == "2023-11-14T22:13:20.123Z");
    CHECK(format_rfc3339(951'782'400'007) == "2000-02-29T00:00:00.007Z");
    CHECK(system_now_ms() > 1'700'000'000'000);
}
