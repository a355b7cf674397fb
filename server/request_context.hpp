#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/core/tcp_stream.hpp>

#include "server/handler.hpp"
#include "server/http_types.hpp"

namespace parley::server {

// What a handler sees of one request. Handlers adapt it to core and back;
// they hold no state of their own between requests.
struct RequestContext {
    Request& request;
    std::vector<std::string> path_segments;  // percent-decoded
    std::string query;                       // raw, without '?'
    RouteParams params;
    std::string_view route;  // the matched route template (the metrics label)
    const Handler* handler = nullptr;
    std::string remote;
    // For handlers that stream (SSE) or upgrade (WebSocket): they write to the
    // stream themselves and set response_sent; the connection then closes.
    boost::beast::tcp_stream* stream = nullptr;
    bool response_sent = false;
};

}  // namespace parley::server
