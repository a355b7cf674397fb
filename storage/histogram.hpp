#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace parley::storage {

// What a Histogram held at one moment, in Prometheus' shape: cumulative
// counts per upper bound (the last bucket, +Inf, equals count).
struct HistogramSnapshot {
    std::vector<double> bounds;             // finite upper bounds, ascending
    std::vector<std::uint64_t> cumulative;  // bounds.size() + 1 entries
    double sum = 0;
    std::uint64_t count = 0;
};

// A lock-free histogram with fixed buckets, recorded from any thread.
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);

    void observe(double value) noexcept;
    [[nodiscard]] HistogramSnapshot snapshot() const;

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
    std::atomic<double> sum_{0};
    std::atomic<std::uint64_t> count_{0};
};

}  // namespace parley::storage
