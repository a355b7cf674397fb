#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/config_store.hpp"
#include "core/session_service.hpp"
#include "server/chat_completion_request.hpp"
#include "server/router.hpp"

namespace parley::server {

// The OpenAI-compatible surface (API.md): `GET /v1/models` lists the agents
// as models, and `POST /v1/chat/completions` runs an agent's whole loop on the
// request's messages and answers as OpenAI does, as one chat.completion or as
// chat.completion.chunk lines. With `X-Session-Id` the turn belongs to that
// session (SessionService::send); without it the call is stateless
// (SessionService::complete) and stores nothing.
class OpenAiHandlers {
public:
    OpenAiHandlers(core::SessionService& sessions, std::shared_ptr<core::ConfigStore> config);

    void add_routes(Router& router);

    boost::asio::awaitable<Response> list_models(RequestContext& context);
    boost::asio::awaitable<Response> get_model(RequestContext& context);
    boost::asio::awaitable<Response> chat_completions(RequestContext& context);

    // A turn under way, from either entry point.
    struct Started {
        std::string turn_id;
        std::shared_ptr<core::TurnHandle> turn;
        std::shared_ptr<core::SessionChannel> channel;
        std::shared_ptr<core::Subscriber> subscriber;  // set when streaming
        std::function<void()> cancel;                  // stateless only: the caller is the only one waiting
        std::string session_id;                        // session calls only
    };

private:
    boost::asio::awaitable<Response> start_stateless(RequestContext& context, ChatCompletionRequest chat);
    boost::asio::awaitable<Response> start_in_session(RequestContext& context, ChatCompletionRequest chat,
                                                      std::string session_id);
    boost::asio::awaitable<Response> answer(RequestContext& context, const ChatCompletionRequest& chat,
                                            Started started);
    boost::asio::awaitable<Response> stream_answer(RequestContext& context, const ChatCompletionRequest& chat,
                                                   Started started);
    [[nodiscard]] std::shared_ptr<core::Subscriber> make_subscriber(const boost::asio::any_io_executor& executor) const;

    core::SessionService& sessions_;
    std::shared_ptr<core::ConfigStore> config_;
    std::int64_t created_;  // the models' `created`: when the daemon started
};

}  // namespace parley::server
