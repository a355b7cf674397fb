#include "core/tools/http_tool.hpp"

#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "tests/core/run_io.hpp"
#include "tests/core/tools/local_http_server.hpp"

namespace {

using namespace std::chrono_literals;
using parley::core::HttpClient;
using parley::core::HttpTool;
using parley::core::ToolCallContext;
using parley::core::ToolConfig;
using parley::core::ToolOutput;
using parley::core::test::LocalHttpServer;
using parley::core::test::LocalReply;
using parley::core::test::LocalRequest;
using parley::core::test::run_io;

ToolConfig weather_config(const std::string& url) {
    ToolConfig config;
    config.name = "weather";
    config.url = url;
    config.description = "Current weather";
    config.timeout_seconds = 5;
    config.parameters = boost::json::parse(R"({"type":"object","properties":{"city":{"type":"string"}}})").as_object();
    return config;
}

ToolOutput call(HttpTool& tool, boost::asio::io_context& io, std::string_view arguments) {
    return run_io(io, tool.invoke(ToolCallContext{}, boost::json::parse(arguments).as_object()));
}

}  // namespace

TEST_CASE("an http tool POSTs the arguments as JSON and returns the body", "[tools]") {
    LocalHttpServer server([](const LocalRequest& request) {
        return LocalReply{.status = 200, .content_type = "application/json", .body = "sunny in " + request.body};
    });
    boost::asio::io_context io;
    HttpClient http(io.get_executor());
    HttpTool tool(weather_config(server.url("/weather")), http);
    CHECK(tool.spec().name == "weather");
    CHECK(tool.spec().description == "Current weather");
    CHECK(tool.spec().parameters.at("properties").as_object().contains("city"));

    const auto output = call(tool, io, R"({"city":"Oslo"})");
    CHECK_FALSE(output.is_error);
    CHECK(output.output == R"(sunny in {"city":"Oslo"})");
    const auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "POST");
    CHECK(requests[0].target == "/weather");
    CHECK(requests[0].content_type == "application/json");
}

TEST_CASE("an http tool's non-2xx answer is an error with the status and the body", "[tools]") {
    LocalHttpServer server([](const LocalRequest&) {
        return LocalReply{.status = 503, .content_type = "text/plain", .body = "maintenance"};
    });
    boost::asio::io_context io;
    HttpClient http(io.get_executor());
    HttpTool tool(weather_config(server.url("/weather")), http);
    const auto output = call(tool, io, "{}");
    CHECK(output.is_error);
    CHECK(output.output == "weather: the server answered HTTP 503: maintenance");
}

TEST_CASE("an http tool that times out is an error", "[tools]") {
    LocalHttpServer server([](const LocalRequest&) { return LocalReply{.body = "late", .delay = 3s}; });
    boost::asio::io_context io;
    HttpClient http(io.get_executor());
    auto config = weather_config(server.url("/weather"));
    config.timeout_seconds = 1;
    HttpTool tool(config, http);
    const auto started = std::chrono::steady_clock::now();
    const auto output = call(tool, io, "{}");
    CHECK(output.is_error);
    CHECK(output.output.find("timed out") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < 2500ms);
}

TEST_CASE("an http tool that cannot connect is an error", "[tools]") {
    std::string url;
    {
        LocalHttpServer closed([](const LocalRequest&) { return LocalReply{}; });
        url = closed.url("/gone");
    }
    boost::asio::io_context io;
    HttpClient http(io.get_executor());
    HttpTool tool(weather_config(url), http);
    const auto output = call(tool, io, "{}");
    CHECK(output.is_error);
    CHECK(output.output.find("weather: the request failed") == 0);
}

TEST_CASE("an http tool truncates a long body for the model with a marker", "[tools]") {
    const std::string big(10000, 'x');
    LocalHttpServer server([&big](const LocalRequest& request) {
        return LocalReply{.body = big, .chunked = request.target == "/chunked"};
    });
    boost::asio::io_context io;
    HttpClient http(io.get_executor());

    auto config = weather_config(server.url("/sized"));
    config.max_response_bytes = 100;
    HttpTool sized(config, http);
    const auto output = call(sized, io, "{}");
    CHECK_FALSE(output.is_error);
    CHECK(output.output == std::string(100, 'x') + "\n[truncated: 100 of 10000 bytes shown]");

    config.url = server.url("/chunked");
    HttpTool chunked(config, http);
    const auto chunked_output = call(chunked, io, "{}");
    CHECK_FALSE(chunked_output.is_error);
    CHECK(chunked_output.output == std::string(100, 'x') + "\n[truncated: first 100 bytes shown]");

    config.max_response_bytes = 10000;
    config.url = server.url("/exact");
    HttpTool exact(config, http);
    CHECK(call(exact, io, "{}").output == big);
}
