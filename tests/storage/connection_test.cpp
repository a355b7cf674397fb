#include "storage/connection.hpp"

#include <catch2/catch.hpp>

#include "storage/sqlite_error.hpp"
#include "temp_dir.hpp"

using parley::storage::Connection;
using parley::storage::ConnectionRole;
using parley::storage::SqliteError;
using parley::storage::SyncMode;
using parley::storage::test::TempDir;

TEST_CASE("writer connection applies the pragmas", "[storage]") {
    TempDir dir;
    SECTION("synchronous normal") {
        Connection writer(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 1234);
        CHECK(writer.query_text("PRAGMA journal_mode") == "wal");
        CHECK(writer.query_int64("PRAGMA synchronous") == 1);
        CHECK(writer.query_int64("PRAGMA foreign_keys") == 1);
        CHECK(writer.query_int64("PRAGMA busy_timeout") == 1234);
        CHECK(writer.query_int64("PRAGMA query_only") == 0);
        // The writer reads pages through the mapping too (FTS5 merges, B-tree descents).
        CHECK(writer.query_int64("PRAGMA mmap_size") == std::int64_t{256} << 20);
    }
    SECTION("synchronous full") {
        Connection writer(dir.file("db"), ConnectionRole::writer, SyncMode::full, 5000);
        CHECK(writer.query_int64("PRAGMA synchronous") == 2);
    }
}

TEST_CASE("reader connection is query_only and needs an existing database", "[storage]") {
    TempDir dir;
    CHECK_THROWS_AS(Connection(dir.file("missing"), ConnectionRole::reader, SyncMode::normal, 100), SqliteError);

    Connection writer(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    writer.exec("CREATE TABLE t (v INTEGER)");
    Connection reader(dir.file("db"), ConnectionRole::reader, SyncMode::normal, 100);
    CHECK(reader.query_int64("PRAGMA query_only") == 1);
    CHECK(reader.query_int64("PRAGMA foreign_keys") == 1);
    CHECK(reader.query_int64("PRAGMA mmap_size") == std::int64_t{256} << 20);
    CHECK_THROWS_AS(reader.exec("INSERT INTO t VALUES (1)"), SqliteError);
}

TEST_CASE("cached statements are reused and reset so reads see later commits", "[storage]") {
    TempDir dir;
    Connection writer(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    writer.exec("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2)");
    Connection reader(dir.file("db"), ConnectionRole::reader, SyncMode::normal, 100);

    const parley::storage::Statement* first = nullptr;
    {
        auto select = reader.cached("SELECT v FROM t ORDER BY v");
        first = &*select;
        REQUIRE(select->step());  // stops mid-result: the lease's end must reset it
        CHECK(select->column_int64(0) == 1);
    }
    CHECK_FALSE(reader.in_transaction());
    writer.exec("INSERT INTO t VALUES (3)");
    auto count = reader.cached("SELECT count(*) FROM t");
    REQUIRE(count->step());
    CHECK(count->column_int64(0) == 3);

    auto again = reader.cached("SELECT v FROM t ORDER BY v");
    CHECK(&*again == first);
}

TEST_CASE("exec reports errors as SqliteError with the SQLite code", "[storage]") {
    TempDir dir;
    Connection writer(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    try {
        writer.exec("SELEKT 1");
        FAIL("no exception");
    } catch (const SqliteError& error) {
        CHECK(error.primary_code() == 1);  // SQLITE_ERROR
        CHECK_THAT(error.what(), Catch::Contains("syntax error"));
    }
}
