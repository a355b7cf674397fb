#include "server/router.hpp"

#include <algorithm>
#include <cassert>

#include <boost/url/parse.hpp>

namespace parley::server {

void Router::add(http::verb method, std::string_view pattern, Handler handler, RouteAccess access) {
    assert(pattern.starts_with('/') && "route patterns are absolute paths");
    Route route{method, std::string(pattern), {}, std::move(handler), access};
    // Patterns are ours and plain ("/v1/sessions/{id}"): split them at '/'
    // ({name} is not valid URI syntax, so split_target would refuse it).
    std::string_view rest = pattern.substr(1);
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const auto part = rest.substr(0, slash);
        const bool is_param = part.size() > 2 && part.front() == '{' && part.back() == '}';
        route.segments.push_back({std::string(is_param ? part.substr(1, part.size() - 2) : part), is_param});
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
    routes_.push_back(std::move(route));
}

bool Router::matches(const Route& route, const std::vector<std::string>& segments, RouteParams* params) {
    if (route.segments.size() != segments.size()) {
        return false;
    }
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& expected = route.segments[i];
        if (expected.is_param) {
            if (segments[i].empty()) {
                return false;
            }
            if (params != nullptr) {
                params->values.emplace_back(expected.text, segments[i]);
            }
        } else if (expected.text != segments[i]) {
            return false;
        }
    }
    return true;
}

RouteMatch Router::match(http::verb method, const std::vector<std::string>& segments) const {
    RouteMatch result;
    for (const auto& route : routes_) {
        if (!matches(route, segments, nullptr)) {
            continue;
        }
        if (route.method == method) {
            result.outcome = RouteOutcome::found;
            result.handler = &route.handler;
            result.pattern = route.pattern;
            result.access = route.access;
            result.params = {};
            (void)matches(route, segments, &result.params);
            return result;
        }
        result.outcome = RouteOutcome::method_not_allowed;
        if (!result.allowed.empty()) {
            result.allowed += ", ";
        }
        result.allowed += std::string(http::to_string(route.method));
    }
    return result;
}

namespace {

bool is_plain_path_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

// A path of unreserved characters only, with no query and no empty segment
// but a trailing one ("/v1/chat/completions", "/v1/models/"): nothing to
// decode or validate beyond that, so it is split at '/' without Boost.URL's
// parse (most of this function's cost on a request).
bool split_plain_path(std::string_view target, std::vector<std::string>& segments) {
    if (!target.starts_with('/') || !std::all_of(target.begin(), target.end(), is_plain_path_char)) {
        return false;
    }
    segments.clear();
    segments.reserve(static_cast<std::size_t>(std::count(target.begin(), target.end(), '/')));
    std::string_view rest = target.substr(1);
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        if (slash == 0) {
            return false;  // "//": left to Boost.URL
        }
        segments.emplace_back(rest.substr(0, slash));
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
    return true;
}

}  // namespace

bool split_target(std::string_view target, std::vector<std::string>& segments, std::string& query) {
    if (split_plain_path(target, segments)) {
        query.clear();
        return true;
    }
    const auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) {
        return false;
    }
    segments.clear();
    segments.reserve(parsed->segments().size());  // one allocation, not one per doubling
    for (const auto& segment : parsed->segments()) {
        segments.push_back(segment);
    }
    // "/v1/models/" names the same resource as "/v1/models".
    if (!segments.empty() && segments.back().empty()) {
        segments.pop_back();
    }
    query = parsed->encoded_query();
    return true;
}

}  // namespace parley::server
