#include "server/handlers/openai_handlers.hpp"

#include <chrono>
#include <iterator>

#include <fmt/compile.h>
#include <fmt/format.h>
#include <boost/asio/this_coro.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/json_text.hpp"
#include "server/response.hpp"
#include "server/sse_stream.hpp"

namespace parley::server {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::string_view kSessionHeader = "X-Session-Id";
constexpr std::string_view kTurnPrefix = "turn_";
// The status a client that left before the answer began is recorded with (as nginx does).
constexpr unsigned kClientClosedRequest = 499;

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

json::object model_json(std::string_view name, std::int64_t created) {
    return {{"id", name}, {"object", "model"}, {"created", created}, {"owned_by", "parley"}};
}

ApiError model_not_found(std::string_view model) {
    return ApiError{
        http::status::not_found, "model_not_found",
        fmt::format("the model '{}' does not exist: models are the configured agents (GET /v1/models)", model), "model",
        std::nullopt};
}

// A failed turn as an HTTP error: 502 and 504 for the upstream, 500 otherwise.
ApiError turn_error(const std::optional<core::TurnError>& error) {
    if (!error) {
        return ApiError{http::status::internal_server_error, "internal_error", "the turn failed", std::nullopt,
                        std::nullopt};
    }
    auto status = http::status::internal_server_error;
    if (error->code == "upstream_error") {
        status = http::status::bad_gateway;
    } else if (error->code == "upstream_timeout") {
        status = http::status::gateway_timeout;
    }
    return ApiError{status, error->code, error->message, std::nullopt, std::nullopt};
}

std::string_view finish_reason(const core::TurnResult& result) {
    return result.stop_reason == "max_tokens" ? "length" : "stop";
}

// Every assistant text of the turn, in order: what the client sees as the one reply.
std::string reply_text(const core::TurnResult& result) {
    std::string text;
    for (const auto& message : result.messages) {
        if (message.role == storage::MessageRole::assistant) {
            text += message.content;
        }
    }
    return text;
}

json::object usage_json(const core::TokenUsage& usage) {
    return json::object({{"prompt_tokens", usage.input_tokens},
                         {"completion_tokens", usage.output_tokens},
                         {"total_tokens", usage.input_tokens + usage.output_tokens}});
}

// What every object of one answer shares.
struct Identity {
    std::string id;
    std::int64_t created = 0;
    std::string model;
};

Identity identity_of(std::string_view turn_id, std::string model) {
    auto suffix = turn_id.starts_with(kTurnPrefix) ? turn_id.substr(kTurnPrefix.size()) : turn_id;
    return Identity{std::string("chatcmpl-").append(suffix), unix_now(), std::move(model)};
}

// The whole answer as a response, written around its variable parts: a
// json::object tree for it was 9 % of a proxied call's instructions.
Response completion_response(const RequestContext& context, const Identity& identity, const core::TurnResult& result) {
    const auto& usage = result.usage;
    // A compiled format into a stack buffer: no format string parsed per
    // answer, and one allocation for the result.
    fmt::memory_buffer body;
    fmt::format_to(
        std::back_inserter(body),
        FMT_COMPILE(
            R"({{"id":{},"object":"chat.completion","created":{},"model":{},"choices":[{{"index":0,)"
            R"("message":{{"role":"assistant","content":{},"refusal":null}},"logprobs":null,"finish_reason":{}}}],)"
            R"("usage":{{"prompt_tokens":{},"completion_tokens":{},"total_tokens":{}}},"system_fingerprint":null}})"),
        core::quote_json(identity.id), identity.created, core::quote_json(identity.model),
        core::quote_json(reply_text(result)), core::quote_json(finish_reason(result)), usage.input_tokens,
        usage.output_tokens, usage.input_tokens + usage.output_tokens);
    return reply_json(context, http::status::ok, fmt::to_string(body));
}

// A chunk's JSON up to its delta: the same in every chunk of one answer, so it
// is written once and each chunk only escapes its text (building and
// serialising a json::object per chunk was 12 % of a streamed call's profile).
std::string chunk_head(const Identity& identity) {
    fmt::memory_buffer head;
    fmt::format_to(std::back_inserter(head),
                   FMT_COMPILE(R"({{"id":{},"object":"chat.completion.chunk","created":{},"model":{},)"
                               R"("system_fingerprint":null,"choices":[{{"index":0,"delta":)"),
                   core::quote_json(identity.id), identity.created, core::quote_json(identity.model));
    return fmt::to_string(head);
}

// What follows the delta in every chunk but the answer's last.
constexpr std::string_view kUnfinishedChunkTail = R"(,"logprobs":null,"finish_reason":null}]})";

std::string usage_chunk_text(const Identity& identity, const core::TokenUsage& usage) {
    const json::object chunk{
        {"id", identity.id},         {"object", "chat.completion.chunk"}, {"created", identity.created},
        {"model", identity.model},   {"system_fingerprint", nullptr},     {"choices", json::array{}},
        {"usage", usage_json(usage)}};
    return json::serialize(chunk);
}

// One streamed answer: the header and the role chunk go out with the first
// text, so a turn that fails before any can still answer with an HTTP error.
struct ChunkWriter {
    SseStream& stream;
    Identity identity;
    std::string head;  // chunk_head(identity)
    std::string turn_id;
    std::string session_id;  // echoed as X-Session-Id when the call continued a session
    bool opened = false;
    std::string quoted;  // a token's text as JSON, reused: no allocation per token
};

// Queues the header and the role chunk before the first text or the end.
void open_answer(ChunkWriter& writer) {
    if (writer.opened) {
        return;
    }
    writer.opened = true;
    std::vector<std::pair<std::string, std::string>> headers;
    if (!writer.session_id.empty()) {
        headers.emplace_back(kSessionHeader, writer.session_id);
    }
    writer.stream.add_header(headers);
    writer.stream.add_data({writer.head, R"({"role":"assistant","content":""})", kUnfinishedChunkTail});
}

// Queues the turn's text as content deltas; stops after its terminal event.
bool add_event(ChunkWriter& writer, const core::EventPtr& event) {
    if (event->turn_id != writer.turn_id) {
        return true;  // another turn of the session (one running ahead of this queued one)
    }
    if (core::is_terminal(event->type)) {
        return false;
    }
    if (event->type != core::EventType::message_delta || event->delta.empty()) {
        return true;
    }
    open_answer(writer);
    writer.quoted.clear();
    core::append_quoted_json(writer.quoted, event->delta);
    writer.stream.add_data({writer.head, R"({"content":)", writer.quoted, "}", kUnfinishedChunkTail});
    return true;
}

asio::awaitable<void> finish_answer(ChunkWriter& writer, const ChatCompletionRequest& chat,
                                    const core::TurnResult& result) {
    if (result.status == core::TurnStatus::failed) {
        // OpenAI's SDKs raise an APIError for a streamed {"error":{...}}.
        writer.stream.add_data(json::serialize(error_body(turn_error(result.error))));
        (void)co_await writer.stream.flush();
        co_return;
    }
    open_answer(writer);
    writer.stream.add_data(
        {writer.head, R"({},"logprobs":null,"finish_reason":)", core::quote_json(finish_reason(result)), "}]}"});
    if (chat.include_usage) {
        writer.stream.add_data(usage_chunk_text(writer.identity, result.usage));
    }
    constexpr std::string_view kDone = "[DONE]";
    writer.stream.add_data(kDone);
    (void)co_await writer.stream.flush();
}

core::TurnOptions turn_options(const ChatCompletionRequest& chat) {
    return core::TurnOptions{chat.system, chat.temperature, chat.max_tokens};
}

}  // namespace

