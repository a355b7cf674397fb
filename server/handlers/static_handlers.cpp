#include "server/handlers/static_handlers.hpp"

#include <string>

#include "core/version.hpp"
#include "server/request_context.hpp"

namespace parley::server {

namespace {

constexpr std::string_view kRevalidate = "no-cache";
constexpr std::string_view kForever = "public, max-age=31536000, immutable";
// Defence in depth for the page: only its own scripts, styles and API calls;
// inline script and event-handler attributes never run.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// A fingerprinted reference: the query is exactly "v=<the asset's version>".
bool is_fingerprinted(const WebAsset& asset, std::string_view query) {
    return !asset.version.empty() && query.starts_with("v=") && query.substr(2) == asset.version;
}

}  // namespace

bool if_none_match_matches(std::string_view header, std::string_view etag) {
    const auto opaque = [](std::string_view tag) { return tag.starts_with("W/") ? tag.substr(2) : tag; };
    while (!header.empty()) {
        const auto comma = header.find(',');
        const auto tag = trim(header.substr(0, comma));
        if (tag == "*" || (!tag.empty() && opaque(tag) == opaque(etag))) {
            return true;
        }
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    }
    return false;
}

Response static_response(const WebAsset& asset, const Request& request, std::string_view query) {
    const bool not_modified = if_none_match_matches(request[http::field::if_none_match], asset.etag);
    Response response{not_modified ? http::status::not_modified : http::status::ok, request.version()};
    response.set(http::field::server, std::string("parley/") + core::kVersion);
    response.set(http::field::etag, asset.etag);
    response.set(http::field::cache_control,
                 asset.path == "/" || !is_fingerprinted(asset, query) ? kRevalidate : kForever);
    response.set(http::field::content_type, asset.content_type);
    response.set("X-Content-Type-Options", "nosniff");
    if (asset.path == "/") {
        response.set("Content-Security-Policy", kContentSecurityPolicy);
        response.set("Referrer-Policy", "no-referrer");
        response.set("X-Frame-Options", "DENY");
    }
    response.keep_alive(request.keep_alive());
    if (!not_modified) {
        response.body() = std::string(asset.body);
    }
    response.prepare_payload();
    return response;
}

StaticHandlers::StaticHandlers(std::span<const WebAsset> assets) : assets_(assets) {}

void StaticHandlers::add_routes(Router& router) {
    for (const auto& asset : assets_) {
        router.add(
            http::verb::get, asset.path, [&asset](RequestContext& context) { return serve(asset, context); },
            RouteAccess::open);
    }
}

boost::asio::awaitable<Response> StaticHandlers::serve(const WebAsset& asset, RequestContext& context) {
    co_return static_response(asset, context.request, context.query);
}

}  // namespace parley::server
