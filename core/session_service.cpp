#include "core/session_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/message_json.hpp"
#include "core/tools/todo_list.hpp"
#include "core/turn.hpp"
#include "storage/id_generator.hpp"
#include "storage/store_errc.hpp"

namespace parley::core {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using storage::StoreErrc;

constexpr std::chrono::seconds kInterruptedTurnsWait{5};

// Whether an agent's serial executor can be made from this executor (AgentState::serial_executor).
bool runs_on_io_context(const asio::any_io_executor& executor) {
    return executor.target<asio::io_context::executor_type>() != nullptr ||
           executor.target<AgentState::Strand>() != nullptr;
}

ServiceError from_store(const boost::system::error_code& ec, std::string_view what) {
    if (ec == StoreErrc::not_found) {
        return {ServiceErrc::session_not_found, fmt::format("no such session: {}", what), std::nullopt};
    }
    if (ec == StoreErrc::invalid_query) {
        return {ServiceErrc::invalid_query, "the search query is not valid FTS5 syntax", "q"};
    }
    if (ec == StoreErrc::invalid_cursor) {
        return {ServiceErrc::invalid_cursor, "`after` names no session of yours", "after"};
    }
    if (ec == StoreErrc::queue_full || ec == StoreErrc::busy || ec == StoreErrc::closed) {
        return {ServiceErrc::unavailable, "storage is overloaded or shutting down; retry later", std::nullopt};
    }
    spdlog::error("storage failed ({}): {}", what, ec.message());
    return {ServiceErrc::internal, "storage failed; the details are in the server log", std::nullopt};
}

ServiceError not_found(std::string_view session_id) {
    return {ServiceErrc::session_not_found, fmt::format("no such session: {}", session_id), std::nullopt};
}

// The per-session accept lock: accepts run one at a time, so the decision to
// start or queue a turn sees the state the previous accept left.
asio::awaitable<void> lock_accepts(AgentState& agent) {
    if (!agent.accepting) {
        agent.accepting = true;
        co_return;
    }
    auto turn = std::make_shared<AsyncLatch>();
    agent.accept_waiters.push_back(turn);
    co_await turn->async_wait(asio::use_awaitable);
}

void unlock_accepts(AgentState& agent) {
    if (agent.accept_waiters.empty()) {
        agent.accepting = false;
        return;
    }
    auto next = std::move(agent.accept_waiters.front());
    agent.accept_waiters.pop_front();
    next->set();
}

}  // namespace

SessionService::SessionService(asio::any_io_executor executor, storage::Store& store, StreamHub& hub,
                               AgentCacheOptions cache_options, const Clock& clock,
                               std::shared_ptr<const AgentRuntime> runtime)
    : executor_(executor),
      store_(store),
      stored_log_(std::make_shared<StoredTurnLog>(store)),
      hub_(hub),
      cache_(executor, cache_options, clock,
             [this](AgentCache::LoadRequest request) { return load_agent(std::move(request)); }),
      runtime_(std::move(runtime)),
      turn_ended_(executor, 1) {}

SessionService::~SessionService() = default;

void SessionService::reload(std::shared_ptr<const AgentRuntime> runtime) {
    runtime_.store(std::move(runtime));
}

asio::awaitable<std::shared_ptr<AgentState>> SessionService::load_agent(AgentCache::LoadRequest request) {
    auto state = co_await store_.load_session_state(request.tenant, request.session_id);
    if (!state) {
        if (state.error() == StoreErrc::not_found) {
            co_return nullptr;
        }
        throw boost::system::system_error(state.error());
    }
    const auto caller = co_await asio::this_coro::executor;
    co_return make_agent(caller, state->session, std::move(state->messages), std::move(state->todos));
}

asio::any_io_executor SessionService::agent_home(const asio::any_io_executor& caller) const {
    return runs_on_io_context(caller) ? caller : executor_;
}

std::shared_ptr<AgentState> SessionService::make_agent(const asio::any_io_executor& caller,
                                                       const storage::Session& session,
                                                       std::vector<storage::Message> history,
                                                       std::vector<storage::Todo> todos) {
    const auto runtime = runtime_.load();
    auto agent = std::make_shared<AgentState>(agent_home(caller));
    agent->session_id = session.id;
    agent->tenant = session.tenant;
    agent->agent_name = session.agent;
    agent->config = runtime->config;
    agent->generation = runtime->config->generation;
    agent->channel = hub_.open(session.id, static_cast<std::uint64_t>(session.last_seq));
    agent->todos = std::make_shared<TodoList>(std::move(todos));
    agent->history = std::move(history);
    agent->seq_reserved = static_cast<std::uint64_t>(session.last_seq);
    return agent;
}

