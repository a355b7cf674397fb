#include "core/metrics/metric_format.hpp"

#include <cmath>
#include <limits>

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

void append_family_header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    // HELP text escapes backslash and newline only.
    for (const char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void append_histogram(std::string& out, std::string_view name, std::string_view labels, std::span<const double> bounds,
                      std::span<const std::uint64_t> cumulative, double sum, std::uint64_t count) {
    const std::string bucket_name = std::string(name) + "_bucket";
    std::string bucket_labels;
    for (std::size_t i = 0; i <= bounds.size() && i < cumulative.size(); ++i) {
        bucket_labels.assign(labels);
        if (!bucket_labels.empty()) {
            bucket_labels += ',';
        }
        bucket_labels += "le=\"";
        append_metric_value(bucket_labels, i < bounds.size() ? bounds[i] : std::numeric_limits<double>::infinity());
        bucket_labels += '"';
        append_sample(out, bucket_name, bucket_labels, static_cast<double>(cumulative[i]));
    }
    append_sample(out, std::string(name) + "_sum", labels, sum);
    append_sample(out, std::string(name) + "_count", labels, static_cast<double>(count));
}

}  // namespace parley::core
