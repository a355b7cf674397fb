#pragma once

#include <functional>

#include <boost/asio/awaitable.hpp>

#include "server/http_types.hpp"

namespace parley::server {

struct RequestContext;

// A route's handler: adapts one request to core and the result to a response.
using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

}  // namespace parley::server
