#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace parley::storage {

// One prepared statement, finalized on destruction. Bind indexes and column
// indexes are SQLite's: binds from 1, columns from 0. Failures throw SqliteError.
class Statement {
public:
    Statement(sqlite3* db, std::string_view sql, bool persistent);

    void bind_int64(int index, std::int64_t value);
    void bind_text(int index, std::string_view value);
    void bind_optional_text(int index, const std::optional<std::string>& value);
    void bind_null(int index);

    // Runs to the next row: true when a row is available, false when done.
    bool step();
    // Steps until done (statements without result rows).
    void run();
    // Makes the statement reusable and releases its read snapshot.
    void reset() noexcept;
    void clear_bindings() noexcept;

    [[nodiscard]] std::int64_t column_int64(int index) const;
    [[nodiscard]] std::string column_text(int index) const;
    [[nodiscard]] std::optional<std::string> column_optional_text(int index) const;
    [[nodiscard]] bool column_is_null(int index) const;
    [[nodiscard]] int column_count() const;

private:
    struct Finalizer {
        void operator()(sqlite3_stmt* stmt) const noexcept;
    };

    [[noreturn]] void fail(int code) const;

    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

}  // namespace parley::storage