OpenAiHandlers::OpenAiHandlers(core::SessionService& sessions, std::shared_ptr<core::ConfigStore> config)
    : sessions_(sessions), config_(std::move(config)), created_(unix_now()) {}

void OpenAiHandlers::add_routes(Router& router) {
    router.add(http::verb::get, "/v1/models", [this](RequestContext& context) { return list_models(context); });
    router.add(http::verb::get, "/v1/models/{id}", [this](RequestContext& context) { return get_model(context); });
    router.add(http::verb::post, "/v1/chat/completions",
               [this](RequestContext& context) { return chat_completions(context); });
}

std::shared_ptr<core::Subscriber> OpenAiHandlers::make_subscriber(const asio::any_io_executor& executor) const {
    // The answer's chunks are written from the events' fields, never their JSON.
    return std::make_shared<core::Subscriber>(executor, config_->current()->config.stream.subscriber_queue,
                                              core::EventJson::skip);
}

asio::awaitable<Response> OpenAiHandlers::list_models(RequestContext& context) {
    const auto snapshot = config_->current();
    json::array data;
    for (const auto& [name, agent] : snapshot->config.agents) {
        data.push_back(model_json(name, created_));
    }
    co_return reply_json(context, http::status::ok, json::object{{"object", "list"}, {"data", std::move(data)}});
}

asio::awaitable<Response> OpenAiHandlers::get_model(RequestContext& context) {
    const auto name = context.params.get("id");
    if (!config_->current()->config.agents.contains(std::string(name))) {
        co_return reply_error(context, model_not_found(name));
    }
    co_return reply_json(context, http::status::ok, model_json(name, created_));
}

asio::awaitable<Response> OpenAiHandlers::chat_completions(RequestContext& context) {
    auto chat = parse_chat_completion_request(context.request.body());
    if (!chat) {
        co_return reply_error(context, chat.error());
    }
    if (!config_->current()->config.agents.contains(chat->model)) {
        co_return reply_error(context, model_not_found(chat->model));
    }
    auto session_id = std::string(context.request[kSessionHeader]);
    if (session_id.empty()) {
        co_return co_await start_stateless(context, std::move(*chat));
    }
    co_return co_await start_in_session(context, std::move(*chat), std::move(session_id));
}

