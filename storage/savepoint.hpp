#pragma once

#include "storage/connection.hpp"

namespace parley::storage {

// SAVEPOINT on construction; on destruction, unless released, rolls back to it
// and releases it: the work done since is undone, the enclosing transaction
// stays open. The writer runs each operation of a batch inside one, so a
// failing operation fails only itself.
class Savepoint {
public:
    explicit Savepoint(Connection& connection);
    ~Savepoint();

    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    Savepoint(Savepoint&&) = delete;
    Savepoint& operator=(Savepoint&&) = delete;

    // Keeps the work (it commits with the enclosing transaction).
    void release();
    void rollback() noexcept;

private:
    Connection& connection_;
    bool open_ = true;
};

}  // namespace parley::storage
