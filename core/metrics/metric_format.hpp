#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace parley::core {

// Appends a sample value as the text exposition format spells it (+Inf, -Inf, NaN, shortest decimal).
void append_metric_value(std::string& out, double value);

// Appends `name{labels} value\n` (no braces when labels is empty).
void append_sample(std::string& out, std::string_view name, std::string_view labels, double value);

// Appends the `# HELP` (escaped) and `# TYPE` lines that open a family.
void append_family_header(std::string& out, std::string_view name, std::string_view help, std::string_view type);

// Appends a histogram's `_bucket` (one per bound, then +Inf), `_sum` and
// `_count` samples; `cumulative` has bounds.size() + 1 entries.
void append_histogram(std::string& out, std::string_view name, std::string_view labels, std::span<const double> bounds,
                      std::span<const std::uint64_t> cumulative, double sum, std::uint64_t count);

}  // namespace parley::core
