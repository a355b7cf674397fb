#pragma once

#include <functional>

#include <boost/asio/awaitable.hpp>

#include "server/router.hpp"

namespace parley::server {

// GET /healthz (the process serves) and GET /readyz (storage is open and its
// writer alive, and the daemon is not shutting down). Neither needs a key.
class HealthHandlers {
public:
    explicit HealthHandlers(std::function<bool()> ready);

    void add_routes(Router& router);

    boost::asio::awaitable<Response> healthz(RequestContext& context);
    boost::asio::awaitable<Response> readyz(RequestContext& context);

private:
    std::function<bool()> ready_;
};

}  // namespace parley::server
