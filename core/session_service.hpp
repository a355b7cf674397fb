#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/agent_cache.hpp"
#include "core/agent_runtime.hpp"
#include "core/agent_state.hpp"
#include "core/service_error.hpp"
#include "core/stream/stream_hub.hpp"
#include "core/turn_handle.hpp"
#include "core/turn_log.hpp"
#include "storage/store.hpp"

namespace parley::core {

inline constexpr std::size_t kMaxContentBytes = 256 * 1024;
inline constexpr std::size_t kMaxQueuedTurns = 8;

struct NewSession {
    std::string tenant;
    std::string agent;
    std::optional<std::string> title;
    std::string metadata = "{}";  // a JSON object's text
};

struct SendRequest {
    std::string tenant;
    std::string session_id;
    std::string content;
    // Attached to the session before the turn's first event (WebSocket, SSE).
    std::shared_ptr<Subscriber> subscriber;
    // Called on the session's executor after the message is stored and before
    // the turn's first event is published (WebSocket: the `accepted` frame).
    std::function<void(const std::string& turn_id)> on_accepted;
    // Sampling and system text for this turn only (the OpenAI-compatible surface).
    TurnOptions options{};
};

struct SendAccepted {
    std::string turn_id;
    storage::Message user_message;
    bool queued = false;
    std::shared_ptr<TurnHandle> turn;
    // The session's channel: a caller that attached a subscriber detaches it here.
    std::shared_ptr<SessionChannel> channel;
};

// A stateless run of an agent (a chat completion without a session): the
// agent's whole loop on the given conversation, nothing stored.
struct CompletionRequest {
    std::string tenant;
    std::string agent;
    // The conversation so far, oldest first, as the agent loop reads a
    // session's history (ids and seqs do not matter).
    std::vector<storage::Message> history;
    TurnOptions options{};
    // Attached to the completion's private channel before its first event.
    std::shared_ptr<Subscriber> subscriber{};
};

struct CompletionAccepted {
    std::string turn_id;
    std::shared_ptr<TurnHandle> turn;
    // Private to this completion: no other client can subscribe to it.
    std::shared_ptr<SessionChannel> channel;
    // Stops the turn (thread-safe; idempotent): its caller left and nobody else waits for it.
    std::function<void()> cancel;
};

struct Subscription {
    Attachment attachment;
    // Hold it while subscribed: it keeps the session's retained events alive.
    std::shared_ptr<SessionChannel> channel;
};

struct TurnStats {
    std::uint64_t active = 0;
    std::uint64_t completed = 0;
    std::uint64_t interrupted = 0;
    std::uint64_t failed = 0;
};

// The rules of a session: create, read, change and delete through the Store;
// send (store the user message durably, then run the turn), one running turn
// per session, the busy policies, interrupts, subscriptions, start-up
// recovery and shutdown. Handlers in server/ call only this.
class SessionService {
public:
    SessionService(boost::asio::any_io_executor executor, storage::Store& store, StreamHub& hub,
                   AgentCacheOptions cache_options, const Clock& clock, std::shared_ptr<const AgentRuntime> runtime);
    ~SessionService();
    SessionService(const SessionService&) = delete;
    SessionService& operator=(const SessionService&) = delete;

    // Installs a new configuration generation: later turns run with it.
    void reload(std::shared_ptr<const AgentRuntime> runtime);
    [[nodiscard]] std::shared_ptr<const AgentRuntime> runtime() const { return runtime_.load(); }

    boost::asio::awaitable<ServiceResult<storage::Session>> create(NewSession request);
    boost::asio::awaitable<ServiceResult<storage::Session>> get(std::string tenant, std::string session_id);
    boost::asio::awaitable<ServiceResult<storage::SessionPage>> list(std::string tenant, storage::SessionQuery query);
    boost::asio::awaitable<ServiceResult<storage::Session>> patch(std::string tenant, std::string session_id,
                                                                  storage::SessionPatch patch);
    // Interrupts a running turn first; subscribers are closed.
    boost::asio::awaitable<ServiceResult<void>> remove(std::string tenant, std::string session_id);
    boost::asio::awaitable<ServiceResult<storage::MessagePage>> messages(std::string tenant, std::string session_id,
                                                                         storage::MessageQuery query);
    boost::asio::awaitable<ServiceResult<std::vector<storage::Todo>>> todos(std::string tenant, std::string session_id);
    boost::asio::awaitable<ServiceResult<std::vector<storage::SearchHit>>> search(std::string tenant, std::string query,
                                                                                  unsigned limit);

