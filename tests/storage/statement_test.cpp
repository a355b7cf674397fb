#include "storage/statement.hpp"

#include <catch2/catch.hpp>

#include "storage/connection.hpp"
#include "storage/sqlite_error.hpp"
#include "storage/store_errc.hpp"
#include "temp_dir.hpp"

using parley::storage::Connection;
using parley::storage::ConnectionRole;
using parley::storage::SqliteError;
using parley::storage::StoreErrc;
using parley::storage::SyncMode;
using parley::storage::test::TempDir;

TEST_CASE("statements bind and read values", "[storage]") {
    TempDir dir;
    Connection db(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    db.exec("CREATE TABLE t (i INTEGER, s TEXT, o TEXT)");
    {
        auto insert = db.cached("INSERT INTO t VALUES (?1, ?2, ?3)");
        insert->bind_int64(1, 9'000'000'000);
        insert->bind_text(2, std::string_view("a\0b", 3));
        insert->bind_optional_text(3, std::nullopt);
        insert->run();
    }
    auto select = db.prepare("SELECT i, s, o FROM t");
    REQUIRE(select.step());
    CHECK(select.column_count() == 3);
    CHECK(select.column_int64(0) == 9'000'000'000);
    CHECK(select.column_text(1) == std::string("a\0b", 3));
    CHECK(select.column_is_null(2));
    CHECK_FALSE(select.column_optional_text(2).has_value());
    CHECK_FALSE(select.step());
}

TEST_CASE("statement failures carry extended codes mapped to StoreErrc", "[storage]") {
    TempDir dir;
    Connection db(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    db.exec(
        "CREATE TABLE p (id TEXT PRIMARY KEY);"
        "CREATE TABLE c (p TEXT REFERENCES p (id), n INTEGER CHECK (n > 0), u TEXT UNIQUE)");
    db.exec("INSERT INTO p VALUES ('x'); INSERT INTO c VALUES ('x', 1, 'u')");

    auto failure = [&](const char* sql) {
        try {
            db.exec(sql);
        } catch (const SqliteError& error) {
            return error.to_error_code();
        }
        return boost::system::error_code{};
    };
    CHECK(failure("INSERT INTO p VALUES ('x')") == StoreErrc::duplicate_id);
    CHECK(failure("INSERT INTO c VALUES ('x', 1, 'u')") == StoreErrc::duplicate_id);
    CHECK(failure("INSERT INTO c VALUES ('nope', 1, 'v')") == StoreErrc::not_found);
    CHECK(failure("INSERT INTO c VALUES ('x', 0, 'w')") == StoreErrc::invalid_argument);
    CHECK(failure("SELECT * FROM nothing") == StoreErrc::internal);
    CHECK_THROWS_AS(db.prepare("INSERT INTO"), SqliteError);
}
