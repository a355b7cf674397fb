#include "storage/transaction.hpp"

#include <catch2/catch.hpp>

#include "temp_dir.hpp"

using namespace parley::storage;
using parley::storage::test::TempDir;

TEST_CASE("a transaction commits or rolls back on destruction", "[storage]") {
    TempDir dir;
    Connection db(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    db.exec("CREATE TABLE t (v INTEGER)");
    {
        Transaction transaction(db, TransactionMode::immediate);
        db.exec("INSERT INTO t VALUES (1)");
        CHECK(db.in_transaction());
        transaction.commit();
    }
    CHECK_FALSE(db.in_transaction());
    {
        Transaction transaction(db, TransactionMode::immediate);
        db.exec("INSERT INTO t VALUES (2)");
    }
    CHECK_FALSE(db.in_transaction());
    CHECK(db.query_int64("SELECT count(*) FROM t") == 1);
}

TEST_CASE("a deferred transaction gives readers one snapshot", "[storage]") {
    TempDir dir;
    Connection writer(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    writer.exec("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)");
    Connection reader(dir.file("db"), ConnectionRole::reader, SyncMode::normal, 100);
    {
        Transaction snapshot(reader, TransactionMode::deferred);
        CHECK(reader.query_int64("SELECT count(*) FROM t") == 1);
        writer.exec("INSERT INTO t VALUES (2)");
        CHECK(reader.query_int64("SELECT count(*) FROM t") == 1);
        snapshot.commit();
    }
    CHECK(reader.query_int64("SELECT count(*) FROM t") == 2);
}