asio::awaitable<ServiceResult<AgentLease>> SessionService::live_agent(std::string tenant, std::string session_id) {
    try {
        // Named first: GCC 12 destroys a braced temporary inside a co_await twice.
        AgentCache::LoadRequest request{session_id, std::move(tenant)};
        const auto generation = runtime_.load()->config->generation;
        auto lease = co_await cache_.get(std::move(request), generation);
        if (!lease) {
            co_return not_found(session_id);
        }
        co_return lease;
    } catch (const boost::system::system_error& error) {
        co_return from_store(error.code(), session_id);
    }
}

asio::awaitable<ServiceResult<storage::Session>> SessionService::create(NewSession request) {
    const auto runtime = runtime_.load();
    if (!runtime->config->config.agents.contains(request.agent)) {
        co_return ServiceError{ServiceErrc::agent_not_found, fmt::format("no such agent: {}", request.agent), "agent"};
    }
    storage::Session session;
    session.id = storage::generate_id("ses_");
    session.tenant = std::move(request.tenant);
    session.agent = std::move(request.agent);
    session.title = std::move(request.title);
    session.metadata = std::move(request.metadata);
    auto created = co_await store_.create_session(std::move(session));
    if (!created) {
        co_return from_store(created.error(), "create");
    }
    // A new session is about to be used: its first send then starts the
    // model call without reading back what was just written (three reads).
    const auto caller = co_await asio::this_coro::executor;
    cache_.insert_new(make_agent(caller, *created, {}, {}));
    co_return std::move(*created);
}

// Storage learns a session's seq and status a little after they change. A live
// channel knows the last seq; the cached agent knows whether a turn runs. Only
// this process runs turns, and an agent with a running turn is never evicted,
// so no agent means none runs, even while the stored status still says
// running (an agent evicted before its turn's idle status was written).
void SessionService::overlay_live_state(storage::Session& session) const {
    if (const auto channel = hub_.find(session.id)) {
        session.last_seq = std::max(session.last_seq, static_cast<std::int64_t>(channel->last_published()));
    }
    const auto agent = cache_.peek(session.id);
    session.status = agent && agent->busy() ? storage::SessionStatus::running : storage::SessionStatus::idle;
}

asio::awaitable<ServiceResult<storage::Session>> SessionService::get(std::string tenant, std::string session_id) {
    auto session = co_await store_.get_session(std::move(tenant), session_id);
    if (!session) {
        co_return from_store(session.error(), session_id);
    }
    overlay_live_state(*session);
    co_return std::move(*session);
}

asio::awaitable<ServiceResult<storage::SessionPage>> SessionService::list(std::string tenant,
                                                                          storage::SessionQuery query) {
    auto page = co_await store_.list_sessions(std::move(tenant), std::move(query));
    if (!page) {
        co_return from_store(page.error(), "list");
    }
    for (auto& session : page->data) {
        overlay_live_state(session);
    }
    co_return std::move(*page);
}

asio::awaitable<ServiceResult<storage::Session>> SessionService::patch(std::string tenant, std::string session_id,
                                                                       storage::SessionPatch patch) {
    auto session = co_await store_.patch_session(std::move(tenant), session_id, std::move(patch));
    if (!session) {
        co_return from_store(session.error(), session_id);
    }
    overlay_live_state(*session);
    co_return std::move(*session);
}

asio::awaitable<ServiceResult<void>> SessionService::remove(std::string tenant, std::string session_id) {
    auto session = co_await store_.get_session(tenant, session_id);
    if (!session) {
        co_return from_store(session.error(), session_id);
    }
    if (auto agent = cache_.peek(session_id)) {
        co_await asio::co_spawn(agent->executor, stop_turns(agent), asio::use_awaitable);
    }
    cache_.erase(session_id);
    if (const auto channel = hub_.find(session_id)) {
        channel->close_all(SubscriberClose::session_deleted);
    }
    auto deleted = co_await store_.delete_session(std::move(tenant), session_id);
    if (!deleted) {
        co_return from_store(deleted.error(), session_id);
    }
    co_return ServiceResult<void>{};
}

