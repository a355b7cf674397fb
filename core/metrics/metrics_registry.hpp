#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics/counter.hpp"
#include "core/metrics/gauge.hpp"
#include "core/metrics/histogram.hpp"
#include "core/metrics/metric_family.hpp"

namespace parley::core {

// Every metric of the process, rendered by /metrics in Prometheus text format.
// Created once at start-up and passed by reference to the modules that count.
// Registering an existing name again returns the same family (so a reload can
// re-register); a different type or label set under one name is a programmer
// error (std::logic_error). Families live as long as the registry.
class MetricsRegistry {
public:
    MetricsRegistry() = default;
    MetricsRegistry(const MetricsRegistry&) = delete;
    MetricsRegistry& operator=(const MetricsRegistry&) = delete;

    MetricFamily<Counter>& counter_family(std::string name, std::string help, std::vector<std::string> label_names);
    MetricFamily<Gauge>& gauge_family(std::string name, std::string help, std::vector<std::string> label_names);
    MetricFamily<Histogram>& histogram_family(std::string name, std::string help, std::vector<std::string> label_names,
                                              std::vector<double> upper_bounds);

    // A family whose samples are read at scrape time from a component that
    // keeps its own figures (the agent cache, the storage writer). `samples`
    // appends the sample lines (metric_format.hpp); `type` is counter, gauge
    // or histogram.
    using SampleWriter = std::function<void(std::string& out, std::string_view name)>;
    void collected_family(std::string name, std::string help, std::string type, SampleWriter samples);

    // Unlabelled shorthands.
    Counter& counter(std::string name, std::string help);
    Gauge& gauge(std::string name, std::string help);
    Histogram& histogram(std::string name, std::string help, std::vector<double> upper_bounds);

    // The text exposition format (version 0.0.4), families sorted by name.
    [[nodiscard]] std::string render() const;

    static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

private:
    template <class Metric>
    MetricFamily<Metric>& family(std::string name, std::string help, std::vector<std::string> label_names,
                                 typename MetricFamily<Metric>::Factory factory);

    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<MetricFamilyBase>, std::less<>> families_;
};

}  // namespace parley::core
