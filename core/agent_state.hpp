#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "core/async_latch.hpp"
#include "core/config_store.hpp"
#include "core/single_thread_context.hpp"
#include "core/stream/session_channel.hpp"
#include "core/turn_handle.hpp"
#include "storage/records.hpp"

namespace parley::core {

class TodoList;
class Turn;

// What one turn may change of its agent's profile, without storing it: the
// sampling parameters a chat completion request gives, and system text added
// after the agent's own system prompt.
struct TurnOptions {
    std::string extra_system{};
    std::optional<double> temperature{};
    std::optional<unsigned> max_tokens{};
};

// A turn accepted while another ran (busy policy queue): its user message is
// stored and announced by turn.queued; it starts when the running one ends.
struct QueuedTurn {
    std::string turn_id;
    storage::Message user_message;
    std::shared_ptr<TurnHandle> handle;
    TurnOptions options{};
};

// A session's live agent, as the AgentCache holds it: resolved profile,
// hydrated history, tool state and stream channel. Everything below `executor`
// is touched only through that executor, where the session's turns run one at
// a time.
struct AgentState {
    // A strand over the io_context's own executor type, not over any_io_executor:
    // Boost 1.81 heap-allocates on every handler a strand<any_io_executor> runs
    // (the polymorphic blocking query, and the strand too large for
    // any_io_executor's small buffer), which showed in the gateway profile.
    using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

    // `executor` must belong to an io_context (parleyd's I/O threads).
    explicit AgentState(const boost::asio::any_io_executor& executor) : executor(serial_executor(executor)) {}

    // Runs handlers one at a time on the io_context `executor` belongs to: that
    // context's own executor when it is a SingleThreadContext, else a new strand on it.
    [[nodiscard]] static boost::asio::any_io_executor serial_executor(const boost::asio::any_io_executor& executor);

    std::string session_id;
    std::string tenant;
    std::string agent_name;
    std::uint64_t generation = 0;  // the configuration generation it was built from
    // Running plus queued turns; an agent with any is never evicted. A running
    // turn stops counting just before its terminal event (Turn::leave_session).
    std::atomic<unsigned> active_turns{0};

    // AgentLeases held: a send between the cache handing the agent out and its
    // turn counting in active_turns. A leased agent is never evicted either.
    std::atomic<unsigned> leases{0};

    [[nodiscard]] bool busy() const { return active_turns.load() > 0; }
    [[nodiscard]] bool in_use() const { return busy() || leases.load() > 0; }

    boost::asio::any_io_executor executor;         // see serial_executor()
    std::shared_ptr<const ConfigSnapshot> config;  // the snapshot `generation` names
    std::shared_ptr<SessionChannel> channel;
    std::shared_ptr<TodoList> todos;
    std::vector<storage::Message> history;  // every stored message, ascending seq
    std::uint64_t seq_reserved = 0;         // seqs up to this are recorded as possibly used
    std::shared_ptr<Turn> running;          // the turn in progress, if any
    // Lists: rarely used, and an empty std::deque allocates two blocks (≈ 580 bytes)
    // for every agent, a stateless call's included.
    std::list<QueuedTurn> queue;
    bool accepting = false;  // a send is being accepted; others wait in line
    std::list<std::shared_ptr<AsyncLatch>> accept_waiters;
};

inline boost::asio::any_io_executor AgentState::serial_executor(const boost::asio::any_io_executor& executor) {
    using IoExecutor = boost::asio::io_context::executor_type;
    std::optional<IoExecutor> io;
    if (const auto* plain = executor.target<IoExecutor>()) {
        io = *plain;
    } else if (const auto* strand = executor.target<Strand>()) {
        io = strand->get_inner_executor();
    } else {
        throw std::invalid_argument("an agent's executor needs an io_context executor");
    }
    if (SingleThreadContext::is(io->context())) {
        return *io;
    }
    return boost::asio::make_strand(*io);
}

}  // namespace parley::core
