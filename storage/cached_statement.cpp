#include "storage/cached_statement.hpp"

namespace parley::storage {

CachedStatement::~CachedStatement() {
    if (statement_ != nullptr) {
        statement_->reset();
        statement_->clear_bindings();
    }
}

}  // namespace parley::storage
