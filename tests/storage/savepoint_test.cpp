#include "storage/savepoint.hpp"

#include <catch2/catch.hpp>

#include "storage/transaction.hpp"
#include "temp_dir.hpp"

using namespace parley::storage;
using parley::storage::test::TempDir;

TEST_CASE("a savepoint undoes only its own work", "[storage]") {
    TempDir dir;
    Connection db(dir.file("db"), ConnectionRole::writer, SyncMode::normal, 100);
    db.exec("CREATE TABLE t (v INTEGER)");
    Transaction transaction(db, TransactionMode::immediate);
    db.exec("INSERT INTO t VALUES (1)");
    {
        Savepoint kept(db);
        db.exec("INSERT INTO t VALUES (2)");
        kept.release();
    }
    {
        Savepoint undone(db);
        db.exec("INSERT INTO t VALUES (3)");
        {
            Savepoint nested(db);
            db.exec("INSERT INTO t VALUES (4)");
            nested.release();
        }
    }
    CHECK(db.in_transaction());
    transaction.commit();
    CHECK(db.query_int64("SELECT count(*) FROM t") == 2);
    CHECK(db.query_int64("SELECT sum(v) FROM t") == 3);
}
