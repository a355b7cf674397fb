#include "core/turn.hpp"

#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/context_window.hpp"
#include "core/message_json.hpp"
#include "storage/id_generator.hpp"

namespace parley::core {
namespace {

namespace asio = boost::asio;

boost::json::object usage_json(const TokenUsage& usage) {
    return {{"input_tokens", usage.input_tokens}, {"output_tokens", usage.output_tokens}};
}

std::string tool_calls_text(const std::vector<ToolCall>& calls) {
    boost::json::array items;
    for (const auto& call : calls) {
        boost::system::error_code ec;
        auto arguments = boost::json::parse(call.arguments_json, ec);
        items.push_back(boost::json::object{{"id", call.id},
                                            {"name", call.name},
                                            {"arguments", ec ? boost::json::value(call.arguments_json) : arguments}});
    }
    return boost::json::serialize(items);
}

// Publishes the event make(EventJson) builds, its JSON written only when
// someone sends it on; when nobody can ever see the event, only gives its seq up.
template <typename MakeEvent>
void announce(SessionChannel& channel, std::uint64_t seq, MakeEvent&& make) {
    switch (channel.audience()) {
        case SessionChannel::Audience::none: channel.skip(seq); return;
        case SessionChannel::Audience::fields: channel.publish(make(EventJson::skip)); return;
        case SessionChannel::Audience::json: channel.publish(make(EventJson::write)); return;
    }
}

TurnError upstream_error(const ProviderError& error) {
    if (error.kind == ProviderErrorKind::timeout) {
        return {"upstream_timeout", error.message};
    }
    return {"upstream_error", error.message};
}

}  // namespace

Turn::Turn(std::shared_ptr<AgentState> session, std::shared_ptr<const AgentRuntime> runtime,
           std::shared_ptr<TurnLog> log, QueuedTurn accepted)
    : session_(std::move(session)),
      runtime_(std::move(runtime)),
      log_(std::move(log)),
      turn_id_(std::move(accepted.turn_id)),
      user_message_(std::move(accepted.user_message)),
      options_(std::move(accepted.options)),
      handle_(std::move(accepted.handle)) {}

void Turn::interrupt() {
    asio::dispatch(session_->executor, [self = shared_from_this()] {
        self->interrupted_ = true;
        self->interrupt_signal_.emit(asio::cancellation_type::terminal);
    });
}

void Turn::leave_session() {
    if (std::exchange(counted_in_session_, false)) {
        session_->active_turns.fetch_sub(1);
    }
}

// One co_spawn bound to the interrupt signal: cheaper than racing the work
// against an interrupt channel with `||` (two coroutines and a parallel group
// per model call, visible in the gateway profile), and cancels the same way.
template <typename T>
asio::awaitable<T> Turn::interruptible(asio::awaitable<T> work) {
    auto until_interrupted = asio::bind_cancellation_slot(interrupt_signal_.slot(), asio::use_awaitable);
    co_return co_await asio::co_spawn(session_->executor, std::move(work), std::move(until_interrupted));
}

void Turn::publish(EventType type, boost::json::object fields) {
    const auto seq = session_->channel->next_seq();
    announce(*session_->channel, seq, [&](EventJson json) {
        return make_event(type, seq, session_->session_id, turn_id_, std::move(fields), json);
    });
}

asio::awaitable<TurnResult> Turn::run() {
    if (!user_message_.id.empty()) {
        stored_.push_back(user_message_);
    }
    const auto& agents = runtime_->config->config.agents;
    const auto found = agents.find(session_->agent_name);
    if (found == agents.end()) {
        error_ = TurnError{"internal_error", "agent " + session_->agent_name + " is no longer configured"};
        co_return co_await finish(TurnStatus::failed);
    }
    agent_ = &found->second;
    auto model = runtime_->providers->chain_for(*agent_);
    if (!model) {
        error_ = TurnError{"upstream_error", "the agent has no usable provider"};
        co_return co_await finish(TurnStatus::failed);
    }

    for (unsigned iteration = 0; iteration < agent_->max_iterations; ++iteration) {
        if (reservation_due()) {
            co_await reserve_seqs();
        }
        message_id_ = storage::generate_id("msg_");
        partial_text_.clear();
        tool_calls_.clear();
        if (interrupted_) {
            co_return co_await finish(TurnStatus::interrupted);
        }
        auto model_call = interruptible(call_model(*model, build_request()));
        const auto outcome = co_await std::move(model_call);
        if (interrupted_) {
            co_return co_await finish(TurnStatus::interrupted);
        }
        usage_.input_tokens += outcome.usage.input_tokens;
        usage_.output_tokens += outcome.usage.output_tokens;
        if (outcome.error) {
            error_ = upstream_error(*outcome.error);
            co_return co_await finish(TurnStatus::failed);
        }

        storage::Message reply;
        reply.id = message_id_;
        reply.session_id = session_->session_id;
        reply.role = storage::MessageRole::assistant;
        reply.content = partial_text_;
        reply.usage = fmt::format(R"({{"input_tokens":{},"output_tokens":{}}})", outcome.usage.input_tokens,
                                  outcome.usage.output_tokens);
        std::erase_if(tool_calls_, [](const ToolCall& call) { return call.name.empty(); });
        if (!tool_calls_.empty()) {
            reply.tool_calls = tool_calls_text(tool_calls_);
        }
        if (!co_await store_and_announce(std::move(reply))) {
            error_ = TurnError{"internal_error", "storing the reply failed"};
            co_return co_await finish(TurnStatus::failed);
        }
        partial_text_.clear();
        if (tool_calls_.empty()) {
            stop_reason_ = outcome.finish_reason == FinishReason::max_tokens ? "max_tokens" : "stop";
            co_return co_await finish(TurnStatus::completed);
        }
        if (iteration + 1 == agent_->max_iterations) {
            break;
        }

        std::vector<PendingCall> calls;
        for (const auto& call : tool_calls_) {
            PendingCall pending{call, {}, true};
            boost::system::error_code ec;
            auto arguments = boost::json::parse(call.arguments_json.empty() ? "{}" : call.arguments_json, ec);
            if (!ec && arguments.is_object()) {
                pending.arguments = std::move(arguments.as_object());
            } else {
                pending.arguments_valid = false;
            }
            publish(EventType::tool_call,
                    {{"call_id", call.id}, {"name", call.name}, {"arguments", pending.arguments}});
            calls.push_back(std::move(pending));
        }
        auto tool_runs = interruptible(run_tools(calls));
        const auto outputs = co_await std::move(tool_runs);
        if (interrupted_) {
            co_return co_await finish(TurnStatus::interrupted);
        }
        for (std::size_t i = 0; i < calls.size(); ++i) {
            const auto& call = calls[i].call;
            const auto& output = outputs[i];
            publish(
                EventType::tool_result,
                {{"call_id", call.id}, {"name", call.name}, {"output", output.output}, {"is_error", output.is_error}});
            storage::Message result;
            result.id = storage::generate_id("msg_");
            result.session_id = session_->session_id;
            result.role = storage::MessageRole::tool;
            result.content = output.output;
            result.tool_call_id = call.id;
            result.status = storage::MessageStatus::complete;
            if (!co_await store_and_announce(std::move(result))) {
                error_ = TurnError{"internal_error", "storing a tool result failed"};
                co_return co_await finish(TurnStatus::failed);
            }
        }
    }
    error_ = TurnError{"max_iterations",
                       fmt::format("the agent made {} model calls without finishing", agent_->max_iterations)};
    co_return co_await finish(TurnStatus::failed);
}

asio::awaitable<ModelOutcome> Turn::call_model(Provider& model, ModelRequest request) {
    // Named before the co_await: GCC 12 mis-copies a lambda written inside one.
    ModelEventSink sink = [this](ModelEvent&& event) { on_model_event(std::move(event)); };
    co_return co_await model.stream(request, std::move(sink));
}

void Turn::on_model_event(ModelEvent&& event) {
    if (auto* text = std::get_if<TextDelta>(&event)) {
        if (text->text.empty()) {
            return;
        }
        partial_text_ += text->text;
        const auto seq = session_->channel->next_seq();
        announce(*session_->channel, seq, [&](EventJson json) {
            return make_delta_event(seq, session_->session_id, turn_id_, message_id_, std::move(text->text), json);
        });
        if (reservation_due()) {
            // The spawned reservation keeps the turn alive: it runs after this handler.
            asio::co_spawn(
                session_->executor, [self = shared_from_this()] { return self->reserve_seqs(); }, asio::detached);
        }
        return;
    }
    if (auto* started = std::get_if<ToolCallStarted>(&event)) {
        if (tool_calls_.size() <= started->index) {
            tool_calls_.resize(started->index + 1);
        }
        auto& call = tool_calls_[started->index];
        call.id = started->id.empty() ? storage::generate_id("call_") : started->id;
        call.name = started->name;
        return;
    }
    if (auto* fragment = std::get_if<ToolCallArgumentsDelta>(&event)) {
        if (tool_calls_.size() <= fragment->index) {
            tool_calls_.resize(fragment->index + 1);
        }
        tool_calls_[fragment->index].arguments_json += fragment->fragment;
    }
}

ModelRequest Turn::build_request() const {
    ModelRequest request;
    request.model = agent_->model;
    request.system_prompt = agent_->system_prompt;
    if (!options_.extra_system.empty()) {
        request.system_prompt += request.system_prompt.empty() ? "" : "\n\n";
        request.system_prompt += options_.extra_system;
    }
    request.messages = ContextWindow(agent_->context_tokens).build(session_->history);
    request.temperature = options_.temperature ? options_.temperature : agent_->temperature;
    request.max_tokens = options_.max_tokens ? options_.max_tokens : agent_->max_tokens;
    request.tools = runtime_->tools->specs_for(*agent_);
    // A channel nobody can see (a stateless call answered whole) needs no deltas as they come.
    request.stream = session_->channel->audience() != SessionChannel::Audience::none;
    return request;
}

asio::awaitable<std::vector<ToolOutput>> Turn::run_tools(std::vector<PendingCall> calls) {
    const auto executor = co_await asio::this_coro::executor;
    using Operation = decltype(asio::co_spawn(executor, run_tool(PendingCall{}), asio::deferred));
    std::vector<Operation> operations;
    operations.reserve(calls.size());
    for (auto& call : calls) {
        operations.push_back(asio::co_spawn(executor, run_tool(std::move(call)), asio::deferred));
    }
    auto [order, errors, outputs] = co_await asio::experimental::make_parallel_group(std::move(operations))
                                        .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        if (errors[i]) {
            try {
                std::rethrow_exception(errors[i]);
            } catch (const std::exception& error) {
                outputs[i] = ToolOutput{std::string("the tool failed: ") + error.what(), true};
            }
        }
    }
    co_return outputs;
}

