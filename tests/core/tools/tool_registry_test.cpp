#include "core/tools/tool_registry.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

using parley::core::AgentConfig;
using parley::core::BlockingPool;
using parley::core::Config;
using parley::core::HttpClient;
using parley::core::ToolConfig;
using parley::core::ToolRegistry;

TEST_CASE("the registry holds the built-ins and the configured http tools", "[tools]") {
    boost::asio::io_context io;
    HttpClient http(io.get_executor());
    BlockingPool blocking;
    Config config;
    ToolConfig weather;
    weather.name = "weather";
    weather.url = "http://127.0.0.1:9/weather";
    weather.description = "Current weather";
    weather.parameters = {{"type", "object"}};
    config.tools.emplace("weather", weather);

    const ToolRegistry registry(config, http, blocking);
    CHECK(registry.names() == std::vector<std::string>{"todo", "weather", "web_fetch"});
    REQUIRE(registry.find("todo") != nullptr);
    CHECK(registry.find("todo")->spec().name == "todo");
    REQUIRE(registry.find("web_fetch") != nullptr);
    CHECK(registry.find("web_fetch")->spec().parameters.at("required").as_array().size() == 1);
    CHECK(registry.find("weather")->spec().description == "Current weather");
    CHECK(registry.find("teleport") == nullptr);

    AgentConfig agent;
    agent.tools = {"weather", "todo"};
    const auto tools = registry.tools_for(agent);
    REQUIRE(tools.size() == 2);
    CHECK(tools[0] == registry.find("weather"));
    CHECK(tools[1] == registry.find("todo"));
    const auto specs = registry.specs_for(agent);
    REQUIRE(specs.size() == 2);
    CHECK(specs[0].name == "weather");
    CHECK(specs[1].name == "todo");

    agent.tools.clear();
    CHECK(registry.tools_for(agent).empty());
}
