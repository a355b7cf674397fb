#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "core/config.hpp"
#include "core/config_loader.hpp"

namespace parley::core {

// One immutable configuration and the generation number it was installed as.
// Holders of a snapshot keep it alive; a reload never mutates one.
struct ConfigSnapshot {
    Config config;
    std::uint64_t generation = 0;
};

// The current configuration, swapped atomically on SIGHUP. Readers take a
// snapshot once per unit of work (a request, a turn) and keep using it.
class ConfigStore {
public:
    ConfigStore(std::filesystem::path path, Environment env, Config initial);

    [[nodiscard]] std::shared_ptr<const ConfigSnapshot> current() const { return current_.load(); }

    // Re-reads the file. A valid file becomes current with the next generation
    // and is returned with its warnings; an invalid one throws ConfigError and
    // leaves the current configuration in place.
    LoadedConfig reload();

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    Environment env_;
    std::atomic<std::shared_ptr<const ConfigSnapshot>> current_;
};

}  // namespace parley::core
