#include "storage/savepoint.hpp"

namespace parley::storage {

// Savepoints nest by name on a stack, so one name serves every level.
Savepoint::Savepoint(Connection& connection) : connection_(connection) {
    connection_.cached("SAVEPOINT parley_op")->run();
}

Savepoint::~Savepoint() {
    rollback();
}

void Savepoint::release() {
    connection_.cached("RELEASE parley_op")->run();
    open_ = false;
}

void Savepoint::rollback() noexcept {
    if (!open_) {
        return;
    }
    open_ = false;
    if (!connection_.in_transaction()) {
        return;
    }
    try {
        connection_.cached("ROLLBACK TO parley_op")->run();
        connection_.cached("RELEASE parley_op")->run();
    } catch (...) {  // NOLINT(bugprone-empty-catch): the enclosing transaction's rollback undoes it
    }
}

}  // namespace parley::storage
