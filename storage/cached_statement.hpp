#pragma once

#include "storage/statement.hpp"

namespace parley::storage {

// A lease on one of a connection's cached statements. Releasing it resets the
// statement and clears its bindings, so a cached statement never keeps a read
// snapshot open (a later read on the connection then sees every commit).
class CachedStatement {
public:
    explicit CachedStatement(Statement& statement) noexcept : statement_(&statement) {}
    ~CachedStatement();

    CachedStatement(CachedStatement&& other) noexcept : statement_(other.statement_) { other.statement_ = nullptr; }
    CachedStatement& operator=(CachedStatement&&) = delete;
    CachedStatement(const CachedStatement&) = delete;
    CachedStatement& operator=(const CachedStatement&) = delete;

    Statement* operator->() const noexcept { return statement_; }
    Statement& operator*() const noexcept { return *statement_; }

private:
    Statement* statement_;
};

}  // namespace parley::storage
