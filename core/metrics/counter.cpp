#include "core/metrics/counter.hpp"

#include "core/metrics/metric_format.hpp"

namespace parley::core {

void Counter::render(std::string& out, std::string_view name, std::string_view labels) const {
    append_sample(out, name, labels, value());
}

}  // namespace parley::core
