#include "core/config_store.hpp"

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
    loaded.config.server = previous->config.server;
    loaded.config.storage = previous->config.storage;
    current_.store(std::make_shared<const ConfigSnapshot>(ConfigSnapshot{loaded.config, previous->generation + 1}));
    return loaded;
}

}  // namespace parley::core
