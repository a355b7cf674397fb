#include "core/metrics/metric_family.hpp"

#include <cassert>

#include "core/metrics/counter.hpp"
#include "core/metrics/gauge.hpp"
#include "core/metrics/histogram.hpp"
#include "core/metrics/metric_format.hpp"

namespace parley::core {

std::string escape_label_value(std::string_view value) {
    std::string escaped;
    escaped.reserve(value.size());
    for (const char c : value) {
        switch (c) {
            case '\\': escaped += "\\\\"; break;
            case '"': escaped += "\\\""; break;
            case '\n': escaped += "\\n"; break;
            default: escaped += c;
        }
    }
    return escaped;
}

template <class Metric>
MetricFamily<Metric>::MetricFamily(std::string name, std::string help, std::vector<std::string> label_names,
                                   Factory factory)
    : MetricFamilyBase(std::move(name), std::move(help), std::move(label_names)), factory_(std::move(factory)) {}

template <class Metric>
Metric& MetricFamily<Metric>::with(std::initializer_list<std::string_view> label_values) {
    return find_or_create(std::vector<std::string>(label_values.begin(), label_values.end()));
}

template <class Metric>
Metric& MetricFamily<Metric>::with(const std::vector<std::string>& label_values) {
    return find_or_create(label_values);
}

template <class Metric>
Metric& MetricFamily<Metric>::find_or_create(std::vector<std::string> label_values) {
    assert(label_values.size() == label_names_.size());
    std::string key;
    for (std::size_t i = 0; i < label_names_.size() && i < label_values.size(); ++i) {
        if (i > 0) {
            key += ',';
        }
        key += label_names_[i];
        key += "=\"";
        key += escape_label_value(label_values[i]);
        key += '"';
    }
    const std::lock_guard lock(mutex_);
    auto it = metrics_.find(key);
    if (it == metrics_.end()) {
        it = metrics_.emplace(std::move(key), factory_()).first;
    }
    return *it->second;
}

template <class Metric>
void MetricFamily<Metric>::render(std::string& out) const {
    append_family_header(out, name_, help_, Metric::kTypeName);
    const std::lock_guard lock(mutex_);
    for (const auto& [labels, metric] : metrics_) {
        metric->render(out, name_, labels);
    }
}

template class MetricFamily<Counter>;
template class MetricFamily<Gauge>;
template class MetricFamily<Histogram>;

}  // namespace parley::core
