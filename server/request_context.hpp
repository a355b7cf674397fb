#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "server/auth/access_gate.hpp"
#include "server/auth/principal.hpp"
#include "server/handler.hpp"
#include "server/http_types.hpp"

namespace parley::server {

// What a handler sees of one request. Handlers adapt it to core and back;
// they hold no state of their own between requests.
struct RequestContext {
    Request& request;
    std::vector<std::string> path_segments{};  // percent-decoded
    std::string query{};                       // raw, without '?'
    RouteParams params{};
    std::string_view route{};  // the matched route template (the metrics label)
    const Handler* handler = nullptr;
    RouteAccess access = RouteAccess::tenant;
    std::string remote{};
    Principal principal{};  // set by the access gate before the handler runs
    // For handlers that stream (SSE) or upgrade (WebSocket): they write to the
    // stream themselves and set response_sent; the connection then closes.
    // `buffer` holds any bytes read past the request.
    boost::beast::tcp_stream* stream = nullptr;
    boost::beast::flat_buffer* buffer = nullptr;
    bool response_sent = false;
    // The status a streaming handler sent, for the access log and metrics.
    unsigned sent_status = 0;
};

}  // namespace parley::server
