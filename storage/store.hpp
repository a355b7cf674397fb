#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "storage/records.hpp"
#include "storage/result.hpp"
#include "storage/store_stats.hpp"

namespace parley::storage {

// Everything the rest of parley asks of storage. SqliteStore implements it;
// a PostgreSQL implementation can follow without touching core/.
//
// Every call is a coroutine that never blocks the calling (I/O) thread.
// Writes complete once committed: a value returned by a write is durable (as
// far as the synchronous mode promises). Expected failures are error values
// (StoreErrc); reads see every write whose completion was delivered before
// they started. Arguments are taken by value: a call may be launched and
// awaited later.
class Store {
public:
    template <class T>
    using Task = boost::asio::awaitable<Result<T>>;

    Store() = default;
    virtual ~Store() = default;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;
    Store(Store&&) = delete;
    Store& operator=(Store&&) = delete;

    // --- sessions ------------------------------------------------------------
    // Stores a new session (id, tenant, agent, title, metadata from the
    // argument; created_at/updated_at the store's clock unless set; status
    // idle; last_seq 0). duplicate_id if the id exists.
    virtual Task<Session> create_session(Session session) = 0;
    // not_found if it does not exist or belongs to another tenant.
    virtual Task<Session> get_session(std::string tenant, std::string id) = 0;
    // Most recently updated first, keyset pagination after the session `after`
    // (invalid_cursor if that is not one of the tenant's sessions).
    virtual Task<SessionPage> list_sessions(std::string tenant, SessionQuery query) = 0;
    // Replaces the title and/or the whole metadata; bumps updated_at.
    virtual Task<Session> patch_session(std::string tenant, std::string id, SessionPatch patch) = 0;
    // Deletes the session with its messages (and their search entries) and todos.
    virtual Task<void> delete_session(std::string tenant, std::string id) = 0;
    virtual Task<void> set_session_status(std::string id, SessionStatus status) = 0;
    // Start-up recovery: every session left running is set idle, its last_seq
    // raised to its seq_reserved (a crash mid-turn may skip seqs but never
    // reuses one a client saw), and returned (core then records their
    // unfinished turns as failed).
    virtual Task<std::vector<Session>> recover_running_sessions() = 0;

    // --- messages ------------------------------------------------------------
    // Stores a message with the seq the caller assigned and, in the same
    // transaction, sets the session's last_seq = max(last_seq, seq) and
    // updated_at. duplicate_seq if the session already has that seq,
    // duplicate_id if the message id exists, not_found without the session.
    virtual Task<Message> append_message(Message message) = 0;
    // As append_message, and in the same transaction reserve_seq(session, reserve_up_to):
    // a turn's user message and its first seq reservation in one commit.
    virtual Task<Message> append_message_reserving(Message message, std::int64_t reserve_up_to) = 0;
    // As append_message, but the seq is assigned atomically: last_seq + 1.
    virtual Task<Message> append_message_next_seq(Message message) = 0;
    // Records that seqs up to `seq` were used by events that are not stored
    // messages: last_seq = max(last_seq, seq). not_found without the session.
    virtual Task<void> advance_seq(std::string session_id, std::int64_t seq) = 0;
    // Records that seqs up to `up_to` may be used by events not stored as
    // messages: seq_reserved = max(seq_reserved, up_to). last_seq is left
    // alone; recover_running_sessions() raises it to seq_reserved.
    // not_found without the session.
    virtual Task<void> reserve_seq(std::string session_id, std::int64_t up_to) = 0;
    // The latest query.limit messages with seq < before_seq, in ascending seq.
    // The caller checks the session's tenant first (get_session).
    virtual Task<MessagePage> list_messages(std::string session_id, MessageQuery query) = 0;
    // Every message of the session in ascending seq (hydration).
    virtual Task<std::vector<Message>> all_messages(std::string session_id) = 0;

    // --- todos ---------------------------------------------------------------
    // Replaces the session's whole list (the todo tool merges in memory).
    virtual Task<void> replace_todos(std::string session_id, std::vector<Todo> todos) = 0;
    virtual Task<std::vector<Todo>> list_todos(std::string session_id) = 0;

    // The session, every message and the todo list, read in one snapshot (one
    // round trip to a reader: an agent's hydration). not_found as get_session.
    virtual Task<SessionState> load_session_state(std::string tenant, std::string id) = 0;

    // --- search --------------------------------------------------------------
    // Full-text search (FTS5 query syntax) over the tenant's messages, best
    // match first. invalid_query for a malformed query.
    virtual Task<std::vector<SearchHit>> search(std::string tenant, std::string query, unsigned limit) = 0;

    // --- operations ----------------------------------------------------------
    // Storage is open and its writer runs (/readyz).
    [[nodiscard]] virtual bool alive() const = 0;
    [[nodiscard]] virtual StoreStats stats() const = 0;
    // Commits everything queued, then refuses new work (StoreErrc::closed). Blocks; call at shutdown.
    virtual void close() = 0;
};

}  // namespace parley::storage
