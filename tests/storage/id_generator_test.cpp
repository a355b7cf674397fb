#include "storage/id_generator.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "storage/timestamp.hpp"

using parley::storage::generate_id;
using parley::storage::kIdChars;
using parley::storage::kIdTimeChars;

namespace {

bool is_base62(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

}  // namespace

TEST_CASE("ids are prefixed, base62 and unique", "[storage]") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const std::string id = generate_id("ses_");
        REQUIRE(id.size() == 4 + kIdChars);
        CHECK(id.starts_with("ses_"));
        CHECK(is_base62(std::string_view(id).substr(4)));
        seen.insert(id);
    }
    CHECK(seen.size() == 1000);
    CHECK(generate_id("").size() == kIdChars);
}

TEST_CASE("ids made in the same millisecond differ in their random part", "[storage]") {
    constexpr std::int64_t kNow = 1'750'000'000'123;
    std::set<std::string> seen;
    for (int i = 0; i < 10'000; ++i) {
        const std::string id = generate_id("msg_", kNow);
        REQUIRE(id.size() == 4 + kIdChars);
        CHECK(id.compare(0, 4 + kIdTimeChars, generate_id("msg_", kNow), 0, 4 + kIdTimeChars) == 0);
        seen.insert(id);
    }
    CHECK(seen.size() == 10'000);
}

TEST_CASE("ids sort by creation time", "[storage]") {
    // Across digit carries and magnitudes: string order must be numeric order.
    const std::vector<std::int64_t> times{0,
                                          1,
                                          61,
                                          62,
                                          3'843,
                                          3'844,
                                          1'000'000,
                                          1'750'000'000'000,
                                          1'750'000'000'001,
                                          4'102'444'800'000 /* 2100-01-01 */};
    std::vector<std::string> ids;
    for (const std::int64_t time : times) {
        ids.push_back(generate_id("msg_", time));
    }
    CHECK(std::is_sorted(ids.begin(), ids.end()));
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
    CHECK(generate_id("", 0).substr(0, kIdTimeChars) == "00000000");
    CHECK(generate_id("", 61).substr(0, kIdTimeChars) == "0000000z");
    CHECK(generate_id("", 62).substr(0, kIdTimeChars) == "00000010");
    CHECK(generate_id("", -5).substr(0, kIdTimeChars) == "00000000");

    // With the real clock: an id made later never sorts before an earlier one's time part.
    const std::string first = generate_id("ses_");
    const std::int64_t after = parley::storage::system_now_ms() + 1;
    const std::string later = generate_id("ses_", after);
    CHECK(first < later);
}

TEST_CASE("ids drawn on many threads at once are unique and well formed", "[storage]") {
    constexpr int kThreads = 4;
    constexpr int kPerThread = 5'000;
    std::vector<std::vector<std::string>> drawn(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&ids = drawn[t]] {
            for (int i = 0; i < kPerThread; ++i) {
                ids.push_back(generate_id("msg_"));
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    std::set<std::string> seen;
    for (const auto& ids : drawn) {
        for (const std::string& id : ids) {
            REQUIRE(id.size() == 4 + kIdChars);
            REQUIRE(is_base62(std::string_view(id).substr(4)));
            seen.insert(id);
        }
        // One thread's ids never go back in time.
        CHECK(std::is_sorted(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) {
            return a.compare(0, 4 + kIdTimeChars, b, 0, 4 + kIdTimeChars) < 0;
        }));
    }
    CHECK(seen.size() == kThreads * kPerThread);
}

TEST_CASE("the random part is spread over the whole alphabet", "[storage]") {
    // kIdRandomChars random characters x 4,000 ids: every one of the 62 characters appears,
    // and none more than twice as often as the mean (a stuck or biased source fails).
    std::vector<int> counts(128, 0);
    constexpr int kIds = 4'000;
    for (int i = 0; i < kIds; ++i) {
        const std::string id = generate_id("", 0);
        for (std::size_t c = kIdTimeChars; c < id.size(); ++c) {
            ++counts[static_cast<unsigned char>(id[c])];
        }
    }
    const double mean = kIds * static_cast<double>(parley::storage::kIdRandomChars) / 62.0;
    int used = 0;
    for (const int count : counts) {
        if (count != 0) {
            ++used;
            CHECK(count < 2 * mean);
        }
    }
    CHECK(used == 62);
}
