#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace parley::core {

// A Prometheus histogram with fixed upper bounds (the +Inf bucket is implicit).
// observe() is lock-free: one atomic increment per bucket hit plus sum and count.
class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);

    void observe(double value);

    struct Snapshot {
        std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };
    [[nodiscard]] Snapshot snapshot() const;
    [[nodiscard]] const std::vector<double>& upper_bounds() const { return upper_bounds_; }

    void render(std::string& out, std::string_view name, std::string_view labels) const;

    static constexpr std::string_view kTypeName = "histogram";

private:
    std::vector<double> upper_bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // non-cumulative, one per bound plus +Inf
    std::atomic<double> sum_{0.0};
    std::atomic<std::uint64_t> count_{0};
};

// Bucket bounds for latencies in seconds, 5 ms to 60 s.
[[nodiscard]] std::vector<double> latency_buckets_seconds();

}  // namespace parley::core
