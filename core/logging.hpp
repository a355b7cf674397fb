#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include "core/config.hpp"

namespace parley::core {

// Installs the process-wide spdlog logger: text or JSON lines on stdout, each
// flushed at once, except access lines (log_access), flushed within a second.
void configure_logging(const LogConfig& config);

// Changes the level at run time (SIGHUP); returns false for an unknown name.
bool set_log_level(std::string_view level);

struct AccessRecord {
    std::string_view method;
    std::string_view target;  // logged with secrets (access_token) redacted
    unsigned status = 0;
    std::size_t bytes = 0;
    std::chrono::microseconds duration{0};
    std::string_view remote;
};

// One line per request; in JSON format each value is its own field.
void log_access(const AccessRecord& record);

// The request target with the values of secret query parameters replaced.
[[nodiscard]] std::string redact_target(std::string_view target);

}  // namespace parley::core
