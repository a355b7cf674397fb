#pragma once

#include <memory>

#include <boost/asio/awaitable.hpp>

#include "core/config_store.hpp"
#include "core/session_service.hpp"
#include "server/router.hpp"

namespace parley::server {

// The session resources of the native REST API: agents, sessions (create,
// list, get, patch, delete), a session's todos, and search. Each handler
// parses the request, calls SessionService and serializes its answer.
class SessionHandlers {
public:
    SessionHandlers(core::SessionService& sessions, std::shared_ptr<core::ConfigStore> config);

    void add_routes(Router& router);

    boost::asio::awaitable<Response> list_agents(RequestContext& context);
    boost::asio::awaitable<Response> create(RequestContext& context);
    boost::asio::awaitable<Response> list(RequestContext& context);
    boost::asio::awaitable<Response> get(RequestContext& context);
    boost::asio::awaitable<Response> patch(RequestContext& context);
    boost::asio::awaitable<Response> remove(RequestContext& context);
    boost::asio::awaitable<Response> todos(RequestContext& context);
    boost::asio::awaitable<Response> search(RequestContext& context);

private:
    core::SessionService& sessions_;
    std::shared_ptr<core::ConfigStore> config_;
};

}  // namespace parley::server
