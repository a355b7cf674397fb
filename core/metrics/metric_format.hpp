#pragma once

#include <string>
#include <string_view>

namespace parley::core {

// Appends a sample value as the text exposition format spells it (+Inf, -Inf, NaN, shortest decimal).
void append_metric_value(std::string& out, double value);

// Appends `name{labels} value\n` (no braces when labels is empty).
void append_sample(std::string& out, std::string_view name, std::string_view labels, double value);

}  // namespace parley::core
