#pragma once

#include "storage/connection.hpp"

namespace parley::storage {

enum class TransactionMode {
    deferred,   // readers: one snapshot for several statements
    immediate,  // the writer: takes the write lock at BEGIN
};

// BEGIN on construction; ROLLBACK on destruction unless committed.
class Transaction {
public:
    Transaction(Connection& connection, TransactionMode mode);
    ~Transaction();

    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Transaction(Transaction&&) = delete;
    Transaction& operator=(Transaction&&) = delete;

    // Throws SqliteError; the transaction stays open (and rolls back on
    // destruction) if COMMIT fails, so a busy COMMIT can be retried.
    void commit();
    void rollback() noexcept;

private:
    Connection& connection_;
    bool open_ = true;
};

}  // namespace parley::storage
