#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/net/http_client.hpp"
#include "core/providers/model_types.hpp"
#include "core/tools/blocking_pool.hpp"
#include "core/tools/tool.hpp"

namespace parley::core {

// Every tool of one configuration generation: the built-ins (todo, web_fetch)
// and one HttpTool per [tools.*] table. Built once per generation (at start-up
// and on each reload) and immutable afterwards, so it is safe to share between
// threads. Tools are shared_ptr: a call in flight keeps its tool alive across a
// reload. The HttpClient and BlockingPool must outlive the registry and its tools.
class ToolRegistry {
public:
    ToolRegistry(const Config& config, HttpClient& http, BlockingPool& blocking);

    // The tool of that name, or null.
    [[nodiscard]] std::shared_ptr<Tool> find(std::string_view name) const;
    // The agent's tools in the order its configuration lists them (names
    // unknown here are skipped: configuration validation rejects them).
    [[nodiscard]] std::vector<std::shared_ptr<Tool>> tools_for(const AgentConfig& agent) const;
    // Their specs, for the model request.
    [[nodiscard]] std::vector<ToolSpec> specs_for(const AgentConfig& agent) const;
    // Every tool name, sorted.
    [[nodiscard]] std::vector<std::string> names() const;

private:
    std::map<std::string, std::shared_ptr<Tool>, std::less<>> tools_;
};

}  // namespace parley::core