asio::awaitable<ServiceResult<storage::MessagePage>> SessionService::messages(std::string tenant,
                                                                              std::string session_id,
                                                                              storage::MessageQuery query) {
    auto session = co_await store_.get_session(std::move(tenant), session_id);
    if (!session) {
        co_return from_store(session.error(), session_id);
    }
    auto page = co_await store_.list_messages(session_id, std::move(query));
    if (!page) {
        co_return from_store(page.error(), session_id);
    }
    co_return std::move(*page);
}

asio::awaitable<ServiceResult<std::vector<storage::Todo>>> SessionService::todos(std::string tenant,
                                                                                 std::string session_id) {
    auto session = co_await store_.get_session(tenant, session_id);
    if (!session) {
        co_return from_store(session.error(), session_id);
    }
    if (const auto agent = cache_.peek(session_id); agent && agent->tenant == tenant) {
        co_return agent->todos->snapshot();
    }
    auto todos = co_await store_.list_todos(session_id);
    if (!todos) {
        co_return from_store(todos.error(), session_id);
    }
    co_return std::move(*todos);
}

asio::awaitable<ServiceResult<std::vector<storage::SearchHit>>> SessionService::search(std::string tenant,
                                                                                       std::string query,
                                                                                       unsigned limit) {
    auto hits = co_await store_.search(std::move(tenant), std::move(query), limit);
    if (!hits) {
        co_return from_store(hits.error(), "search");
    }
    co_return std::move(*hits);
}

asio::awaitable<ServiceResult<SendAccepted>> SessionService::send(SendRequest request) {
    if (request.content.size() > kMaxContentBytes) {
        co_return ServiceError{
            ServiceErrc::content_too_long,
            fmt::format("content is {} bytes; the limit is {}", request.content.size(), kMaxContentBytes), "content"};
    }
    if (!accepting_) {
        co_return ServiceError{ServiceErrc::unavailable, "the server is shutting down", std::nullopt};
    }
    auto lease = co_await live_agent(request.tenant, request.session_id);
    if (!lease) {
        co_return lease.error();
    }
    // Held until accept returns: by then an accepted turn counts in active_turns.
    const auto live = lease->agent();
    co_return co_await asio::co_spawn(live->executor, accept(live, std::move(request)), asio::use_awaitable);
}

asio::awaitable<ServiceResult<CompletionAccepted>> SessionService::complete(CompletionRequest request) {
    if (!accepting_) {
        co_return ServiceError{ServiceErrc::unavailable, "the server is shutting down", std::nullopt};
    }
    const auto runtime = runtime_.load();
    if (!runtime->config->config.agents.contains(request.agent)) {
        co_return ServiceError{ServiceErrc::agent_not_found, fmt::format("no such agent: {}", request.agent), "agent"};
    }
    // A live agent of its own, never cached: its history is the request's,
    // its todo list lives as long as the call, and its channel is in no hub.
    // It runs on the caller's I/O thread when the caller runs on one (a
    // connection): the call's handlers then never change threads.
    const auto caller = co_await asio::this_coro::executor;
    auto agent = std::make_shared<AgentState>(agent_home(caller));
    agent->tenant = std::move(request.tenant);
    agent->agent_name = std::move(request.agent);
    agent->config = runtime->config;
    agent->generation = runtime->config->generation;
    agent->channel = std::make_shared<SessionChannel>(std::string(), 0, 0);
    agent->todos = std::make_shared<TodoList>();
    agent->history = std::move(request.history);
    if (request.subscriber) {
        (void)agent->channel->attach(request.subscriber, std::nullopt);
    }
    agent->active_turns.fetch_add(1);  // as every turn's, until it ends
    QueuedTurn queued{storage::generate_id("turn_"), {}, nullptr, std::move(request.options)};
    queued.handle = std::make_shared<TurnHandle>(queued.turn_id);
    CompletionAccepted accepted{queued.turn_id, queued.handle, agent->channel, nullptr};
    auto turn = std::make_shared<Turn>(agent, runtime, std::make_shared<EphemeralTurnLog>(), std::move(queued));
    accepted.cancel = [weak = std::weak_ptr<Turn>(turn)] {
        if (const auto running = weak.lock()) {
            running->interrupt();
        }
    };
    track(turn);
    asio::co_spawn(agent->executor, run_completion(agent, turn), asio::detached);
    co_return accepted;
}

