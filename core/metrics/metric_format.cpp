#include "core/metrics/metric_format.hpp"

#include <cmath>

#include <fmt/format.h>

namespace parley::core {

void append_metric_value(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "NaN";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "+Inf" : "-Inf";
        return;
    }
    fmt::format_to(std::back_inserter(out), "{}", value);
}

void append_sample(std::string& out, std::string_view name, std::string_view labels, double value) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    out += ' ';
    append_metric_value(out, value);
    out += '\n';
}

}  // namespace parley::core
