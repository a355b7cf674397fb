#include "core/config_store.hpp"

#include <fmt/format.h>

namespace parley::core {

ConfigStore::ConfigStore(std::filesystem::path path, Environment env, Config initial)
    : path_(std::move(path)),
      env_(std::move(env)),
      current_(std::make_shared<const ConfigSnapshot>(ConfigSnapshot{std::move(initial), 1})) {}

LoadedConfig ConfigStore::reload() {
    LoadedConfig loaded = path_.empty() ? load_config_string("", "<defaults>", env_) : load_config_file(path_, env_);
    const auto previous = current_.load();
    // Where the daemon listens and stores is fixed for its lifetime: a reload
    // changes agents, providers, tools, keys and logging, not sockets or files.
    if (!(loaded.config.server == previous->config.server) || !(loaded.config.storage == previous->config.storage)) {
        loaded.warnings.emplace_back("[server] and [storage] changes take effect only after a restart");
    }
    loaded.config.server = previous->config.server;
    loaded.config.storage = previous->config.storage;
    if (loaded.config.open_mode() && !is_loopback_host(loaded.config.server.listen_host)) {
        throw ConfigError(
            {fmt::format("auth.keys: the daemon listens on {}, not a loopback address; a "
                         "configuration without keys would open it to anyone",
                         loaded.config.server.listen_host)});
    }
    current_.store(std::make_shared<const ConfigSnapshot>(ConfigSnapshot{loaded.config, previous->generation + 1}));
    return loaded;
}

}  // namespace parley::core