// On the completion's own executor.
asio::awaitable<void> SessionService::run_completion(std::shared_ptr<AgentState> agent, std::shared_ptr<Turn> turn) {
    co_await execute(agent, turn);
    turn_ended();
}

// On the session's executor.
asio::awaitable<ServiceResult<SendAccepted>> SessionService::accept(std::shared_ptr<AgentState> agent,
                                                                    SendRequest request) {
    co_await lock_accepts(*agent);
    struct Unlock {
        AgentState& agent;
        ~Unlock() { unlock_accepts(agent); }
    } unlock{*agent};

    const auto runtime = runtime_.load();
    const auto& agents = runtime->config->config.agents;
    const auto profile = agents.find(agent->agent_name);
    const auto policy = profile == agents.end() ? BusyPolicy::queue : profile->second.busy_policy;
    if (agent->running || !agent->queue.empty()) {
        if (policy == BusyPolicy::reject) {
            co_return ServiceError{ServiceErrc::turn_in_progress, "a turn is already running in this session",
                                   std::nullopt};
        }
        if (policy == BusyPolicy::queue && agent->queue.size() >= kMaxQueuedTurns) {
            co_return ServiceError{ServiceErrc::queue_full,
                                   fmt::format("{} messages are already waiting in this session", kMaxQueuedTurns),
                                   std::nullopt};
        }
        if (policy == BusyPolicy::interrupt) {
            while (auto running = agent->running) {
                running->interrupt();
                co_await running->handle()->wait();
            }
        }
    }

    QueuedTurn turn{storage::generate_id("turn_"), {}, nullptr, std::move(request.options)};
    turn.handle = std::make_shared<TurnHandle>(turn.turn_id);
    auto& message = turn.user_message;
    message.id = storage::generate_id("msg_");
    message.session_id = agent->session_id;
    message.role = storage::MessageRole::user;
    message.content = std::move(request.content);
    message.status = storage::MessageStatus::complete;

    agent->active_turns.fetch_add(1);
    if (request.subscriber) {
        (void)agent->channel->attach(request.subscriber, std::nullopt);
    }
    const auto seq = agent->channel->next_seq();
    message.seq = static_cast<std::int64_t>(seq);
    // The turn's first seq reservation rides on the message's commit: one commit
    // between the send and the model call instead of two (about 1 ms of TTFT).
    const auto reserve_up_to = static_cast<std::int64_t>(seq + kSeqReservation);
    auto stored = co_await store_.append_message_reserving(message, reserve_up_to);
    if (!stored) {
        agent->channel->skip(seq);
        if (request.subscriber) {
            agent->channel->detach(*request.subscriber);
        }
        agent->active_turns.fetch_sub(1);
        co_return from_store(stored.error(), agent->session_id);
    }
    message = *stored;
    agent->seq_reserved = std::max<std::uint64_t>(agent->seq_reserved, static_cast<std::uint64_t>(reserve_up_to));
    agent->history.push_back(message);
    if (request.on_accepted) {
        request.on_accepted(turn.turn_id);
    }

    SendAccepted accepted{turn.turn_id, message, agent->running != nullptr || !agent->queue.empty(), turn.handle,
                          agent->channel};
    const auto type = accepted.queued ? EventType::turn_queued : EventType::turn_started;
    agent->channel->publish(
        make_event(type, seq, agent->session_id, turn.turn_id, {{"user_message", message_json(message)}}));
    if (accepted.queued) {
        agent->queue.push_back(std::move(turn));
    } else {
        start_turn(agent, std::move(turn));
    }
    co_return accepted;
}

void SessionService::start_turn(const std::shared_ptr<AgentState>& agent, QueuedTurn queued) {
    auto turn = std::make_shared<Turn>(agent, runtime_.load(), stored_log_, std::move(queued));
    agent->running = turn;
    track(turn);
    set_status(agent->session_id, storage::SessionStatus::running);
    asio::co_spawn(agent->executor, run_turn(agent, turn), asio::detached);
}

// Counts a starting turn as active and lets shutdown interrupt it.
void SessionService::track(const std::shared_ptr<Turn>& turn) {
    turns_active_.fetch_add(1);
    const std::lock_guard lock(running_mutex_);
    std::erase_if(running_, [](const auto& weak) { return weak.expired(); });
    running_.push_back(turn);
}

