#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace parley::core {

// What MetricsRegistry renders: one named metric with its HELP and TYPE.
class MetricFamilyBase {
public:
    virtual ~MetricFamilyBase() = default;
    virtual void render(std::string& out) const = 0;
    [[nodiscard]] const std::string& name() const { return name_; }

protected:
    MetricFamilyBase(std::string name, std::string help, std::vector<std::string> label_names)
        : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

    std::string name_;
    std::string help_;
    std::vector<std::string> label_names_;
};

// A labelled family of one metric type (Counter, Gauge or Histogram). with() returns
// a reference that stays valid as long as the family: callers look it up once and keep it.
template <class Metric>
class MetricFamily final : public MetricFamilyBase {
public:
    using Factory = std::function<std::unique_ptr<Metric>()>;

    MetricFamily(std::string name, std::string help, std::vector<std::string> label_names, Factory factory);

    // The metric for these label values, in the order of the family's label names.
    Metric& with(std::initializer_list<std::string_view> label_values);
    Metric& with(const std::vector<std::string>& label_values);

    void render(std::string& out) const override;

private:
    Metric& find_or_create(std::vector<std::string> label_values);

    Factory factory_;
    mutable std::mutex mutex_;
    // Keyed by the rendered label set (`a="x",b="y"`), which sorts deterministically.
    std::map<std::string, std::unique_ptr<Metric>, std::less<>> metrics_;
};

// Instantiated in metric_family.cpp for Counter, Gauge and Histogram.

// Escapes a label value for the text exposition format (backslash, quote, newline).
[[nodiscard]] std::string escape_label_value(std::string_view value);

}  // namespace parley::core
