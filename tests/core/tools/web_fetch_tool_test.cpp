#include "core/tools/web_fetch_tool.hpp"

#include <string>

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "tests/core/run_io.hpp"
#include "tests/core/tools/local_http_server.hpp"

namespace {

using parley::core::BlockingPool;
using parley::core::HttpClient;
using parley::core::ToolCallContext;
using parley::core::ToolOutput;
using parley::core::WebFetchConfig;
using parley::core::WebFetchTool;
using parley::core::test::LocalHttpServer;
using parley::core::test::LocalReply;
using parley::core::test::LocalRequest;
using parley::core::test::run_io;

constexpr std::string_view kPage =
    "<html><head><title>t</title><script>evil()</script></head>"
    "<body><h1>Hello</h1><p>Fish &amp; chips</p></body></html>";

LocalReply site(const LocalRequest& request) {
    if (request.target == "/page") {
        return LocalReply{.content_type = "text/html; charset=utf-8", .body = std::string(kPage)};
    }
    if (request.target == "/text") {
        return LocalReply{.content_type = "text/plain", .body = std::string(500, 'y')};
    }
    if (request.target == "/image") {
        return LocalReply{.content_type = "image/png", .body = "\x89PNG"};
    }
    return LocalReply{.status = 404, .content_type = "text/plain", .body = "no such page"};
}

struct Fixture {
    boost::asio::io_context io;
    HttpClient http{io.get_executor()};
    BlockingPool blocking{BlockingPool::Options{.threads = 1, .queue_capacity = 4}};

    ToolOutput fetch(const WebFetchConfig& config, const std::string& url) {
        WebFetchTool tool(config, http, blocking);
        return run_io(io, tool.invoke(ToolCallContext{}, boost::json::object{{"url", url}}));
    }
};

}  // namespace

TEST_CASE("web_fetch refuses loopback, private and metadata destinations", "[tools]") {
    LocalHttpServer server(site);
    Fixture fixture;
    const WebFetchConfig config;
    struct Case {
        std::string url;
        std::string reason;
    };
    const std::vector<Case> cases{
        {server.url("/page"), "127.0.0.1 is a loopback address"},
        {"http://10.0.0.1/", "10.0.0.1 is a private address"},
        {"http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"},
        {"http://[::1]:" + std::to_string(server.port()) + "/page", "::1 is a loopback address"},
        {"http://[::ffff:127.0.0.1]/", "is a loopback address"},
        {"http://0.0.0.0:" + std::to_string(server.port()) + "/page", "0.0.0.0 is an unspecified address"},
        {"http://localhost:" + std::to_string(server.port()) + "/page", "localhost resolves to"},
    };
    for (const auto& item : cases) {
        INFO(item.url);
        const auto output = fixture.fetch(config, item.url);
        CHECK(output.is_error);
        CHECK(output.output.find("refused to fetch") == 0);
        CHECK(output.output.find(item.reason) != std::string::npos);
    }
    CHECK(server.requests().empty());
}

TEST_CASE("web_fetch refuses what is not an http(s) URL", "[tools]") {
    Fixture fixture;
    const WebFetchConfig config;
    CHECK(fixture.fetch(config, "ftp://example.com/file").output.find("only http:// and https://") !=
          std::string::npos);
    CHECK(fixture.fetch(config, "file:///etc/passwd").is_error);
    CHECK(fixture.fetch(config, "not a url").output.find("not a valid absolute URL") != std::string::npos);
    CHECK(fixture.fetch(config, "http://user:pw@example.com/").output.find("credentials") != std::string::npos);
    WebFetchTool tool(config, fixture.http, fixture.blocking);
    const auto missing = run_io(fixture.io, tool.invoke(ToolCallContext{}, boost::json::object{{"url", 5}}));
    CHECK(missing.is_error);
    CHECK(missing.output.find("url: expected a string") == 0);
}

TEST_CASE("web_fetch fetches an allow-listed local page and extracts its text", "[tools]") {
    LocalHttpServer server(site);
    Fixture fixture;
    WebFetchConfig config;
    config.allow_hosts = {"127.0.0.1"};
    const auto page = fixture.fetch(config, server.url("/page"));
    CHECK_FALSE(page.is_error);
    CHECK(page.output == "Hello\nFish & chips");
    REQUIRE(server.requests().size() == 1);
    CHECK(server.requests()[0].method == "GET");

    WebFetchConfig by_name;
    by_name.allow_hosts = {"localhost"};
    const auto named = fixture.fetch(by_name, "http://localhost:" + std::to_string(server.port()) + "/page");
    CHECK_FALSE(named.is_error);
    CHECK(named.output == "Hello\nFish & chips");

    WebFetchConfig open_private;
    open_private.allow_private = true;
    CHECK(fixture.fetch(open_private, server.url("/page")).output == "Hello\nFish & chips");
}

TEST_CASE("web_fetch limits the text, refuses binary content and reports HTTP errors", "[tools]") {
    LocalHttpServer server(site);
    Fixture fixture;
    WebFetchConfig config;
    config.allow_hosts = {"127.0.0.1"};
    config.max_output_bytes = 100;
    const auto text = fixture.fetch(config, server.url("/text"));
    CHECK_FALSE(text.is_error);
    CHECK(text.output == std::string(100, 'y') + "\n[truncated: 100 of 500 bytes shown]");

    config.max_output_bytes = 1000;
    config.max_response_bytes = 200;
    const auto cut = fixture.fetch(config, server.url("/text"));
    CHECK(cut.output == std::string(200, 'y') + "\n[truncated: only the first 200 bytes of the page were read]");

    const auto image = fixture.fetch(config, server.url("/image"));
    CHECK(image.is_error);
    CHECK(image.output.find("unsupported content type \"image/png\"") != std::string::npos);

    const auto missing = fixture.fetch(config, server.url("/missing"));
    CHECK(missing.is_error);
    CHECK(missing.output.find("the server answered HTTP 404: no such page") != std::string::npos);
}