// On the agent's executor.
asio::awaitable<void> SessionService::execute(const std::shared_ptr<AgentState>& agent,
                                              const std::shared_ptr<Turn>& turn) {
    TurnResult result;
    try {
        result = co_await turn->run();
    } catch (const std::exception& error) {
        spdlog::error("session {}: turn {} failed: {}", agent->session_id, turn->id(), error.what());
        result = TurnResult{turn->id(), TurnStatus::failed, {}, TurnError{"internal_error", error.what()}};
        turn->leave_session();
        agent->channel->publish(make_event(EventType::turn_failed, agent->channel->next_seq(), agent->session_id,
                                           turn->id(),
                                           {{"error", {{"code", "internal_error"}, {"message", "internal error"}}}}));
    }
    record_outcome(result.status);
    turn->handle()->finish(std::move(result));
}

// The last thing a turn's coroutine does with this service: shutdown may
// destroy it as soon as no turn is active.
void SessionService::turn_ended() {
    turns_active_.fetch_sub(1);
    (void)turn_ended_.try_send(boost::system::error_code{});
}

// On the session's executor: runs a turn, then the next queued one.
asio::awaitable<void> SessionService::run_turn(std::shared_ptr<AgentState> agent, std::shared_ptr<Turn> turn) {
    co_await execute(agent, turn);  // the turn has left active_turns
    agent->running.reset();

    if (!agent->queue.empty() && accepting_) {
        auto next = std::move(agent->queue.front());
        agent->queue.pop_front();
        agent->channel->publish(make_event(EventType::turn_started, agent->channel->next_seq(), agent->session_id,
                                           next.turn_id, {{"user_message", message_json(next.user_message)}}));
        start_turn(agent, std::move(next));
        turn_ended();
        co_return;
    }
    set_status(agent->session_id, storage::SessionStatus::idle);
    // Whatever stays queued at shutdown ends as interrupted, its message stored.
    while (!agent->queue.empty()) {
        auto left = std::move(agent->queue.front());
        agent->queue.pop_front();
        agent->active_turns.fetch_sub(1);
        agent->channel->publish(
            make_event(EventType::turn_interrupted, agent->channel->next_seq(), agent->session_id, left.turn_id, {}));
        left.handle->finish(TurnResult{left.turn_id, TurnStatus::interrupted, {left.user_message}, std::nullopt});
        record_outcome(TurnStatus::interrupted);
    }
    auto advanced =
        co_await store_.advance_seq(agent->session_id, static_cast<std::int64_t>(agent->channel->last_allocated()));
    if (!advanced) {
        spdlog::warn("session {}: recording its last seq failed: {}", agent->session_id, advanced.error().message());
    }
    turn_ended();
}

void SessionService::record_outcome(TurnStatus status) {
    switch (status) {
        case TurnStatus::completed: turns_completed_.fetch_add(1); break;
        case TurnStatus::interrupted: turns_interrupted_.fetch_add(1); break;
        case TurnStatus::failed: turns_failed_.fetch_add(1); break;
    }
}

void SessionService::set_status(const std::string& session_id, storage::SessionStatus status) {
    auto update = [](storage::Store& store, std::string id, storage::SessionStatus value) -> asio::awaitable<void> {
        auto done = co_await store.set_session_status(id, value);
        if (!done && done.error() != StoreErrc::not_found) {
            spdlog::warn("session {}: recording its status failed: {}", id, done.error().message());
        }
    };
    asio::co_spawn(executor_, update(store_, session_id, status), asio::detached);
}

asio::awaitable<ServiceResult<bool>> SessionService::interrupt(std::string tenant, std::string session_id) {
    auto agent = cache_.peek(session_id);
    if (!agent || agent->tenant != tenant) {
        auto session = co_await store_.get_session(std::move(tenant), session_id);
        if (!session) {
            co_return from_store(session.error(), session_id);
        }
        co_return false;
    }
    co_return co_await asio::co_spawn(agent->executor, interrupt_running(agent), asio::use_awaitable);
}

asio::awaitable<ServiceResult<bool>> SessionService::interrupt_running(std::shared_ptr<AgentState> agent) {
    if (!agent->running) {
        co_return false;
    }
    agent->running->interrupt();
    co_return true;
}

