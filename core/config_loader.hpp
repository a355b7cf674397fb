#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"

namespace parley::core {

// Reads one environment variable; injectable so tests need not touch the process environment.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;

[[nodiscard]] Environment process_environment();

// Every problem found in a configuration, each naming the key, the bad value and what is allowed.
class ConfigError : public std::runtime_error {
public:
    explicit ConfigError(std::vector<std::string> problems);
    [[nodiscard]] const std::vector<std::string>& problems() const { return problems_; }

private:
    std::vector<std::string> problems_;
};

struct LoadedConfig {
    Config config;
    std::vector<std::string> warnings;  // valid but worth telling the operator (e.g. a provider without its key)
};

// Parses, applies the PARLEY_* overrides, resolves secrets and validates. Throws ConfigError.
[[nodiscard]] LoadedConfig load_config_file(const std::filesystem::path& path, const Environment& env);
[[nodiscard]] LoadedConfig load_config_string(std::string_view toml_text, std::string_view source_name,
                                              const Environment& env);

// 127.0.0.0/8, ::1 or "localhost".
[[nodiscard]] bool is_loopback_host(std::string_view host);

inline constexpr std::string_view kBuiltinTools[] = {"todo", "web_fetch"};

}  // namespace parley::core
