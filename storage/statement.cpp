#include "storage/statement.hpp"

#include <sqlite3.h>
#include <cassert>

#include "storage/sqlite_error.hpp"

namespace parley::storage {

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const noexcept {
    sqlite3_finalize(stmt);
}

Statement::Statement(sqlite3* db, std::string_view sql, bool persistent) : db_(db) {
    sqlite3_stmt* raw = nullptr;
    const unsigned flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0U;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &raw, nullptr);
    stmt_.reset(raw);
    if (rc != SQLITE_OK) {
        throw SqliteError(sqlite3_extended_errcode(db_), std::string(sqlite3_errmsg(db_)) + " in: " + std::string(sql));
    }
    assert(stmt_ && "an empty SQL string is a programming error");
}

void Statement::fail(int code) const {
    throw SqliteError(code, sqlite3_errstr(code));
}

void Statement::bind_int64(int index, std::int64_t value) {
    if (const int rc = sqlite3_bind_int64(stmt_.get(), index, value); rc != SQLITE_OK) {
        fail(rc);
    }
}

void Statement::bind_text(int index, std::string_view value) {
    const int rc = sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) {
        fail(rc);
    }
}

void Statement::bind_optional_text(int index, const std::optional<std::string>& value) {
    if (value) {
        bind_text(index, *value);
    } else {
        bind_null(index);
    }
}

void Statement::bind_null(int index) {
    if (const int rc = sqlite3_bind_null(stmt_.get(), index); rc != SQLITE_OK) {
        fail(rc);
    }
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    // Read the error before reset() overwrites it.
    SqliteError error(sqlite3_extended_errcode(db_), sqlite3_errmsg(db_));
    sqlite3_reset(stmt_.get());
    throw error;
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() noexcept {
    sqlite3_reset(stmt_.get());
}

void Statement::clear_bindings() noexcept {
    sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::column_int64(int index) const {
    return sqlite3_column_int64(stmt_.get(), index);
}

std::string Statement::column_text(int index) const {
    const auto* text = sqlite3_column_text(stmt_.get(), index);
    const int size = sqlite3_column_bytes(stmt_.get(), index);
    if (text == nullptr) {
        return {};
    }
    return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::optional<std::string> Statement::column_optional_text(int index) const {
    if (column_is_null(index)) {
        return std::nullopt;
    }
    return column_text(index);
}

bool Statement::column_is_null(int index) const {
    return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

int Statement::column_count() const {
    return sqlite3_column_count(stmt_.get());
}

}  // namespace parley::storage