// On the session's executor: ends its queued turns and its running one (delete).
asio::awaitable<void> SessionService::stop_turns(std::shared_ptr<AgentState> agent) {
    while (!agent->queue.empty()) {
        auto left = std::move(agent->queue.front());
        agent->queue.pop_front();
        agent->active_turns.fetch_sub(1);
        // Every turn ends with one terminal event, a queued one too.
        agent->channel->publish(
            make_event(EventType::turn_interrupted, agent->channel->next_seq(), agent->session_id, left.turn_id, {}));
        left.handle->finish(TurnResult{left.turn_id, TurnStatus::interrupted, {left.user_message}, std::nullopt});
        record_outcome(TurnStatus::interrupted);
    }
    while (auto running = agent->running) {
        running->interrupt();
        co_await running->handle()->wait();
    }
}

asio::awaitable<ServiceResult<Subscription>> SessionService::subscribe(std::string tenant, std::string session_id,
                                                                       std::shared_ptr<Subscriber> subscriber,
                                                                       std::optional<std::uint64_t> after_seq) {
    std::shared_ptr<SessionChannel> channel;
    if (auto agent = cache_.peek(session_id); agent && agent->tenant == tenant) {
        channel = agent->channel;
    } else {
        auto session = co_await store_.get_session(std::move(tenant), session_id);
        if (!session) {
            co_return from_store(session.error(), session_id);
        }
        channel = hub_.open(session_id, static_cast<std::uint64_t>(session->last_seq));
    }
    const auto attachment = channel->attach(subscriber, after_seq);
    co_return Subscription{attachment, std::move(channel)};
}

asio::awaitable<std::size_t> SessionService::recover() {
    auto sessions = co_await store_.recover_running_sessions();
    if (!sessions) {
        throw boost::system::system_error(sessions.error());
    }
    for (const auto& session : *sessions) {
        const storage::MessageQuery latest{1, std::nullopt};
        auto last = co_await store_.list_messages(session.id, latest);
        const bool unanswered =
            last && !last->data.empty() && last->data.back().role != storage::MessageRole::assistant;
        if (!unanswered) {
            continue;
        }
        // The turn died with the process: record it as failed.
        storage::Message failed;
        failed.id = storage::generate_id("msg_");
        failed.session_id = session.id;
        failed.role = storage::MessageRole::assistant;
        failed.status = storage::MessageStatus::failed;
        auto stored = co_await store_.append_message_next_seq(std::move(failed));
        if (!stored) {
            spdlog::warn("session {}: recording its interrupted turn failed: {}", session.id, stored.error().message());
        }
    }
    if (!sessions->empty()) {
        spdlog::warn("recovered {} sessions left running by an unclean stop; their turns are recorded as failed",
                     sessions->size());
    }
    co_return sessions->size();
}

asio::awaitable<void> SessionService::shut_down(std::chrono::milliseconds grace) {
    accepting_ = false;
    asio::steady_timer deadline(executor_);
    co_await await_turns_ended(deadline, grace);
    if (turns_active_.load() > 0) {
        spdlog::info("interrupting {} turns still running after the grace period", turns_active_.load());
        std::vector<std::shared_ptr<Turn>> running;
        {
            const std::lock_guard lock(running_mutex_);
            for (const auto& weak : running_) {
                if (auto turn = weak.lock()) {
                    running.push_back(std::move(turn));
                }
            }
        }
        for (const auto& turn : running) {
            turn->interrupt();
        }
        co_await await_turns_ended(deadline, kInterruptedTurnsWait);
    }
    co_await cache_.stop();
}

// Waits until no turn runs or `limit` passes; woken by each turn's end, never polling.
asio::awaitable<void> SessionService::await_turns_ended(asio::steady_timer& deadline,
                                                        std::chrono::steady_clock::duration limit) {
    deadline.expires_after(limit);
    while (turns_active_.load() > 0) {
        auto ended = co_await (turn_ended_.async_receive(asio::as_tuple(asio::use_awaitable)) ||
                               deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
        if (ended.index() == 1) {
            co_return;
        }
    }
}

TurnStats SessionService::turn_stats() const {
    return {turns_active_.load(), turns_completed_.load(), turns_interrupted_.load(), turns_failed_.load()};
}

}  // namespace parley::core
