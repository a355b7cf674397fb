#include "server/router.hpp"

#include <boost/url/parse.hpp>
#include <catch2/catch.hpp>

namespace parley::server {
namespace {

Handler handler_returning(http::status status) {
    return [status](RequestContext&) -> boost::asio::awaitable<Response> { co_return Response{status, 11}; };
}

std::vector<std::string> segments_of(std::string_view target) {
    std::vector<std::string> segments;
    std::string query;
    REQUIRE(split_target(target, segments, query));
    return segments;
}

TEST_CASE("routes match literally and bind {params}", "[server][router]") {
    Router router;
    router.add(http::verb::get, "/v1/sessions", handler_returning(http::status::ok));
    router.add(http::verb::get, "/v1/sessions/{id}", handler_returning(http::status::accepted));
    router.add(http::verb::delete_, "/v1/sessions/{id}", handler_returning(http::status::no_content));
    router.add(http::verb::get, "/healthz", handler_returning(http::status::ok), RouteAccess::open);

    const auto list = router.match(http::verb::get, segments_of("/v1/sessions"));
    REQUIRE(list.outcome == RouteOutcome::found);
    CHECK(list.pattern == "/v1/sessions");
    CHECK(list.access == RouteAccess::tenant);

    const auto one = router.match(http::verb::get, segments_of("/v1/sessions/ses_%41b"));
    REQUIRE(one.outcome == RouteOutcome::found);
    CHECK(one.pattern == "/v1/sessions/{id}");
    CHECK(one.params.get("id") == "ses_Ab");

    CHECK(router.match(http::verb::get, segments_of("/healthz")).access == RouteAccess::open);
    CHECK(router.match(http::verb::get, segments_of("/v1/sessions/a/b")).outcome == RouteOutcome::not_found);
    CHECK(router.match(http::verb::get, segments_of("/v1/session")).outcome == RouteOutcome::not_found);
}

TEST_CASE("a known path with another method is 405 with the allowed methods", "[server][router]") {
    Router router;
    router.add(http::verb::get, "/v1/sessions/{id}", handler_returning(http::status::ok));
    router.add(http::verb::delete_, "/v1/sessions/{id}", handler_returning(http::status::no_content));
    const auto match = router.match(http::verb::put, segments_of("/v1/sessions/x"));
    CHECK(match.outcome == RouteOutcome::method_not_allowed);
    CHECK(match.allowed == "GET, DELETE");
}

TEST_CASE("targets split into decoded segments and the raw query", "[server][router]") {
    std::vector<std::string> segments;
    std::string query;
    REQUIRE(split_target("/v1/search?q=a%20b&limit=2", segments, query));
    CHECK(segments == std::vector<std::string>{"v1", "search"});
    CHECK(query == "q=a%20b&limit=2");
    REQUIRE(split_target("/v1/models/", segments, query));
    CHECK(segments == std::vector<std::string>{"v1", "models"});
    CHECK_FALSE(split_target("http://example.com/x", segments, query));
    CHECK_FALSE(split_target("no-slash", segments, query));
}

TEST_CASE("plain paths split as Boost.URL splits them", "[server][router]") {
    // Plain paths skip Boost.URL's parse; every target must come out as its parse gives it.
    for (const std::string_view target :
         {"/", "/v1/chat/completions", "/v1/models/", "/v1/sessions/ses_0Vc-x.y~z", "//x", "/a//b", "/a/b//",
          "/v1/x%2Fy", "/v1/a?b=c", "/v1/a?", "/v1/%41", "/v1/a b", "/v1/\x7f", "/v1/caf\xc3\xa9"}) {
        INFO(target);
        std::vector<std::string> expected;
        bool valid = false;
        if (const auto parsed = boost::urls::parse_origin_form(target)) {
            valid = true;
            for (const auto& segment : parsed->segments()) {
                expected.push_back(segment);
            }
            if (!expected.empty() && expected.back().empty()) {
                expected.pop_back();
            }
        }
        std::vector<std::string> segments{"left", "over"};
        std::string query = "left over";
        REQUIRE(split_target(target, segments, query) == valid);
        if (valid) {
            CHECK(segments == expected);
            CHECK(query == std::string(boost::urls::parse_origin_form(target)->encoded_query()));
        }
    }
}

}  // namespace
}  // namespace parley::server
