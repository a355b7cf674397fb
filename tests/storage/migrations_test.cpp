#include "storage/migrations.hpp"

#include <catch2/catch.hpp>

#include "storage/search_index.hpp"
#include "storage/sqlite_error.hpp"
#include "temp_dir.hpp"

using namespace parley::storage;
using parley::storage::test::TempDir;

namespace {

std::int64_t count_objects(Connection& db, const char* name) {
    auto select = db.cached("SELECT count(*) FROM sqlite_schema WHERE name = ?1");
    select->bind_text(1, name);
    select->step();
    return select->column_int64(0);
}

}  // namespace

TEST_CASE("migrations are numbered from 1 without gaps", "[storage]") {
    int expected = 1;
    for (const Migration& migration : migrations()) {
        CHECK(migration.version == expected++);
        CHECK_FALSE(migration.sql.empty());
    }
}

TEST_CASE("migrations build the schema from empty and re-run as a no-op", "[storage]") {
    TempDir dir;
    const int latest = migrations().back().version;
    {
        Connection db(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
        CHECK(schema_version(db) == 0);
        CHECK(apply_migrations(db) == latest);
        CHECK(schema_version(db) == latest);
        for (const char* name : {"sessions", "messages", "todos", "messages_fts", "messages_fts_pending",
                                 "schema_version", "sessions_by_tenant_updated", "messages_by_session_seq",
                                 "messages_fts_insert", "messages_fts_delete", "messages_fts_update"}) {
            INFO(name);
            CHECK(count_objects(db, name) == 1);
        }
        CHECK(db.query_int64("SELECT count(*) FROM schema_version") == latest);
        db.exec("INSERT INTO sessions (id, tenant, agent, created_at, updated_at) VALUES ('s', 't', 'a', 1, 1)");
    }
    Connection db(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    const std::int64_t objects = db.query_int64("SELECT count(*) FROM sqlite_schema");
    CHECK(apply_migrations(db) == latest);
    CHECK(apply_migrations(db) == latest);
    CHECK(db.query_int64("SELECT count(*) FROM schema_version") == latest);
    CHECK(db.query_int64("SELECT count(*) FROM sqlite_schema") == objects);
    CHECK(db.query_int64("SELECT count(*) FROM sessions") == 1);
}

TEST_CASE("a version 1 database migrates to the latest, keeping its rows", "[storage]") {
    TempDir dir;
    {
        // A database as the first release left it: only migration 1 applied.
        Connection db(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
        db.exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL)");
        db.exec(migrations()[0].sql);
        db.exec("INSERT INTO schema_version (version, applied_at) VALUES (1, 0)");
        db.exec(
            "INSERT INTO sessions (id, tenant, agent, created_at, updated_at, last_seq)"
            " VALUES ('s', 't', 'a', 1, 1, 7)");
        // Indexed by version 1's per-row trigger.
        db.exec(
            "INSERT INTO messages (id, session_id, seq, role, content, status, created_at)"
            " VALUES ('m1', 's', 1, 'user', 'kept words', 'complete', 1),"
            " ('m2', 's', 2, 'user', 'removed words', 'complete', 1)");
        REQUIRE(schema_version(db) == 1);
    }
    Connection db(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    const int latest = migrations().back().version;
    CHECK(apply_migrations(db) == latest);
    CHECK(schema_version(db) == latest);
    CHECK(db.query_int64("SELECT count(*) FROM schema_version") == latest);
    CHECK(db.query_int64("SELECT last_seq FROM sessions WHERE id = 's'") == 7);
    CHECK(db.query_int64("SELECT seq_reserved FROM sessions WHERE id = 's'") == 0);
    db.exec("INSERT INTO sessions (id, tenant, agent, created_at, updated_at) VALUES ('u', 't', 'a', 1, 1)");
    CHECK(db.query_int64("SELECT seq_reserved FROM sessions WHERE id = 'u'") == 0);
    // Rows indexed before version 3 are still found, and deleting one removes it from the index.
    db.exec("DELETE FROM messages WHERE id = 'm2'");
    db.exec(
        "INSERT INTO messages (id, session_id, seq, role, content, status, created_at)"
        " VALUES ('m3', 's', 3, 'user', 'new words', 'complete', 1)");
    index_pending_messages(db);
    CHECK(db.query_int64("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'words'") == 2);
    CHECK(db.query_int64("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'removed'") == 0);
    CHECK(db.query_int64("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'kept'") == 1);
    CHECK(db.query_int64("SELECT count(*) FROM messages_fts_pending") == 0);
}

TEST_CASE("the session list query uses its index", "[storage]") {
    TempDir dir;
    Connection db(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    apply_migrations(db);
    auto plan = db.prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM sessions WHERE tenant = 't' ORDER BY updated_at DESC, id DESC LIMIT 5");
    std::string details;
    while (plan.step()) {
        details += plan.column_text(3) + "\n";
    }
    CHECK_THAT(details, Catch::Contains("sessions_by_tenant_updated"));
    CHECK_THAT(details, !Catch::Contains("TEMP B-TREE"));
}

TEST_CASE("a database from a newer parley is refused", "[storage]") {
    TempDir dir;
    Connection db(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    apply_migrations(db);
    db.exec("INSERT INTO schema_version (version, applied_at) VALUES (999, 0)");
    CHECK_THROWS_AS(apply_migrations(db), SqliteError);
    CHECK_FALSE(db.in_transaction());
}
