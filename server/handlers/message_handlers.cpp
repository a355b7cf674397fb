#include "server/handlers/message_handlers.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/message_json.hpp"
#include "server/json_body.hpp"
#include "server/query_params.hpp"
#include "server/response.hpp"
#include "server/sse_stream.hpp"

namespace parley::server {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

struct SendBody {
    std::string content;
    bool stream = false;
};

ParseResult<SendBody> parse_send(std::string_view body) {
    auto parsed = JsonBody::parse(body);
    if (!parsed) {
        return parsed.error();
    }
    auto content = parsed->required_string("content");
    if (!content) {
        return content.error();
    }
    auto stream = parsed->optional_bool("stream");
    if (!stream) {
        return stream.error();
    }
    return SendBody{std::move(*content), stream->value_or(false)};
}

json::object turn_result_json(const core::TurnResult& result) {
    json::array messages;
    messages.reserve(result.messages.size());
    for (const auto& message : result.messages) {
        messages.push_back(core::message_json(message));
    }
    json::object body{
        {"turn_id", result.turn_id}, {"status", core::to_string(result.status)}, {"messages", std::move(messages)}};
    if (result.error) {
        body["error"] = json::object{{"code", result.error->code}, {"message", result.error->message}};
    }
    return body;
}

// The events of one turn, ending after its terminal event.
bool add_turn_event(SseStream& stream, const core::EventPtr& event, const std::string& turn_id) {
    if (event->turn_id != turn_id) {
        return true;  // another turn's event (one still running ahead of a queued one)
    }
    stream.add(*event);
    return !core::is_terminal(event->type);
}

// The resume point of GET .../events: after_seq, else the Last-Event-ID header.
ParseResult<std::optional<std::uint64_t>> resume_point(const RequestContext& context) {
    const QueryParams params(context.query);
    auto after_seq = params.unsigned_integer("after_seq", 0, std::numeric_limits<std::int64_t>::max());
    if (!after_seq || *after_seq) {
        return after_seq;
    }
    const auto last_event_id = context.request["Last-Event-ID"];
    if (last_event_id.empty()) {
        return std::optional<std::uint64_t>{};
    }
    const auto parsed = parse_unsigned(last_event_id);
    if (!parsed) {
        return ApiError::bad_request("invalid_header", "Last-Event-ID must be an event's seq", "Last-Event-ID");
    }
    return std::optional<std::uint64_t>(parsed);
}

}  // namespace

MessageHandlers::MessageHandlers(core::SessionService& sessions, std::shared_ptr<core::ConfigStore> config)
    : sessions_(sessions), config_(std::move(config)) {}

void MessageHandlers::add_routes(Router& router) {
    router.add(http::verb::get, "/v1/sessions/{id}/messages",
               [this](RequestContext& context) { return list(context); });
    router.add(http::verb::post, "/v1/sessions/{id}/messages",
               [this](RequestContext& context) { return send(context); });
    router.add(http::verb::post, "/v1/sessions/{id}/interrupt",
               [this](RequestContext& context) { return interrupt(context); });
    router.add(http::verb::get, "/v1/sessions/{id}/events",
               [this](RequestContext& context) { return events(context); });
}

std::shared_ptr<core::Subscriber> MessageHandlers::make_subscriber(const asio::any_io_executor& executor) const {
    return std::make_shared<core::Subscriber>(executor, config_->current()->config.stream.subscriber_queue);
}

