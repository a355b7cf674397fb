#include "server/handlers/static_handlers.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

namespace parley::server {
namespace {

constexpr WebAsset kPage{"/", "text/html; charset=utf-8", R"("0123abcd")", "v1page", "<!doctype html>"};
constexpr WebAsset kScript{"/assets/app.js", "text/javascript; charset=utf-8", R"("feedbeef")", "v2script",
                           "console.log(1);"};

Request get(std::string_view target) {
    Request request{http::verb::get, target, 11};
    request.keep_alive(true);
    return request;
}

TEST_CASE("If-None-Match compares entity tags weakly, in a list or as *", "[server][static]") {
    CHECK(if_none_match_matches(R"("a")", R"("a")"));
    CHECK(if_none_match_matches(R"(W/"a")", R"("a")"));
    CHECK(if_none_match_matches(R"("x", "a")", R"("a")"));
    CHECK(if_none_match_matches(R"("x",W/"a" , "y")", R"("a")"));
    CHECK(if_none_match_matches("*", R"("a")"));
    CHECK_FALSE(if_none_match_matches("", R"("a")"));
    CHECK_FALSE(if_none_match_matches(R"("ab")", R"("a")"));
    CHECK_FALSE(if_none_match_matches(R"(a)", R"("a")"));
    CHECK_FALSE(if_none_match_matches(" , ", R"("a")"));
}

TEST_CASE("the page is served with its type, a strong ETag, no-cache and a strict CSP", "[server][static]") {
    const auto response = static_response(kPage, get("/"), "");
    CHECK(response.result() == http::status::ok);
    CHECK(response.body() == "<!doctype html>");
    CHECK(response[http::field::content_type] == "text/html; charset=utf-8");
    CHECK(response[http::field::etag] == R"("0123abcd")");
    CHECK(response[http::field::cache_control] == "no-cache");
    CHECK(response[http::field::content_length] == "15");
    CHECK(response["X-Content-Type-Options"] == "nosniff");
    const auto csp = response["Content-Security-Policy"];
    CHECK(csp.find("script-src 'self'") != std::string_view::npos);
    CHECK(csp.find("unsafe-inline") == std::string_view::npos);
    CHECK(response.keep_alive());
}

TEST_CASE("a matching If-None-Match answers 304 without a body", "[server][static]") {
    auto request = get("/");
    request.set(http::field::if_none_match, R"("other", "0123abcd")");
    const auto response = static_response(kPage, request, "");
    CHECK(response.result() == http::status::not_modified);
    CHECK(response.body().empty());
    CHECK(response[http::field::etag] == R"("0123abcd")");
    CHECK(response[http::field::cache_control] == "no-cache");

    request.set(http::field::if_none_match, R"("stale")");
    CHECK(static_response(kPage, request, "").result() == http::status::ok);
}

TEST_CASE("an asset is cached for good only under its own fingerprint", "[server][static]") {
    const auto fingerprinted = static_response(kScript, get("/assets/app.js?v=v2script"), "v=v2script");
    CHECK(fingerprinted[http::field::cache_control] == "public, max-age=31536000, immutable");
    CHECK(fingerprinted[http::field::content_type] == "text/javascript; charset=utf-8");
    CHECK(fingerprinted["Content-Security-Policy"].empty());
    CHECK(static_response(kScript, get("/assets/app.js"), "")[http::field::cache_control] == "no-cache");
    CHECK(static_response(kScript, get("/assets/app.js?v=old"), "v=old")[http::field::cache_control] == "no-cache");
}

TEST_CASE("the embedded page: index.html at / and fingerprinted assets it refers to", "[server][static]") {
    const auto assets = web_assets();
    const auto find = [&](std::string_view path) {
        return std::find_if(assets.begin(), assets.end(), [&](const WebAsset& asset) { return asset.path == path; });
    };
    const auto page = find("/");
    REQUIRE(page != assets.end());
    CHECK(page->content_type == "text/html; charset=utf-8");
    CHECK(page->body.starts_with("<!doctype html>"));
    CHECK(page->etag.size() == 34);
    for (const auto& asset : assets) {
        if (asset.path == "/") {
            continue;
        }
        CAPTURE(asset.path);
        CHECK(asset.path.starts_with("/assets/"));
        CHECK_FALSE(asset.body.empty());
        // index.html loads every asset by its fingerprint.
        const auto reference = std::string(asset.path) + "?v=" + std::string(asset.version);
        CHECK(page->body.find(reference) != std::string_view::npos);
    }
    CHECK(find("/assets/app.js")->content_type == "text/javascript; charset=utf-8");
    CHECK(find("/assets/style.css")->content_type == "text/css; charset=utf-8");
}

TEST_CASE("the page's routes are open and GET only", "[server][static]") {
    Router router;
    StaticHandlers handlers;
    handlers.add_routes(router);
    const auto page = router.match(http::verb::get, {});
    REQUIRE(page.outcome == RouteOutcome::found);
    CHECK(page.access == RouteAccess::open);
    CHECK(router.match(http::verb::get, {"assets", "app.js"}).outcome == RouteOutcome::found);
    CHECK(router.match(http::verb::post, {}).outcome == RouteOutcome::method_not_allowed);
    CHECK(router.match(http::verb::get, {"assets", "missing.js"}).outcome == RouteOutcome::not_found);
}

}  // namespace
}  // namespace parley::server
