#include "storage/sqlite_store.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <system_error>

#include <sqlite3.h>

#include <fmt/format.h>
#include <boost/asio/use_awaitable.hpp>

#include "storage/id_generator.hpp"
#include "storage/migrations.hpp"
#include "storage/search_index.hpp"
#include "storage/sqlite_error.hpp"
#include "storage/transaction.hpp"

namespace parley::storage {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kMemoryPath = ":memory:";
constexpr int kSnippetTokens = 16;

#define PARLEY_SESSION_COLUMNS "id, tenant, agent, title, metadata, status, created_at, updated_at, last_seq"
#define PARLEY_MESSAGE_COLUMNS "id, session_id, seq, role, content, tool_calls, tool_call_id, status, usage, created_at"

Session read_session(const Statement& row) {
    Session session;
    session.id = row.column_text(0);
    session.tenant = row.column_text(1);
    session.agent = row.column_text(2);
    session.title = row.column_optional_text(3);
    session.metadata = row.column_text(4);
    session.status = parse_session_status(row.column_text(5)).value_or(SessionStatus::idle);
    session.created_at = row.column_int64(6);
    session.updated_at = row.column_int64(7);
    session.last_seq = row.column_int64(8);
    return session;
}

Message read_message(const Statement& row) {
    Message message;
    message.id = row.column_text(0);
    message.session_id = row.column_text(1);
    message.seq = row.column_int64(2);
    message.role = parse_message_role(row.column_text(3)).value_or(MessageRole::user);
    message.content = row.column_text(4);
    message.tool_calls = row.column_optional_text(5);
    message.tool_call_id = row.column_optional_text(6);
    message.status = parse_message_status(row.column_text(7)).value_or(MessageStatus::complete);
    message.usage = row.column_optional_text(8);
    message.created_at = row.column_int64(9);
    return message;
}

unsigned clamp_limit(unsigned limit) {
    return std::clamp(limit, 1U, kMaxPageSize);
}

std::optional<Session> find_session(Connection& connection, const std::string& tenant, const std::string& id) {
    auto select = connection.cached("SELECT " PARLEY_SESSION_COLUMNS " FROM sessions WHERE id = ?1 AND tenant = ?2");
    select->bind_text(1, id);
    select->bind_text(2, tenant);
    if (!select->step()) {
        return std::nullopt;
    }
    return read_session(*select);
}

// The session's last_seq, or nullopt when there is no such session.
std::optional<std::int64_t> find_last_seq(Connection& connection, const std::string& session_id) {
    auto select = connection.cached("SELECT last_seq FROM sessions WHERE id = ?1");
    select->bind_text(1, session_id);
    if (!select->step()) {
        return std::nullopt;
    }
    return select->column_int64(0);
}

Result<Session> insert_session(Connection& connection, Session session, std::int64_t now) {
    if (session.id.empty() || session.tenant.empty() || session.agent.empty()) {
        return StoreErrc::invalid_argument;
    }
    if (session.created_at == 0) {
        session.created_at = now;
    }
    session.updated_at = std::max(session.updated_at, session.created_at);
    session.status = SessionStatus::idle;
    session.last_seq = 0;
    auto insert = connection.cached("INSERT INTO sessions (" PARLEY_SESSION_COLUMNS
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)");
    insert->bind_text(1, session.id);
    insert->bind_text(2, session.tenant);
    insert->bind_text(3, session.agent);
    insert->bind_optional_text(4, session.title);
    insert->bind_text(5, session.metadata);
    insert->bind_text(6, to_string(session.status));
    insert->bind_int64(7, session.created_at);
    insert->bind_int64(8, session.updated_at);
    insert->run();
    return session;
}

Result<SessionPage> select_sessions(Connection& connection, const std::string& tenant, const SessionQuery& query) {
    const unsigned limit = clamp_limit(query.limit);
    // One snapshot for the cursor lookup and the page.
    Transaction transaction(connection, TransactionMode::deferred);
    SessionPage page;
    auto collect = [&](Statement& select) {
        while (select.step()) {
            page.data.push_back(read_session(select));
        }
    };
    if (query.after) {
        std::optional<Session> cursor = find_session(connection, tenant, *query.after);
        if (!cursor) {
            return StoreErrc::invalid_cursor;
        }
        auto select = connection.cached("SELECT " PARLEY_SESSION_COLUMNS
                                        " FROM sessions WHERE tenant = ?1"
                                        " AND (updated_at < ?2 OR (updated_at = ?2 AND id < ?3))"
                                        " ORDER BY updated_at DESC, id DESC LIMIT ?4");
        select->bind_text(1, tenant);
        select->bind_int64(2, cursor->updated_at);
        select->bind_text(3, cursor->id);
        select->bind_int64(4, limit + 1);
        collect(*select);
    } else {
        auto select = connection.cached("SELECT " PARLEY_SESSION_COLUMNS
                                        " FROM sessions WHERE tenant = ?1"
                                        " ORDER BY updated_at DESC, id DESC LIMIT ?2");
        select->bind_text(1, tenant);
        select->bind_int64(2, limit + 1);
        collect(*select);
    }
    transaction.commit();
    if (page.data.size() > limit) {
        page.data.pop_back();
        page.has_more = true;
    }
    return page;
}

Result<Session> update_session(Connection& connection, const std::string& tenant, const std::string& id,
                               const SessionPatch& patch, std::int64_t now) {
    std::optional<Session> session = find_session(connection, tenant, id);
    if (!session) {
        return StoreErrc::not_found;
    }
    if (patch.title) {
        session->title = *patch.title;
    }
    if (patch.metadata) {
        session->metadata = *patch.metadata;
    }
    session->updated_at = std::max(session->updated_at, now);
    auto update = connection.cached("UPDATE sessions SET title = ?2, metadata = ?3, updated_at = ?4 WHERE id = ?1");
    update->bind_text(1, id);
    update->bind_optional_text(2, session->title);
    update->bind_text(3, session->metadata);
    update->bind_int64(4, session->updated_at);
    update->run();
    return *std::move(session);
}

Result<void> remove_session(Connection& connection, const std::string& tenant, const std::string& id) {
    if (!find_session(connection, tenant, id)) {
        return StoreErrc::not_found;
    }
    // Explicit deletes (rather than relying on ON DELETE CASCADE alone) keep
    // the FTS triggers' work visible and the order deterministic.
    for (const char* sql : {"DELETE FROM messages WHERE session_id = ?1", "DELETE FROM todos WHERE session_id = ?1",
                            "DELETE FROM sessions WHERE id = ?1"}) {
        auto remove = connection.cached(sql);
        remove->bind_text(1, id);
        remove->run();
    }
    return {};
}

Result<void> update_status(Connection& connection, const std::string& id, SessionStatus status) {
    auto update = connection.cached("UPDATE sessions SET status = ?2 WHERE id = ?1");
    update->bind_text(1, id);
    update->bind_text(2, to_string(status));
    update->run();
    if (connection.changes() == 0) {
        return StoreErrc::not_found;
    }
    return {};
}

Result<std::vector<Session>> reset_running(Connection& connection) {
    auto update = connection.cached(
        "UPDATE sessions SET status = 'idle', last_seq = max(last_seq, seq_reserved)"
        " WHERE status = 'running' RETURNING " PARLEY_SESSION_COLUMNS);
    std::vector<Session> sessions;
    while (update->step()) {
        sessions.push_back(read_session(*update));
    }
    return sessions;
}

// Inserts the message and moves the session's last_seq and updated_at.
Result<Message> insert_message(Connection& connection, Message message, std::int64_t now) {
    if (message.created_at == 0) {
        message.created_at = now;
    }
    auto insert = connection.cached("INSERT INTO messages (" PARLEY_MESSAGE_COLUMNS
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    insert->bind_text(1, message.id);
    insert->bind_text(2, message.session_id);
    insert->bind_int64(3, message.seq);
    insert->bind_text(4, to_string(message.role));
    insert->bind_text(5, message.content);
    insert->bind_optional_text(6, message.tool_calls);
    insert->bind_optional_text(7, message.tool_call_id);
    insert->bind_text(8, to_string(message.status));
    insert->bind_optional_text(9, message.usage);
    insert->bind_int64(10, message.created_at);
    try {
        insert->run();
    } catch (const SqliteError& error) {
        if (error.extended_code() == SQLITE_CONSTRAINT_UNIQUE) {
            const bool seq_taken = std::string_view(error.what()).find("messages.seq") != std::string_view::npos;
            return seq_taken ? StoreErrc::duplicate_seq : StoreErrc::duplicate_id;
        }
        throw;
    }
    auto update = connection.cached(
        "UPDATE sessions SET last_seq = max(last_seq, ?2), updated_at = max(updated_at, ?3) WHERE id = ?1");
    update->bind_text(1, message.session_id);
    update->bind_int64(2, message.seq);
    update->bind_int64(3, now);
    update->run();
    return message;
}

Result<Message> append_with_seq(Connection& connection, Message message, std::int64_t now) {
    if (message.id.empty() || message.seq <= 0) {
        return StoreErrc::invalid_argument;
    }
    if (!find_last_seq(connection, message.session_id)) {
        return StoreErrc::not_found;
    }
    return insert_message(connection, std::move(message), now);
}

Result<Message> append_next_seq(Connection& connection, Message message, std::int64_t now) {
    if (message.id.empty()) {
        return StoreErrc::invalid_argument;
    }
    const std::optional<std::int64_t> last_seq = find_last_seq(connection, message.session_id);
    if (!last_seq) {
        return StoreErrc::not_found;
    }
    // Only the writer thread writes, so last_seq cannot move between this read and the insert.
    message.seq = *last_seq + 1;
    return insert_message(connection, std::move(message), now);
}

Result<void> raise_last_seq(Connection& connection, const std::string& session_id, std::int64_t seq) {
    auto update = connection.cached("UPDATE sessions SET last_seq = max(last_seq, ?2) WHERE id = ?1");
    update->bind_text(1, session_id);
    update->bind_int64(2, seq);
    update->run();
    if (connection.changes() == 0) {
        return StoreErrc::not_found;
    }
    return {};
}

Result<void> raise_seq_reserved(Connection& connection, const std::string& session_id, std::int64_t up_to) {
    auto update = connection.cached("UPDATE sessions SET seq_reserved = max(seq_reserved, ?2) WHERE id = ?1");
    update->bind_text(1, session_id);
    update->bind_int64(2, up_to);
    update->run();
    if (connection.changes() == 0) {
        return StoreErrc::not_found;
    }
    return {};
}

Result<MessagePage> select_messages(Connection& connection, const std::string& session_id, const MessageQuery& query) {
    const unsigned limit = clamp_limit(query.limit);
    auto select = connection.cached("SELECT " PARLEY_MESSAGE_COLUMNS
                                    " FROM messages"
                                    " WHERE session_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3");
    select->bind_text(1, session_id);
    select->bind_int64(2, query.before_seq.value_or(std::numeric_limits<std::int64_t>::max()));
    select->bind_int64(3, limit + 1);
    MessagePage page;
    page.data.reserve(limit + 1);
    while (select->step()) {
        page.data.push_back(read_message(*select));
    }
    if (page.data.size() > limit) {
        page.data.pop_back();
        page.has_more = true;
    }
    std::reverse(page.data.begin(), page.data.end());
    return page;
}

Result<std::vector<Message>> select_all_messages(Connection& connection, const std::string& session_id) {
    auto select =
        connection.cached("SELECT " PARLEY_MESSAGE_COLUMNS " FROM messages WHERE session_id = ?1 ORDER BY seq");
    select->bind_text(1, session_id);
    std::vector<Message> messages;
    while (select->step()) {
        messages.push_back(read_message(*select));
    }
    return messages;
}

Result<void> store_todos(Connection& connection, const std::string& session_id, const std::vector<Todo>& todos) {
    if (!find_last_seq(connection, session_id)) {
        return StoreErrc::not_found;
    }
    auto remove = connection.cached("DELETE FROM todos WHERE session_id = ?1");
    remove->bind_text(1, session_id);
    remove->run();
    auto insert =
        connection.cached("INSERT INTO todos (session_id, position, id, content, status) VALUES (?1, ?2, ?3, ?4, ?5)");
    std::int64_t position = 0;
    for (const Todo& todo : todos) {
        if (todo.id.empty()) {
            return StoreErrc::invalid_argument;
        }
        insert->bind_text(1, session_id);
        insert->bind_int64(2, position++);
        insert->bind_text(3, todo.id);
        insert->bind_text(4, todo.content);
        insert->bind_text(5, to_string(todo.status));
        insert->run();
        insert->reset();
    }
    return {};
}

Result<std::vector<Todo>> select_todos(Connection& connection, const std::string& session_id) {
    auto select = connection.cached("SELECT id, content, status FROM todos WHERE session_id = ?1 ORDER BY position");
    select->bind_text(1, session_id);
    std::vector<Todo> todos;
    while (select->step()) {
        todos.push_back({select->column_text(0), select->column_text(1),
                         parse_todo_status(select->column_text(2)).value_or(TodoStatus::pending)});
    }
    return todos;
}

bool is_blank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// True when messages are committed but not yet in the search index.
bool index_is_behind(Connection& connection) {
    auto pending = connection.cached("SELECT EXISTS (SELECT 1 FROM messages_fts_pending)");
    return pending->step() && pending->column_int64(0) != 0;
}

Result<std::vector<SearchHit>> select_hits(Connection& connection, const std::string& tenant, const std::string& query,
                                           unsigned limit) {
    if (is_blank(query)) {
        return StoreErrc::invalid_query;
    }
    auto select = connection.cached(
        "SELECT m.session_id, m.id, m.seq, snippet(messages_fts, 0, ?3, ?4, ?5, ?6), m.created_at"
        " FROM messages_fts"
        " JOIN messages AS m ON m.pk = messages_fts.rowid"
        " JOIN sessions AS s ON s.id = m.session_id"
        " WHERE messages_fts MATCH ?1 AND s.tenant = ?2"
        " ORDER BY messages_fts.rank LIMIT ?7");
    select->bind_text(1, query);
    select->bind_text(2, tenant);
    select->bind_text(3, kSnippetOpen);
    select->bind_text(4, kSnippetClose);
    select->bind_text(5, kSnippetEllipsis);
    select->bind_int64(6, kSnippetTokens);
    select->bind_int64(7, clamp_limit(limit));
    std::vector<SearchHit> hits;
    try {
        while (select->step()) {
            hits.push_back({select->column_text(0), select->column_text(1), select->column_int64(2),
                            select->column_text(3), select->column_int64(4)});
        }
    } catch (const SqliteError& error) {
        // The statement itself is valid, so SQLITE_ERROR here comes from the
        // MATCH expression: "fts5: syntax error near ...", "no such column", ...
        if (error.primary_code() == SQLITE_ERROR) {
            return StoreErrc::invalid_query;
        }
        throw;
    }
    return hits;
}

}  // namespace

SqliteStore::SqliteStore(Options options, Clock clock) : options_(std::move(options)), clock_(std::move(clock)) {
    if (options_.path == kMemoryPath) {
        // A private temporary file rather than a shared-cache memory database:
        // shared cache uses table locks that would make readers fail with
        // SQLITE_LOCKED while a batch is open, unlike WAL.
        ephemeral_ = std::filesystem::temp_directory_path() / (generate_id("parley-mem-") + ".db");
        path_ = ephemeral_.string();
    } else {
        path_ = options_.path;
    }
    auto connection =
        std::make_unique<Connection>(path_, ConnectionRole::writer, options_.synchronous, options_.busy_timeout_ms);
    connection->exec(fmt::format("PRAGMA wal_autocheckpoint = {}", options_.wal_autocheckpoint_pages));
    apply_migrations(*connection);
    {
        // Rows written outside a BatchWriter without indexing them (a bulk
        // load that forgot to) are indexed now rather than never.
        Transaction transaction(*connection, TransactionMode::immediate);
        index_pending_messages(*connection);
        transaction.commit();
    }
    writer_ = std::make_unique<BatchWriter>(std::move(connection), options_, index_pending_messages);
    readers_ = std::make_unique<ReadPool>(path_, options_);
}

SqliteStore::~SqliteStore() {
    close();
    if (!ephemeral_.empty()) {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"}) {
            std::filesystem::remove(ephemeral_.string() + suffix, ignored);
        }
    }
}

