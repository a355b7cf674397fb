#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/json/object.hpp>

#include "core/agent_runtime.hpp"
#include "core/agent_state.hpp"
#include "core/providers/provider.hpp"
#include "core/stream/event.hpp"
#include "core/tools/tool.hpp"
#include "core/turn_handle.hpp"
#include "core/turn_log.hpp"

namespace parley::core {

// Seq numbers recorded ahead as possibly used, so a crash never reuses one.
inline constexpr std::uint64_t kSeqReservation = 4096;

// One turn of the agent loop: the model's answer streams to the session's
// channel as it arrives; tool calls run (concurrently) and their results feed
// the next model call, up to the agent's max_iterations. Assistant and tool
// messages are kept in `log` as they complete (stored for a session, in
// memory only for a stateless completion), and the turn ends with exactly one
// terminal event. Runs on the session's executor; interrupt() from anywhere
// stops the model call or the tools in flight at once (Asio cancellation).
// A turn without a user message (accepted.user_message.id empty) answers the
// history as it is: a stateless completion.
class Turn : public std::enable_shared_from_this<Turn> {
public:
    Turn(std::shared_ptr<AgentState> session, std::shared_ptr<const AgentRuntime> runtime, std::shared_ptr<TurnLog> log,
         QueuedTurn accepted);

    [[nodiscard]] const std::string& id() const { return turn_id_; }
    [[nodiscard]] const std::shared_ptr<TurnHandle>& handle() const { return handle_; }

    boost::asio::awaitable<TurnResult> run();

    // Thread-safe; idempotent. The turn must be owned by a shared_ptr.
    void interrupt();

    // The session stops counting this turn in active_turns (once; on the
    // session's executor). finish() does it just before the terminal event, so
    // whoever has seen that event finds the session idle unless more turns wait.
    void leave_session();

private:
    struct PendingCall {
        ToolCall call;
        boost::json::object arguments;
        bool arguments_valid = true;
    };

    boost::asio::awaitable<ModelOutcome> call_model(Provider& model, ModelRequest request);
    boost::asio::awaitable<std::vector<ToolOutput>> run_tools(std::vector<PendingCall> calls);
    boost::asio::awaitable<ToolOutput> run_tool(PendingCall call);
    // Runs `work` on the session's executor until it ends or interrupt() cancels it.
    template <typename T>
    boost::asio::awaitable<T> interruptible(boost::asio::awaitable<T> work);

    void on_model_event(ModelEvent&& event);
    ModelRequest build_request() const;

    // Stores a message under a fresh seq, then announces it with message.completed.
    boost::asio::awaitable<bool> store_and_announce(storage::Message message);
    // Arguments are members, set before the call: GCC 12 destroys temporaries
    // built inside a co_await expression twice.
    boost::asio::awaitable<TurnResult> finish(TurnStatus status);
    // True when seqs must be recorded further ahead before more are handed out.
    [[nodiscard]] bool reservation_due() const;
    boost::asio::awaitable<void> reserve_seqs();
    void publish(EventType type, boost::json::object fields);

    std::shared_ptr<AgentState> session_;
    std::shared_ptr<const AgentRuntime> runtime_;
    const AgentConfig* agent_ = nullptr;
    std::shared_ptr<TurnLog> log_;
    std::string turn_id_;
    storage::Message user_message_;
    TurnOptions options_;
    std::shared_ptr<TurnHandle> handle_;
    // Both only on the session's executor. The signal cancels the model call or the tools
    // in flight; the flag stops the turn at its next step otherwise.
    boost::asio::cancellation_signal interrupt_signal_;
    bool interrupted_ = false;
    bool counted_in_session_ = true;  // until leave_session()

    // The model call in progress.
    std::string message_id_;
    std::string partial_text_;
    std::vector<ToolCall> tool_calls_;
    TokenUsage usage_;
    std::vector<storage::Message> stored_;
    std::optional<TurnError> error_;
    std::string stop_reason_;
};

}  // namespace parley::core