asio::awaitable<Response> MessageHandlers::list(RequestContext& context) {
    const QueryParams params(context.query);
    const auto limit = params.unsigned_integer("limit", 1, storage::kMaxPageSize);
    if (!limit) {
        co_return reply_error(context, limit.error());
    }
    const auto before_seq = params.unsigned_integer("before_seq", 1, std::numeric_limits<std::int64_t>::max());
    if (!before_seq) {
        co_return reply_error(context, before_seq.error());
    }
    storage::MessageQuery query;
    query.limit = static_cast<unsigned>(limit->value_or(query.limit));
    if (*before_seq) {
        query.before_seq = static_cast<std::int64_t>(**before_seq);
    }
    auto tenant = context.principal.tenant;
    auto session_id = std::string(context.params.get("id"));
    auto page = co_await sessions_.messages(std::move(tenant), std::move(session_id), query);
    if (!page) {
        co_return reply_error(context, page.error());
    }
    json::array data;
    data.reserve(page->data.size());
    for (const auto& message : page->data) {
        data.push_back(core::message_json(message));
    }
    co_return reply_json(context, http::status::ok,
                         json::object{{"data", std::move(data)}, {"has_more", page->has_more}});
}

asio::awaitable<Response> MessageHandlers::send(RequestContext& context) {
    auto body = parse_send(context.request.body());
    if (!body) {
        co_return reply_error(context, body.error());
    }
    core::SendRequest request{context.principal.tenant, std::string(context.params.get("id")), std::move(body->content),
                              nullptr, nullptr};
    std::shared_ptr<core::Subscriber> subscriber;
    if (body->stream) {
        subscriber = make_subscriber(co_await asio::this_coro::executor);
        request.subscriber = subscriber;
    }
    auto accepted = co_await sessions_.send(std::move(request));
    if (!accepted) {
        co_return reply_error(context, accepted.error());
    }
    if (subscriber) {
        co_return co_await stream_turn(context, std::move(subscriber), std::move(*accepted));
    }
    // The turn runs on whether or not this client waits for it.
    const auto result = co_await accepted->turn->wait();
    co_return reply_json(context, http::status::ok, turn_result_json(result));
}

asio::awaitable<Response> MessageHandlers::stream_turn(RequestContext& context,
                                                       std::shared_ptr<core::Subscriber> subscriber,
                                                       core::SendAccepted accepted) {
    SseStream stream(context);
    if (co_await stream.open()) {
        const auto& turn_id = accepted.turn_id;
        (void)co_await stream.pump(*subscriber, [&stream, &turn_id](const core::EventPtr& event) {
            return add_turn_event(stream, event, turn_id);
        });
    }
    // Leaving does not stop the turn: only this subscriber goes.
    accepted.channel->detach(*subscriber);
    co_return Response{};
}

asio::awaitable<Response> MessageHandlers::interrupt(RequestContext& context) {
    auto tenant = context.principal.tenant;
    auto session_id = std::string(context.params.get("id"));
    auto interrupted = co_await sessions_.interrupt(std::move(tenant), std::move(session_id));
    if (!interrupted) {
        co_return reply_error(context, interrupted.error());
    }
    co_return reply_json(context, http::status::accepted, json::object{{"interrupted", *interrupted}});
}

asio::awaitable<Response> MessageHandlers::events(RequestContext& context) {
    const auto after_seq = resume_point(context);
    if (!after_seq) {
        co_return reply_error(context, after_seq.error());
    }
    auto subscriber = make_subscriber(co_await asio::this_coro::executor);
    auto tenant = context.principal.tenant;
    auto session_id = std::string(context.params.get("id"));
    auto subscription = co_await sessions_.subscribe(std::move(tenant), std::move(session_id), subscriber, *after_seq);
    if (!subscription) {
        co_return reply_error(context, subscription.error());
    }
    if (subscription->attachment.result == core::AttachResult::resync) {
        const ApiError gone{http::status::gone, "resync_required",
                            "events after after_seq are no longer retained; reload the messages, then subscribe "
                            "without after_seq",
                            "after_seq", std::nullopt};
        co_return reply_error(context, gone);
    }
    SseStream stream(context);
    if (co_await stream.open()) {
        (void)co_await stream.pump(*subscriber, [&stream](const core::EventPtr& event) {
            stream.add(*event);
            return true;
        });
    }
    subscription->channel->detach(*subscriber);
    co_return Response{};
}

}  // namespace parley::server