asio::awaitable<ToolOutput> Turn::run_tool(PendingCall call) {
    if (!call.arguments_valid) {
        co_return ToolOutput{"the arguments are not a JSON object: " + call.call.arguments_json, true};
    }
    for (const auto& tool : runtime_->tools->tools_for(*agent_)) {
        if (tool->spec().name == call.call.name) {
            ToolCallContext context;
            context.session_id = session_->session_id;
            context.tenant = session_->tenant;
            context.todos = session_->todos;
            context.store = log_->store();
            co_return co_await tool->invoke(std::move(context), std::move(call.arguments));
        }
    }
    co_return ToolOutput{"unknown tool: " + call.call.name, true};
}

asio::awaitable<bool> Turn::store_and_announce(storage::Message message) {
    const auto seq = session_->channel->next_seq();
    message.seq = static_cast<std::int64_t>(seq);
    auto stored = co_await log_->append(std::move(message));
    if (!stored) {
        spdlog::error("session {}: storing a message failed: {}", session_->session_id, stored.error().message());
        session_->channel->skip(seq);
        co_return false;
    }
    session_->history.push_back(*stored);
    stored_.push_back(*stored);
    announce(*session_->channel, seq, [&](EventJson json) {
        boost::json::object fields;
        if (json == EventJson::write) {
            fields["message"] = message_json(*stored);
        }
        return make_event(EventType::message_completed, seq, session_->session_id, turn_id_, std::move(fields), json);
    });
    co_return true;
}

