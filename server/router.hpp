#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "server/auth/access_gate.hpp"
#include "server/handler.hpp"
#include "server/http_types.hpp"
#include "server/request_context.hpp"

namespace parley::server {

enum class RouteOutcome { found, not_found, method_not_allowed };

struct RouteMatch {
    RouteOutcome outcome = RouteOutcome::not_found;
    const Handler* handler = nullptr;
    std::string_view pattern;  // the route template: the metrics label
    RouteParams params;
    std::string allowed;  // for 405: the Allow header value
    RouteAccess access = RouteAccess::tenant;
};

// Method + path-template routing: "/v1/sessions/{id}/messages". Segments
// match literally or bind a {name}; an empty-valued binding does not match.
class Router {
public:
    void add(http::verb method, std::string_view pattern, Handler handler, RouteAccess access = RouteAccess::tenant);

    [[nodiscard]] RouteMatch match(http::verb method, const std::vector<std::string>& segments) const;

private:
    struct Segment {
        std::string text;
        bool is_param = false;
    };
    struct Route {
        http::verb method;
        std::string pattern;
        std::vector<Segment> segments;
        Handler handler;
        RouteAccess access;
    };

    [[nodiscard]] static bool matches(const Route& route, const std::vector<std::string>& segments,
                                      RouteParams* params);

    std::vector<Route> routes_;
};

// Splits a request target into decoded path segments and the raw query;
// false when the target is not a valid origin-form URI.
[[nodiscard]] bool split_target(std::string_view target, std::vector<std::string>& segments, std::string& query);

}  // namespace parley::server