asio::awaitable<Response> OpenAiHandlers::start_stateless(RequestContext& context, ChatCompletionRequest chat) {
    core::CompletionRequest request{context.principal.tenant, chat.model, std::move(chat.history), turn_options(chat),
                                    nullptr};
    std::shared_ptr<core::Subscriber> subscriber;
    if (chat.stream) {
        subscriber = make_subscriber(co_await asio::this_coro::executor);
        request.subscriber = subscriber;
    }
    auto accepted = co_await sessions_.complete(std::move(request));
    if (!accepted) {
        if (accepted.error().code == core::ServiceErrc::agent_not_found) {
            co_return reply_error(context, model_not_found(chat.model));  // removed by a reload meanwhile
        }
        co_return reply_error(context, accepted.error());
    }
    Started started{accepted->turn_id, accepted->turn, accepted->channel, std::move(subscriber), accepted->cancel, {}};
    co_return co_await answer(context, chat, std::move(started));
}

asio::awaitable<Response> OpenAiHandlers::start_in_session(RequestContext& context, ChatCompletionRequest chat,
                                                           std::string session_id) {
    auto tenant = context.principal.tenant;
    auto session = co_await sessions_.get(std::move(tenant), session_id);
    if (!session) {
        co_return reply_error(context, session.error());
    }
    if (session->agent != chat.model) {
        const auto mismatch = ApiError::bad_request(
            "model_mismatch",
            fmt::format("session {} belongs to the model '{}', not '{}'", session_id, session->agent, chat.model),
            "model");
        co_return reply_error(context, mismatch);
    }
    if (!chat.last_user_content) {
        const auto no_user = ApiError::bad_request(
            "invalid_field", "'messages' must contain a user message: it is appended to the session", "messages");
        co_return reply_error(context, no_user);
    }
    core::SendRequest request{
        context.principal.tenant, session_id, std::move(*chat.last_user_content), nullptr, nullptr, turn_options(chat)};
    std::shared_ptr<core::Subscriber> subscriber;
    if (chat.stream) {
        subscriber = make_subscriber(co_await asio::this_coro::executor);
        request.subscriber = subscriber;
    }
    auto accepted = co_await sessions_.send(std::move(request));
    if (!accepted) {
        co_return reply_error(context, accepted.error());
    }
    Started started{accepted->turn_id,     accepted->turn, accepted->channel,
                    std::move(subscriber), nullptr,        std::move(session_id)};
    co_return co_await answer(context, chat, std::move(started));
}

asio::awaitable<Response> OpenAiHandlers::answer(RequestContext& context, const ChatCompletionRequest& chat,
                                                 Started started) {
    if (started.subscriber) {
        co_return co_await stream_answer(context, chat, std::move(started));
    }
    // A session's turn runs on whether or not this client waits for it.
    const auto result = co_await started.turn->wait();
    if (result.status == core::TurnStatus::failed) {
        co_return reply_error(context, turn_error(result.error));
    }
    auto response = completion_response(context, identity_of(started.turn_id, chat.model), result);
    if (!started.session_id.empty()) {
        response.set(kSessionHeader, started.session_id);
    }
    co_return response;
}

asio::awaitable<Response> OpenAiHandlers::stream_answer(RequestContext& context, const ChatCompletionRequest& chat,
                                                        Started started) {
    SseStream stream(context);
    auto identity = identity_of(started.turn_id, chat.model);
    auto head = chunk_head(identity);
    ChunkWriter writer{stream, std::move(identity), std::move(head), started.turn_id, started.session_id, false, {}};
    // Named before the co_await: GCC 12 destroys a temporary built inside one twice.
    SseStream::AddEvent add_one = [&writer](const core::EventPtr& event) { return add_event(writer, event); };
    const auto end = co_await stream.pump(*started.subscriber, std::move(add_one));
    started.channel->detach(*started.subscriber);
    if (end != SseStream::End::finished) {
        // The client left (or could not keep up): a stateless turn has nobody
        // else to answer, so it stops; a session's turn runs on and is stored.
        if (started.cancel) {
            started.cancel();
        }
        if (!writer.opened) {
            context.response_sent = true;
            context.sent_status = kClientClosedRequest;
        }
        co_return Response{};
    }
    const auto result = co_await started.turn->wait();
    if (!writer.opened && result.status == core::TurnStatus::failed) {
        // Nothing was streamed yet: a plain HTTP error. The stream read from
        // the socket meanwhile, so the connection closes after it.
        context.request.keep_alive(false);
        co_return reply_error(context, turn_error(result.error));
    }
    co_await finish_answer(writer, chat, result);
    co_return Response{};
}

}  // namespace parley::server
