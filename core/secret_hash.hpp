#pragma once

#include <string>
#include <string_view>

namespace parley::core {

// Lower-case hex SHA-256 of a secret; API keys are kept and compared only in this form.
[[nodiscard]] std::string sha256_hex(std::string_view secret);

// Compares two equal-length digests in time independent of where they differ.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace parley::core
