#pragma once

#include <stdexcept>
#include <string>

#include <boost/system/error_code.hpp>

namespace parley::storage {

// A failed SQLite call. Thrown by the RAII wrappers and turned into a
// StoreErrc value at the boundary of every store operation (to_error_code).
class SqliteError : public std::runtime_error {
public:
    SqliteError(int extended_code, const std::string& message);

    [[nodiscard]] int extended_code() const noexcept { return code_; }
    [[nodiscard]] int primary_code() const noexcept { return code_ & kPrimaryMask; }
    // SQLITE_BUSY or SQLITE_LOCKED: worth retrying after a pause.
    [[nodiscard]] bool is_busy() const noexcept;
    // The StoreErrc this failure means to a caller.
    [[nodiscard]] boost::system::error_code to_error_code() const noexcept;

private:
    static constexpr int kPrimaryMask = 0xff;
    int code_;
};

}  // namespace parley::storage
