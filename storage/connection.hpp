#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/cached_statement.hpp"
#include "storage/options.hpp"
#include "storage/statement.hpp"

struct sqlite3;

namespace parley::storage {

enum class ConnectionRole {
    writer,  // creates the file, switches it to WAL, synchronous as configured
    reader,  // query_only: any write fails
};

// One SQLite connection, used by one thread at a time (opened NOMUTEX), with
// its cache of prepared statements. Failures throw SqliteError.
class Connection {
public:
    // path: a file path or a "file:" URI. Applies the pragmas of the role:
    // journal_mode=WAL, synchronous, busy_timeout, foreign_keys=ON, and
    // query_only for readers.
    Connection(const std::string& path, ConnectionRole role, SyncMode sync, unsigned busy_timeout_ms);
    ~Connection();

    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    Connection(Connection&&) = delete;
    Connection& operator=(Connection&&) = delete;

    // Runs one or more statements without results (schema, pragmas).
    void exec(std::string_view sql);
    // The cached statement for this SQL text, prepared on first use.
    [[nodiscard]] CachedStatement cached(std::string_view sql);
    // A statement used once.
    [[nodiscard]] Statement prepare(std::string_view sql);

    // Runs a single-statement query returning one integer (PRAGMAs, counts).
    [[nodiscard]] std::int64_t query_int64(std::string_view sql);
    [[nodiscard]] std::string query_text(std::string_view sql);

    [[nodiscard]] std::int64_t changes() const noexcept;
    [[nodiscard]] bool in_transaction() const noexcept;
    [[nodiscard]] ConnectionRole role() const noexcept { return role_; }

private:
    struct Closer {
        void operator()(sqlite3* db) const noexcept;
    };
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
    };

    ConnectionRole role_;
    // Declared before the cache: statements are finalized before the connection closes.
    std::unique_ptr<sqlite3, Closer> db_;
    std::unordered_map<std::string, std::unique_ptr<Statement>, StringHash, std::equal_to<>> cache_;
};

}  // namespace parley::storage
