#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "storage/batch_writer.hpp"
#include "storage/options.hpp"
#include "storage/read_pool.hpp"
#include "storage/store.hpp"
#include "storage/timestamp.hpp"

namespace parley::storage {

// The embedded Store: SQLite in WAL mode, written by one BatchWriter and read
// through a ReadPool. Schema and queries: docs/storage.md.
class SqliteStore final : public Store {
public:
    // Opens (or creates) the database, applies the migrations, starts the
    // writer and reader threads. Throws SqliteError when the database cannot
    // be opened or migrated: start-up must fail. The clock (UTC epoch ms) is
    // called on the writer thread.
    explicit SqliteStore(Options options, Clock clock = system_now_ms);
    ~SqliteStore() override;

    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;
    SqliteStore(SqliteStore&&) = delete;
    SqliteStore& operator=(SqliteStore&&) = delete;

    Task<Session> create_session(Session session) override;
    Task<Session> get_session(std::string tenant, std::string id) override;
    Task<SessionPage> list_sessions(std::string tenant, SessionQuery query) override;
    Task<Session> patch_session(std::string tenant, std::string id, SessionPatch patch) override;
    Task<void> delete_session(std::string tenant, std::string id) override;
    Task<void> set_session_status(std::string id, SessionStatus status) override;
    Task<std::vector<Session>> recover_running_sessions() override;

    Task<Message> append_message(Message message) override;
    Task<Message> append_message_reserving(Message message, std::int64_t reserve_up_to) override;
    Task<Message> append_message_next_seq(Message message) override;
    Task<void> advance_seq(std::string session_id, std::int64_t seq) override;
    Task<void> reserve_seq(std::string session_id, std::int64_t up_to) override;
    Task<MessagePage> list_messages(std::string session_id, MessageQuery query) override;
    Task<std::vector<Message>> all_messages(std::string session_id) override;

    Task<void> replace_todos(std::string session_id, std::vector<Todo> todos) override;
    Task<std::vector<Todo>> list_todos(std::string session_id) override;
    Task<SessionState> load_session_state(std::string tenant, std::string id) override;

    Task<std::vector<SearchHit>> search(std::string tenant, std::string query, unsigned limit) override;

    [[nodiscard]] bool alive() const override;
    [[nodiscard]] StoreStats stats() const override;
    void close() override;

    // The database actually opened (":memory:" resolves to a temporary file).
    [[nodiscard]] const std::string& database_path() const noexcept { return path_; }
    [[nodiscard]] BatchWriter& writer() noexcept { return *writer_; }
    [[nodiscard]] ReadPool& readers() noexcept { return *readers_; }

private:
    Options options_;
    Clock clock_;
    std::filesystem::path ephemeral_;  // the temporary file behind ":memory:", removed on destruction
    std::string path_;
    std::unique_ptr<BatchWriter> writer_;
    std::unique_ptr<ReadPool> readers_;
};

}  // namespace parley::storage