void SqliteStore::close() {
    writer_->stop();
    readers_->stop();
}

bool SqliteStore::alive() const {
    return writer_->alive();
}

StoreStats SqliteStore::stats() const {
    return writer_->stats();
}

// Each coroutine below names its work lambda before awaiting it: GCC 12
// mis-copies a lambda temporary created inside a co_await expression (its
// captured strings end up pointing into the coroutine frame).

Store::Task<Session> SqliteStore::create_session(Session session) {
    auto work = [this, session = std::move(session)](Connection& connection) {
        return insert_session(connection, session, clock_());
    };
    Result<Session> result = co_await writer_->async_write<Session>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<Session> SqliteStore::get_session(std::string tenant, std::string id) {
    auto work = [tenant = std::move(tenant), id = std::move(id)](Connection& connection) -> Result<Session> {
        std::optional<Session> session = find_session(connection, tenant, id);
        if (!session) {
            return StoreErrc::not_found;
        }
        return *std::move(session);
    };
    Result<Session> result = co_await readers_->async_read<Session>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<SessionPage> SqliteStore::list_sessions(std::string tenant, SessionQuery query) {
    auto work = [tenant = std::move(tenant), query = std::move(query)](Connection& connection) {
        return select_sessions(connection, tenant, query);
    };
    Result<SessionPage> result = co_await readers_->async_read<SessionPage>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<Session> SqliteStore::patch_session(std::string tenant, std::string id, SessionPatch patch) {
    auto work = [this, tenant = std::move(tenant), id = std::move(id), patch = std::move(patch)](
                    Connection& connection) { return update_session(connection, tenant, id, patch, clock_()); };
    Result<Session> result = co_await writer_->async_write<Session>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<void> SqliteStore::delete_session(std::string tenant, std::string id) {
    auto work = [tenant = std::move(tenant), id = std::move(id)](Connection& connection) {
        return remove_session(connection, tenant, id);
    };
    Result<void> result = co_await writer_->async_write<void>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<void> SqliteStore::set_session_status(std::string id, SessionStatus status) {
    auto work = [id = std::move(id), status](Connection& connection) { return update_status(connection, id, status); };
    Result<void> result = co_await writer_->async_write<void>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<std::vector<Session>> SqliteStore::recover_running_sessions() {
    auto work = [](Connection& connection) { return reset_running(connection); };
    Result<std::vector<Session>> result =
        co_await writer_->async_write<std::vector<Session>>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<Message> SqliteStore::append_message(Message message) {
    auto work = [this, message = std::move(message)](Connection& connection) {
        return append_with_seq(connection, message, clock_());
    };
    Result<Message> result = co_await writer_->async_write<Message>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<Message> SqliteStore::append_message_reserving(Message message, std::int64_t reserve_up_to) {
    auto work = [this, message = std::move(message), reserve_up_to](Connection& connection) -> Result<Message> {
        auto stored = append_with_seq(connection, message, clock_());
        if (!stored) {
            return stored;
        }
        if (auto reserved = raise_seq_reserved(connection, stored->session_id, reserve_up_to); !reserved) {
            return reserved.error();
        }
        return stored;
    };
    Result<Message> result = co_await writer_->async_write<Message>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<Message> SqliteStore::append_message_next_seq(Message message) {
    auto work = [this, message = std::move(message)](Connection& connection) {
        return append_next_seq(connection, message, clock_());
    };
    Result<Message> result = co_await writer_->async_write<Message>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<void> SqliteStore::advance_seq(std::string session_id, std::int64_t seq) {
    auto work = [session_id = std::move(session_id), seq](Connection& connection) {
        return raise_last_seq(connection, session_id, seq);
    };
    Result<void> result = co_await writer_->async_write<void>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<void> SqliteStore::reserve_seq(std::string session_id, std::int64_t up_to) {
    auto work = [session_id = std::move(session_id), up_to](Connection& connection) {
        return raise_seq_reserved(connection, session_id, up_to);
    };
    Result<void> result = co_await writer_->async_write<void>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<MessagePage> SqliteStore::list_messages(std::string session_id, MessageQuery query) {
    auto work = [session_id = std::move(session_id), query](Connection& connection) {
        return select_messages(connection, session_id, query);
    };
    Result<MessagePage> result = co_await readers_->async_read<MessagePage>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<std::vector<Message>> SqliteStore::all_messages(std::string session_id) {
    auto work = [session_id = std::move(session_id)](Connection& connection) {
        return select_all_messages(connection, session_id);
    };
    Result<std::vector<Message>> result =
        co_await readers_->async_read<std::vector<Message>>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<void> SqliteStore::replace_todos(std::string session_id, std::vector<Todo> todos) {
    auto work = [session_id = std::move(session_id), todos = std::move(todos)](Connection& connection) {
        return store_todos(connection, session_id, todos);
    };
    Result<void> result = co_await writer_->async_write<void>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<std::vector<Todo>> SqliteStore::list_todos(std::string session_id) {
    auto work = [session_id = std::move(session_id)](Connection& connection) {
        return select_todos(connection, session_id);
    };
    Result<std::vector<Todo>> result =
        co_await readers_->async_read<std::vector<Todo>>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<SessionState> SqliteStore::load_session_state(std::string tenant, std::string id) {
    auto work = [tenant = std::move(tenant), id = std::move(id)](Connection& connection) -> Result<SessionState> {
        const Transaction snapshot(connection, TransactionMode::deferred);
        std::optional<Session> session = find_session(connection, tenant, id);
        if (!session) {
            return StoreErrc::not_found;
        }
        auto messages = select_all_messages(connection, id);
        if (!messages) {
            return messages.error();
        }
        auto todos = select_todos(connection, id);
        if (!todos) {
            return todos.error();
        }
        return SessionState{*std::move(session), *std::move(messages), *std::move(todos)};
    };
    Result<SessionState> result = co_await readers_->async_read<SessionState>(std::move(work), asio::use_awaitable);
    co_return result;
}

Store::Task<std::vector<SearchHit>> SqliteStore::search(std::string tenant, std::string query, unsigned limit) {
    using MaybeHits = std::optional<std::vector<SearchHit>>;
    // A message whose commit completed may still wait to be indexed (the
    // writer indexes after a lone write's completion, BatchWriter::Upkeep):
    // then no hits are read here, and the writer indexes first.
    auto read_if_indexed = [tenant, query, limit](Connection& connection) -> Result<MaybeHits> {
        if (index_is_behind(connection)) {
            return MaybeHits();
        }
        Result<std::vector<SearchHit>> hits = select_hits(connection, tenant, query, limit);
        if (!hits) {
            return hits.error();
        }
        return MaybeHits(std::move(*hits));
    };
    Result<MaybeHits> first = co_await readers_->async_read<MaybeHits>(std::move(read_if_indexed), asio::use_awaitable);
    if (!first) {
        co_return first.error();
    }
    if (first->has_value()) {
        co_return std::move(**first);
    }
    auto index_now = [](Connection& connection) -> Result<void> {
        index_pending_messages(connection);
        return {};
    };
    Result<void> indexed = co_await writer_->async_write<void>(std::move(index_now), asio::use_awaitable);
    if (!indexed) {
        co_return indexed.error();
    }
    auto read = [tenant = std::move(tenant), query = std::move(query), limit](Connection& connection) {
        return select_hits(connection, tenant, query, limit);
    };
    Result<std::vector<SearchHit>> result =
        co_await readers_->async_read<std::vector<SearchHit>>(std::move(read), asio::use_awaitable);
    co_return result;
}

}  // namespace parley::storage

#undef PARLEY_SESSION_COLUMNS
#undef PARLEY_MESSAGE_COLUMNS
