#pragma once

#include <atomic>
#include <string>
#include <string_view>

namespace parley::core {

// A monotonically increasing value (Prometheus counter). Lock-free.
class Counter {
public:
    void increment(double by = 1.0) { value_.fetch_add(by, std::memory_order_relaxed); }
    [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

    // Appends `name{labels} value\n`; `labels` is the inside of the braces, may be empty.
    void render(std::string& out, std::string_view name, std::string_view labels) const;

    static constexpr std::string_view kTypeName = "counter";

private:
    std::atomic<double> value_{0.0};
};

}  // namespace parley::core