// Ends the turn with its one terminal event; error_ and stop_reason_ say why.
asio::awaitable<TurnResult> Turn::finish(TurnStatus status) {
    const auto& error = error_;
    const auto& stop_reason = stop_reason_;
    const auto seq = session_->channel->next_seq();
    const storage::Message* kept_partial = nullptr;
    if (status != TurnStatus::completed && !partial_text_.empty()) {
        // The cut-off reply is kept and announced by the terminal event itself.
        storage::Message partial;
        partial.id = message_id_;
        partial.session_id = session_->session_id;
        partial.seq = static_cast<std::int64_t>(seq);
        partial.role = storage::MessageRole::assistant;
        partial.content = partial_text_;
        partial.status =
            status == TurnStatus::interrupted ? storage::MessageStatus::interrupted : storage::MessageStatus::failed;
        auto stored = co_await log_->append(std::move(partial));
        if (stored) {
            session_->history.push_back(*stored);
            stored_.push_back(*stored);
            kept_partial = &stored_.back();
        } else {
            spdlog::error("session {}: storing a partial reply failed: {}", session_->session_id,
                          stored.error().message());
        }
    }
    const auto type = status == TurnStatus::completed     ? EventType::turn_completed
                      : status == TurnStatus::interrupted ? EventType::turn_interrupted
                                                          : EventType::turn_failed;
    leave_session();
    announce(*session_->channel, seq, [&](EventJson json) {
        boost::json::object fields;
        if (json == EventJson::skip) {
            return make_event(type, seq, session_->session_id, turn_id_, std::move(fields), json);
        }
        if (status == TurnStatus::completed) {
            fields["usage"] = usage_json(usage_);
            fields["stop_reason"] = stop_reason;
        }
        if (kept_partial != nullptr) {
            fields["message"] = message_json(*kept_partial);
        }
        if (error) {
            fields["error"] = boost::json::object{{"code", error->code}, {"message", error->message}};
        }
        return make_event(type, seq, session_->session_id, turn_id_, std::move(fields), json);
    });
    co_return TurnResult{turn_id_, status, stored_, error, usage_, stop_reason};
}

// Records seqs ahead as possibly used, so that after a crash mid-turn the
// session continues above every seq a client may have seen.
bool Turn::reservation_due() const {
    return log_->stores() && session_->channel->last_allocated() + kSeqReservation / 2 > session_->seq_reserved;
}

asio::awaitable<void> Turn::reserve_seqs() {
    if (!reservation_due()) {
        co_return;  // one spawned earlier has done it
    }
    const auto wanted = session_->channel->last_allocated() + kSeqReservation;
    session_->seq_reserved = wanted;
    auto reserved = co_await log_->reserve_seq(session_->session_id, static_cast<std::int64_t>(wanted));
    if (!reserved) {
        spdlog::warn("session {}: reserving seqs failed: {}", session_->session_id, reserved.error().message());
    }
}

}  // namespace parley::core
