#pragma once

#include <span>
#include <string_view>

#include "storage/connection.hpp"

namespace parley::storage {

struct Migration {
    int version;           // 1, 2, 3, ... in order, never renumbered
    std::string_view sql;  // statements applied as one step
};

// Every migration the code knows, in version order. Never edit a released
// one: append a new version instead.
[[nodiscard]] std::span<const Migration> migrations() noexcept;

// Brings the schema up to the latest version in one IMMEDIATE transaction and
// records each applied version in schema_version. Idempotent: a database
// already at the latest version is left untouched. Returns the schema version.
// Throws SqliteError on failure, and when the database was written by a newer
// parley (a version this code does not know): start-up must fail.
int apply_migrations(Connection& connection);

// The highest recorded version, 0 for an empty database.
[[nodiscard]] int schema_version(Connection& connection);

}  // namespace parley::storage
