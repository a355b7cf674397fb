#include "storage/transaction.hpp"

namespace parley::storage {

Transaction::Transaction(Connection& connection, TransactionMode mode) : connection_(connection) {
    connection_.cached(mode == TransactionMode::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")->run();
}

Transaction::~Transaction() {
    rollback();
}

void Transaction::commit() {
    connection_.cached("COMMIT")->run();
    open_ = false;
}

void Transaction::rollback() noexcept {
    if (!open_) {
        return;
    }
    open_ = false;
    // SQLite may already have rolled back (e.g. after SQLITE_FULL); then there is nothing to do.
    if (!connection_.in_transaction()) {
        return;
    }
    try {
        connection_.cached("ROLLBACK")->run();
    } catch (...) {  // NOLINT(bugprone-empty-catch): a failed ROLLBACK leaves nothing to undo here
    }
}

}  // namespace parley::storage
