#pragma once

#include <type_traits>

#include <boost/system/error_code.hpp>

namespace parley::storage {

// Expected storage failures, carried as boost::system::error_code values of
// the "parley.storage" category.
enum class StoreErrc {
    not_found = 1,     // no such session (or another tenant's), message or cursor target
    duplicate_id,      // a session, message or todo id that already exists
    duplicate_seq,     // a message with this (session_id, seq) already exists
    invalid_query,     // a malformed full-text search query: a client error
    invalid_cursor,    // the pagination cursor names no session of this tenant
    invalid_argument,  // a value the schema rejects (status, role, seq <= 0, empty id)
    queue_full,        // the writer's bounded queue is full: back off and retry
    busy,              // the database stayed busy or locked after the retries
    closed,            // the store is shutting down or shut down
    internal,          // any other database failure (logged)
};

[[nodiscard]] const boost::system::error_category& store_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(StoreErrc e) noexcept {
    return {static_cast<int>(e), store_category()};
}

}  // namespace parley::storage

template <>
struct boost::system::is_error_code_enum<parley::storage::StoreErrc> : std::true_type {};
