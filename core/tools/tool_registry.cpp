#include "core/tools/tool_registry.hpp"

#include <utility>

#include "core/tools/http_tool.hpp"
#include "core/tools/todo_tool.hpp"
#include "core/tools/web_fetch_tool.hpp"

namespace parley::core {

ToolRegistry::ToolRegistry(const Config& config, HttpClient& http, BlockingPool& blocking) {
    tools_.emplace(std::string(TodoTool::kName), std::make_shared<TodoTool>());
    tools_.emplace(std::string(WebFetchTool::kName), std::make_shared<WebFetchTool>(config.web_fetch, http, blocking));
    for (const auto& [name, tool] : config.tools) {
        if (tool.kind == ToolKind::http) {
            tools_.emplace(name, std::make_shared<HttpTool>(tool, http));
        }
    }
}

std::shared_ptr<Tool> ToolRegistry::find(std::string_view name) const {
    const auto found = tools_.find(name);
    return found == tools_.end() ? nullptr : found->second;
}

std::vector<std::shared_ptr<Tool>> ToolRegistry::tools_for(const AgentConfig& agent) const {
    std::vector<std::shared_ptr<Tool>> tools;
    tools.reserve(agent.tools.size());
    for (const auto& name : agent.tools) {
        if (auto tool = find(name)) {
            tools.push_back(std::move(tool));
        }
    }
    return tools;
}

std::vector<ToolSpec> ToolRegistry::specs_for(const AgentConfig& agent) const {
    std::vector<ToolSpec> specs;
    for (const auto& tool : tools_for(agent)) {
        specs.push_back(tool->spec());
    }
    return specs;
}

std::vector<std::string> ToolRegistry::names() const {
    std::vector<std::string> names;
    names.reserve(tools_.size());
    for (const auto& [name, tool] : tools_) {
        names.push_back(name);
    }
    return names;
}

}  // namespace parley::core