    boost::asio::awaitable<ServiceResult<SendAccepted>> send(SendRequest request);
    // Runs the agent's loop on request.history without a session: the same
    // agent loop and events as send(), but nothing is stored. agent_not_found
    // for an unknown agent.
    boost::asio::awaitable<ServiceResult<CompletionAccepted>> complete(CompletionRequest request);
    // True when a running turn was told to stop.
    boost::asio::awaitable<ServiceResult<bool>> interrupt(std::string tenant, std::string session_id);
    boost::asio::awaitable<ServiceResult<Subscription>> subscribe(std::string tenant, std::string session_id,
                                                                  std::shared_ptr<Subscriber> subscriber,
                                                                  std::optional<std::uint64_t> after_seq);

    // Start-up: sessions left running by a crash are reset, their unfinished turns recorded as failed.
    boost::asio::awaitable<std::size_t> recover();
    // Shutdown: no new turns; running ones get `grace` to finish, then are interrupted.
    boost::asio::awaitable<void> shut_down(std::chrono::milliseconds grace);

    [[nodiscard]] TurnStats turn_stats() const;
    [[nodiscard]] AgentCacheStats cache_stats() const { return cache_.stats(); }
    [[nodiscard]] AgentCache& cache() { return cache_; }

private:
    boost::asio::awaitable<std::shared_ptr<AgentState>> load_agent(AgentCache::LoadRequest request);
    // An agent lives on the I/O thread of the caller that creates or loads it (its
    // connection's, when the caller runs on one), so a client's session and its
    // connection share a thread; others reach it by posting there.
    [[nodiscard]] boost::asio::any_io_executor agent_home(const boost::asio::any_io_executor& caller) const;
    std::shared_ptr<AgentState> make_agent(const boost::asio::any_io_executor& caller, const storage::Session& session,
                                           std::vector<storage::Message> history, std::vector<storage::Todo> todos);
    boost::asio::awaitable<ServiceResult<AgentLease>> live_agent(std::string tenant, std::string session_id);
    boost::asio::awaitable<ServiceResult<SendAccepted>> accept(std::shared_ptr<AgentState> agent, SendRequest request);
    boost::asio::awaitable<ServiceResult<bool>> interrupt_running(std::shared_ptr<AgentState> agent);
    void start_turn(const std::shared_ptr<AgentState>& agent, QueuedTurn turn);
    boost::asio::awaitable<void> run_turn(std::shared_ptr<AgentState> agent, std::shared_ptr<Turn> turn);
    boost::asio::awaitable<void> run_completion(std::shared_ptr<AgentState> agent, std::shared_ptr<Turn> turn);
    // Runs a turn to its end and hands its result to the turn's handle.
    boost::asio::awaitable<void> execute(const std::shared_ptr<AgentState>& agent, const std::shared_ptr<Turn>& turn);
    void track(const std::shared_ptr<Turn>& turn);
    void turn_ended();
    boost::asio::awaitable<void> stop_turns(std::shared_ptr<AgentState> agent);
    boost::asio::awaitable<void> await_turns_ended(boost::asio::steady_timer& deadline,
                                                   std::chrono::steady_clock::duration limit);
    void overlay_live_state(storage::Session& session) const;
    void record_outcome(TurnStatus status);
    void set_status(const std::string& session_id, storage::SessionStatus status);

    boost::asio::any_io_executor executor_;
    storage::Store& store_;
    std::shared_ptr<TurnLog> stored_log_;
    StreamHub& hub_;
    AgentCache cache_;
    std::atomic<std::shared_ptr<const AgentRuntime>> runtime_;
    std::atomic<bool> accepting_{true};
    std::atomic<std::uint64_t> turns_active_{0};
    std::atomic<std::uint64_t> turns_completed_{0};
    std::atomic<std::uint64_t> turns_interrupted_{0};
    std::atomic<std::uint64_t> turns_failed_{0};
    // Rung whenever a turn ends, so shutdown can wait without polling.
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> turn_ended_;
    std::mutex running_mutex_;
    std::vector<std::weak_ptr<Turn>> running_;  // for shutdown's interrupt
};

}  // namespace parley::core
