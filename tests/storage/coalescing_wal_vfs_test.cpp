#include "storage/coalescing_wal_vfs.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "storage/connection.hpp"
#include "temp_dir.hpp"

using parley::storage::Connection;
using parley::storage::ConnectionRole;
using parley::storage::SyncMode;
using parley::storage::wal_write_counts;
using parley::storage::test::TempDir;

namespace {

// What a crash would leave: the database and its WAL as they are on disk now,
// without the shared-memory index, so opening the copy rebuilds that index
// from the WAL's frames alone.
std::string copy_of_files_on_disk(const TempDir& dir, const std::string& name) {
    const std::string copy = dir.file("copy-of-" + name);
    std::filesystem::copy_file(dir.file(name), copy);
    std::filesystem::copy_file(dir.file(name + "-wal"), copy + "-wal");
    return copy;
}

// Opening that copy recovers exactly the committed rows, intact.
void check_copy_recovers(const TempDir& dir, std::int64_t rows) {
    Connection copy(copy_of_files_on_disk(dir, "db"), ConnectionRole::writer, SyncMode::normal, 100);
    CHECK(copy.query_int64("SELECT count(*) FROM t") == rows);
    CHECK(copy.query_text("PRAGMA integrity_check") == "ok");
}

void insert_rows(Connection& db, int count, int bytes) {
    for (int i = 0; i < count; ++i) {
        db.exec("INSERT INTO t (payload) VALUES (randomblob(" + std::to_string(bytes) + "))");
    }
}

}  // namespace

TEST_CASE("a commit's WAL frames reach the file in one write, before readers see the commit", "[storage]") {
    TempDir dir;
    Connection writer(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB); CREATE INDEX t_payload ON t (payload)");
    Connection reader(dir.file("db"), ConnectionRole::reader, SyncMode::normal, 100);

    constexpr int kCommits = 20;
    const auto before = wal_write_counts();
    for (int i = 1; i <= kCommits; ++i) {
        writer.exec("BEGIN IMMEDIATE");
        insert_rows(writer, 1, 100);
        writer.exec("COMMIT");
        CHECK(reader.query_int64("SELECT count(*) FROM t") == i);
    }
    const auto after = wal_write_counts();
    // Each commit changes the table's and the index's leaf: two frames of two writes each.
    CHECK(after.requested - before.requested >= 4 * kCommits);
    CHECK(after.issued - before.issued == kCommits);

    check_copy_recovers(dir, kCommits);
}

TEST_CASE("transactions larger than the page cache and the write buffer, rolled back or committed", "[storage]") {
    TempDir dir;
    Connection writer(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)");
    // A small cache makes SQLite spill frames into the WAL mid-transaction,
    // read them back, and rewrite some in place; 3 MiB of rows exceed the
    // coalescing buffer's bound many times.
    writer.exec("PRAGMA cache_size = 20");
    Connection reader(dir.file("db"), ConnectionRole::reader, SyncMode::normal, 100);

    SECTION("rolled back after spilling, then a small commit over the spilled frames") {
        writer.exec("BEGIN IMMEDIATE");
        insert_rows(writer, 3000, 1000);
        CHECK(writer.query_int64("SELECT count(*) FROM t") == 3000);
        writer.exec("ROLLBACK");
        writer.exec("BEGIN IMMEDIATE");
        insert_rows(writer, 1, 1000);
        writer.exec("COMMIT");
        CHECK(reader.query_int64("SELECT count(*) FROM t") == 1);
        check_copy_recovers(dir, 1);
    }

    SECTION("committed with a savepoint rolled back inside, across a checkpoint") {
        writer.exec("BEGIN IMMEDIATE");
        insert_rows(writer, 2000, 1000);
        writer.exec("SAVEPOINT inner");
        insert_rows(writer, 1000, 1000);
        writer.exec("ROLLBACK TO inner");
        writer.exec("RELEASE inner");
        CHECK(writer.query_int64("SELECT sum(length(payload)) FROM t") == 2000 * 1000);
        writer.exec("COMMIT");
        CHECK(reader.query_int64("SELECT count(*) FROM t") == 2000);

        // The WAL truncated to nothing, then restarted by the next commit.
        CHECK(writer.query_int64("PRAGMA wal_checkpoint(TRUNCATE)") == 0);
        writer.exec("BEGIN IMMEDIATE");
        insert_rows(writer, 10, 1000);
        writer.exec("COMMIT");
        CHECK(reader.query_int64("SELECT count(*) FROM t") == 2010);
        check_copy_recovers(dir, 2010);
    }
}

TEST_CASE("synchronous FULL commits through the coalescing VFS", "[storage]") {
    TempDir dir;
    Connection writer(dir.file("db"), ConnectionRole::writer, SyncMode::full, 100);
    writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)");
    for (int i = 0; i < 5; ++i) {
        writer.exec("BEGIN IMMEDIATE");
        insert_rows(writer, 3, 500);
        writer.exec("COMMIT");
    }
    check_copy_recovers(dir, 15);
}

TEST_CASE("a commit frame whose page no longer fits in the write buffer still reaches the file", "[storage]") {
    TempDir dir;
    Connection writer(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)");
    writer.exec("PRAGMA wal_autocheckpoint = 0");  // frames accumulate: every size lands at every buffer position
    Connection reader(dir.file("db"), ConnectionRole::reader, SyncMode::normal, 100);
    // A 3,000-byte row fills a page of its own, so a transaction of k rows
    // writes about k + 2 frames: k = 1..80 covers commits of every length
    // through 2.5 buffers (31 frames each), the commit frame at each end.
    std::int64_t rows = 0;
    for (int k = 1; k <= 80; ++k) {
        writer.exec("BEGIN IMMEDIATE");
        insert_rows(writer, k, 3000);
        writer.exec("COMMIT");
        rows += k;
        REQUIRE(reader.query_int64("SELECT count(*) FROM t") == rows);
        REQUIRE(reader.query_int64("SELECT sum(length(payload)) FROM t") == rows * 3000);
    }
    check_copy_recovers(dir, rows);
}
