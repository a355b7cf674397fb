#include "storage/histogram.hpp"

#include <thread>
#include <vector>

#include <catch2/catch.hpp>

using parley::storage::Histogram;

TEST_CASE("histogram counts cumulatively per upper bound", "[storage]") {
    Histogram histogram({1, 5, 10});
    for (double value : {0.5, 1.0, 3.0, 10.0, 11.0, 100.0}) {
        histogram.observe(value);
    }
    const auto snapshot = histogram.snapshot();
    CHECK(snapshot.bounds == std::vector<double>{1, 5, 10});
    CHECK(snapshot.cumulative == std::vector<std::uint64_t>{2, 3, 4, 6});
    CHECK(snapshot.count == 6);
    CHECK(snapshot.sum == Approx(125.5));
}

TEST_CASE("histogram records from many threads", "[storage]") {
    Histogram histogram({1});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) {
                histogram.observe(1);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    const auto snapshot = histogram.snapshot();
    CHECK(snapshot.count == 4000);
    CHECK(snapshot.cumulative[0] == 4000);
    CHECK(snapshot.sum == Approx(4000));
}
