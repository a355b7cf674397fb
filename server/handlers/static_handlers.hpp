#pragma once

#include <span>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "server/router.hpp"
#include "server/web_assets.hpp"

namespace parley::server {

// The built-in chat page: GET / and GET /assets/<name>, served from the files
// embedded in the binary. No key needed (the page asks for one when the API
// does). Strong ETags answer If-None-Match with 304; index.html is always
// revalidated, a fingerprinted asset ("?v=<version>", as index.html refers to
// it) is cached for a year.
class StaticHandlers {
public:
    explicit StaticHandlers(std::span<const WebAsset> assets = web_assets());

    void add_routes(Router& router);

    static boost::asio::awaitable<Response> serve(const WebAsset& asset, RequestContext& context);

private:
    std::span<const WebAsset> assets_;
};

// The response to a GET of `asset` (the logic of serve(), without a coroutine).
[[nodiscard]] Response static_response(const WebAsset& asset, const Request& request, std::string_view query);

// Whether an If-None-Match header value matches `etag` (RFC 9110 13.1.2: weak
// comparison, a list of entity tags or "*").
[[nodiscard]] bool if_none_match_matches(std::string_view header, std::string_view etag);

}  // namespace parley::server
