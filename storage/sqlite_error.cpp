#include "storage/sqlite_error.hpp"

#include <sqlite3.h>

#include "storage/store_errc.hpp"

namespace parley::storage {

SqliteError::SqliteError(int extended_code, const std::string& message)
    : std::runtime_error(message), code_(extended_code) {}

bool SqliteError::is_busy() const noexcept {
    return primary_code() == SQLITE_BUSY || primary_code() == SQLITE_LOCKED;
}

boost::system::error_code SqliteError::to_error_code() const noexcept {
    switch (code_) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY: return StoreErrc::duplicate_id;
        case SQLITE_CONSTRAINT_FOREIGNKEY: return StoreErrc::not_found;
        case SQLITE_CONSTRAINT_CHECK:
        case SQLITE_CONSTRAINT_NOTNULL: return StoreErrc::invalid_argument;
        default: break;
    }
    if (is_busy()) {
        return StoreErrc::busy;
    }
    return StoreErrc::internal;
}

}  // namespace parley::storage
