#include "storage/connection.hpp"

#include <mutex>

#include <sqlite3.h>

#include <fmt/format.h>

#include "storage/coalescing_wal_vfs.hpp"
#include "storage/sqlite_error.hpp"

namespace parley::storage {
namespace {

constexpr std::int64_t kMmapBytes = std::int64_t{256} << 20;

// Process-wide SQLite settings, before the library initialises itself on the
// first open. Memory statistics off: with them on (Debian's default), every
// allocation SQLite makes takes and releases a global mutex, shared by the
// writer and every reader; parley never reads those statistics. If the
// library is already initialised (another user of SQLite in the process),
// sqlite3_config fails with SQLITE_MISUSE and nothing changes.
void configure_sqlite_once() {
    static std::once_flag once;
    std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

void Connection::Closer::operator()(sqlite3* db) const noexcept {
    sqlite3_close_v2(db);
}

Connection::Connection(const std::string& path, ConnectionRole role, SyncMode sync, unsigned busy_timeout_ms)
    : role_(role) {
    configure_sqlite_once();
    constexpr int kFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    const int flags = role == ConnectionRole::writer ? kFlags | SQLITE_OPEN_CREATE : kFlags;
    // Only the writer appends to the WAL, so only it needs the coalescing VFS.
    const char* vfs = role == ConnectionRole::writer ? coalescing_wal_vfs() : nullptr;
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
    db_.reset(raw);
    if (rc != SQLITE_OK) {
        const std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
        throw SqliteError(rc, fmt::format("cannot open database {}: {}", path, message));
    }
    sqlite3_extended_result_codes(db_.get(), 1);
    sqlite3_busy_timeout(db_.get(), static_cast<int>(busy_timeout_ms));
    exec("PRAGMA foreign_keys = ON");
    // Savepoint sub-journals and sort spills stay in memory.
    exec("PRAGMA temp_store = MEMORY");
    if (role == ConnectionRole::writer) {
        const std::string mode = query_text("PRAGMA journal_mode = WAL");
        if (mode != "wal") {
            throw SqliteError(SQLITE_ERROR, fmt::format("cannot switch {} to WAL (journal_mode is {})", path, mode));
        }
        exec(sync == SyncMode::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    } else {
        exec("PRAGMA query_only = ON");
    }
    // Reads of the main file go through a shared mapping instead of a pread
    // per page. The writer too: FTS5's incremental merges and the B-tree
    // descents of every insert read pages its 2 MiB cache no longer holds
    // (changed pages are still written with pwrite, to the WAL).
    exec(fmt::format("PRAGMA mmap_size = {}", kMmapBytes));
}

Connection::~Connection() = default;

void Connection::exec(std::string_view sql) {
    const std::string text(sql);
    char* error = nullptr;
    const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = error != nullptr ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw SqliteError(sqlite3_extended_errcode(db_.get()), message);
    }
}

CachedStatement Connection::cached(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        auto statement = std::make_unique<Statement>(db_.get(), sql, true);
        it = cache_.emplace(std::string(sql), std::move(statement)).first;
    }
    return CachedStatement(*it->second);
}

Statement Connection::prepare(std::string_view sql) {
    return {db_.get(), sql, false};
}

std::int64_t Connection::query_int64(std::string_view sql) {
    Statement statement = prepare(sql);
    return statement.step() ? statement.column_int64(0) : 0;
}

std::string Connection::query_text(std::string_view sql) {
    Statement statement = prepare(sql);
    return statement.step() ? statement.column_text(0) : std::string();
}

std::int64_t Connection::changes() const noexcept {
    return sqlite3_changes64(db_.get());
}

bool Connection::in_transaction() const noexcept {
    return sqlite3_get_autocommit(db_.get()) == 0;
}

}  // namespace parley::storage
