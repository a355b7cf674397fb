#include "core/metrics/metrics_registry.hpp"

#include <stdexcept>

#include "core/metrics/metric_format.hpp"

namespace parley::core {

template <class Metric>
MetricFamily<Metric>& MetricsRegistry::family(std::string name, std::string help, std::vector<std::string> label_names,
                                              typename MetricFamily<Metric>::Factory factory) {
    const std::lock_guard lock(mutex_);
    auto it = families_.find(name);
    if (it != families_.end()) {
        auto* existing = dynamic_cast<MetricFamily<Metric>*>(it->second.get());
        if (existing == nullptr) {
            throw std::logic_error("metric " + name + " registered twice with different types");
        }
        return *existing;
    }
    auto created =
        std::make_unique<MetricFamily<Metric>>(name, std::move(help), std::move(label_names), std::move(factory));
    auto& ref = *created;
    families_.emplace(std::move(name), std::move(created));
    return ref;
}

MetricFamily<Counter>& MetricsRegistry::counter_family(std::string name, std::string help,
                                                       std::vector<std::string> label_names) {
    return family<Counter>(std::move(name), std::move(help), std::move(label_names),
                           [] { return std::make_unique<Counter>(); });
}

MetricFamily<Gauge>& MetricsRegistry::gauge_family(std::string name, std::string help,
                                                   std::vector<std::string> label_names) {
    return family<Gauge>(std::move(name), std::move(help), std::move(label_names),
                         [] { return std::make_unique<Gauge>(); });
}

MetricFamily<Histogram>& MetricsRegistry::histogram_family(std::string name, std::string help,
                                                           std::vector<std::string> label_names,
                                                           std::vector<double> upper_bounds) {
    return family<Histogram>(std::move(name), std::move(help), std::move(label_names),
                             [bounds = std::move(upper_bounds)] { return std::make_unique<Histogram>(bounds); });
}

Counter& MetricsRegistry::counter(std::string name, std::string help) {
    return counter_family(std::move(name), std::move(help), {}).with({});
}

Gauge& MetricsRegistry::gauge(std::string name, std::string help) {
    return gauge_family(std::move(name), std::move(help), {}).with({});
}

Histogram& MetricsRegistry::histogram(std::string name, std::string help, std::vector<double> upper_bounds) {
    return histogram_family(std::move(name), std::move(help), {}, std::move(upper_bounds)).with({});
}

namespace {

class CollectedFamily final : public MetricFamilyBase {
public:
    CollectedFamily(std::string name, std::string help, std::string type, MetricsRegistry::SampleWriter samples)
        : MetricFamilyBase(std::move(name), std::move(help), {}),
          type_(std::move(type)),
          samples_(std::move(samples)) {}

    void render(std::string& out) const override {
        append_family_header(out, name_, help_, type_);
        samples_(out, name_);
    }

private:
    std::string type_;
    MetricsRegistry::SampleWriter samples_;
};

}  // namespace

void MetricsRegistry::collected_family(std::string name, std::string help, std::string type, SampleWriter samples) {
    const std::lock_guard lock(mutex_);
    if (families_.contains(name)) {
        throw std::logic_error("metric " + name + " registered twice");
    }
    auto family = std::make_unique<CollectedFamily>(name, std::move(help), std::move(type), std::move(samples));
    families_.emplace(std::move(name), std::move(family));
}

std::string MetricsRegistry::render() const {
    std::string out;
    const std::lock_guard lock(mutex_);
    for (const auto& [name, family] : families_) {
        family->render(out);
    }
    return out;
}

}  // namespace parley::core
