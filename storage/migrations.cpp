#include "storage/migrations.hpp"

#include <array>
#include <chrono>

#include <sqlite3.h>

#include <fmt/format.h>

#include "storage/sqlite_error.hpp"
#include "storage/transaction.hpp"

namespace parley::storage {
namespace {

// Version 1: sessions, messages (+ FTS5 external-content index kept in sync by
// triggers), todos. messages has an explicit INTEGER PRIMARY KEY so its rowid,
// which the FTS index refers to, is stable across VACUUM. CHECKs spell out
// "a OR b" rather than "IN (a, b)": SQLite 3.40 evaluates an IN list through
// an ephemeral table, whose page cache is allocated and freed on every insert.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    tenant      TEXT NOT NULL,
    agent       TEXT NOT NULL,
    title       TEXT,
    metadata    TEXT NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL DEFAULT 'idle' CHECK (status = 'idle' OR status = 'running'),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- GET /v1/sessions: a tenant's sessions, most recently updated first, keyset pagination.
CREATE INDEX sessions_by_tenant_updated ON sessions (tenant, updated_at DESC, id DESC);
-- Start-up recovery: the few sessions left running.
CREATE INDEX sessions_running ON sessions (status) WHERE status = 'running';

CREATE TABLE messages (
    pk            INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    session_id    TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL CHECK (seq > 0),
    role          TEXT NOT NULL CHECK (role = 'user' OR role = 'assistant' OR role = 'tool'),
    content       TEXT NOT NULL,
    tool_calls    TEXT,
    tool_call_id  TEXT,
    status        TEXT NOT NULL CHECK (status = 'complete' OR status = 'interrupted' OR status = 'failed'),
    usage         TEXT,
    created_at    INTEGER NOT NULL
);

-- History pages and hydration: messages of a session by seq; also enforces seq uniqueness.
CREATE UNIQUE INDEX messages_by_session_seq ON messages (session_id, seq);

CREATE TABLE todos (
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    id          TEXT NOT NULL,
    content     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status = 'pending' OR status = 'in_progress'
                                     OR status = 'completed' OR status = 'cancelled'),
    PRIMARY KEY (session_id, position),
    UNIQUE (session_id, id)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE messages_fts USING fts5 (
    content,
    content = 'messages',
    content_rowid = 'pk',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.pk, new.content);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.pk, old.content);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.pk, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.pk, new.content);
END;
)sql";

// Version 2: seqs reserved for events that are not stored messages. A running
// turn records how far it may number its events; start-up recovery raises
// last_seq to it, so a crash may skip seqs but never reuses one a client saw.
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE sessions ADD COLUMN seq_reserved INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 3: index a batch's new messages once, before COMMIT, instead of one
// FTS5 insert per row. FTS5 flushes its pending terms to a new segment at
// every savepoint, and the writer runs each operation in a savepoint: per-row
// indexing wrote (and later merged) one tiny segment per message. Now the
// insert trigger only records the new row in messages_fts_pending, and
// index_pending_messages() (storage/search_index.hpp) indexes the recorded
// rows and empties the table in the same transaction, right before COMMIT.
// A row deleted or updated while still pending is simply dropped or left
// pending (its current text is indexed then); a row already indexed is
// removed from the index as before.
constexpr std::string_view kSchemaV3 = R"sql(
CREATE TABLE messages_fts_pending (pk INTEGER PRIMARY KEY);

DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts_pending (pk) VALUES (new.pk);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content)
        SELECT 'delete', old.pk, old.content
        WHERE NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE pk = old.pk);
    DELETE FROM messages_fts_pending WHERE pk = old.pk;
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content)
        SELECT 'delete', old.pk, old.content
        WHERE NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE pk = old.pk);
    INSERT OR IGNORE INTO messages_fts_pending (pk) VALUES (new.pk);
END;
)sql";

constexpr std::array kMigrations{
    Migration{1, kSchemaV1},
    Migration{2, kSchemaV2},
    Migration{3, kSchemaV3},
};

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY NOT NULL,"
    " applied_at INTEGER NOT NULL)";

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::span<const Migration> migrations() noexcept {
    return kMigrations;
}

int schema_version(Connection& connection) {
    const auto exists =
        connection.query_int64("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
    if (exists == 0) {
        return 0;
    }
    return static_cast<int>(connection.query_int64("SELECT coalesce(max(version), 0) FROM schema_version"));
}

int apply_migrations(Connection& connection) {
    Transaction transaction(connection, TransactionMode::immediate);
    connection.exec(kCreateVersionTable);
    const int current = schema_version(connection);
    const int latest = kMigrations.back().version;
    if (current > latest) {
        throw SqliteError(SQLITE_ERROR,
                          fmt::format("the database has schema version {} but this parley knows only up to {}: "
                                      "it was written by a newer version",
                                      current, latest));
    }
    for (const Migration& migration : kMigrations) {
        if (migration.version <= current) {
            continue;
        }
        connection.exec(migration.sql);
        auto record = connection.cached("INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)");
        record->bind_int64(1, migration.version);
        record->bind_int64(2, now_ms());
        record->run();
    }
    transaction.commit();
    return latest;
}

}  // namespace parley::storage
