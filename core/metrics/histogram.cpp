#include "core/metrics/histogram.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

#include "core/metrics/metric_format.hpp"

namespace parley::core {

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds_.size() + 1)) {
    assert(std::is_sorted(upper_bounds_.begin(), upper_bounds_.end()));
    // An explicit +Inf bound would duplicate the implicit one.
    if (!upper_bounds_.empty() && upper_bounds_.back() == std::numeric_limits<double>::infinity()) {
        upper_bounds_.pop_back();
    }
}

void Histogram::observe(double value) {
    // Buckets are "less than or equal": the first bound >= value.
    const auto it = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value);
    const auto index = static_cast<std::size_t>(it - upper_bounds_.begin());
    buckets_[index].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot snapshot;
    snapshot.cumulative.reserve(upper_bounds_.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        snapshot.cumulative.push_back(running);
    }
    snapshot.sum = sum_.load(std::memory_order_relaxed);
    // The +Inf bucket and _count must agree, so _count is the bucket total (a scrape
    // racing an observe() may see it one behind the other otherwise).
    snapshot.count = running;
    return snapshot;
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
    const Snapshot snap = snapshot();
    append_histogram(out, name, labels, upper_bounds_, snap.cumulative, snap.sum, snap.count);
}

std::vector<double> latency_buckets_seconds() {
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

}  // namespace parley::core
