#include "storage/id_generator.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <catch2/catch.hpp>

using parley::storage::generate_id;
using parley::storage::kIdRandomChars;

TEST_CASE("ids are prefixed, base62 and unique", "[storage]") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const std::string id = generate_id("ses_");
        REQUIRE(id.size() == 4 + kIdRandomChars);
        CHECK(id.starts_with("ses_"));
        CHECK(std::all_of(id.begin() + 4, id.end(), [](unsigned char c) { return std::isalnum(c) != 0; }));
        seen.insert(id);
    }
    CHECK(seen.size() == 1000);
    CHECK(generate_id("").size() == kIdRandomChars);
}
