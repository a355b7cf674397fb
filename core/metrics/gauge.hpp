#pragma once

#include <atomic>
#include <string>
#include <string_view>

namespace parley::core {

// A value that goes up and down (Prometheus gauge). Lock-free.
class Gauge {
public:
    void set(double value) { value_.store(value, std::memory_order_relaxed); }
    void add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
    void increment() { add(1.0); }
    void decrement() { add(-1.0); }
    [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

    void render(std::string& out, std::string_view name, std::string_view labels) const;

    static constexpr std::string_view kTypeName = "gauge";

private:
    std::atomic<double> value_{0.0};
};

}  // namespace parley::core
