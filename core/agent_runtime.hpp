#pragma once

#include <memory>

#include "core/config_store.hpp"
#include "core/providers/provider_registry.hpp"
#include "core/tools/tool_registry.hpp"

namespace parley::core {

// What turns of one configuration generation run with: the configuration,
// its providers and its tools. Replaced whole on SIGHUP; a running turn keeps
// the one it started with.
struct AgentRuntime {
    std::shared_ptr<const ConfigSnapshot> config;
    std::shared_ptr<const ProviderRegistry> providers;
    std::shared_ptr<const ToolRegistry> tools;
};

}  // namespace parley::core
