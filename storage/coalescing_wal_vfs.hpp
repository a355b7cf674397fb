#pragma once

#include <cstdint>

namespace parley::storage {

// A SQLite VFS over the platform's default one that writes each transaction's
// WAL frames to the file in as few system calls as it can (one per 31
// frames) instead of two per frame.
//
// SQLite appends a frame as two writes, its 24-byte header and its page, so a
// commit of 12 pages costs 24 pwrite calls, and with synchronous=NORMAL no
// fsync follows to amortise them. Here a WAL file's appends are held in a
// buffer and written at once when the commit frame's page arrives, before
// SQLite publishes the commit to readers: a reader can never be told of a
// frame that is not in the file yet. The buffer is also written before any
// read, sync, size query or truncation of the WAL, before a write that is not
// an append (SQLite rewrites frames of its open transaction in place), when it
// exceeds its bound, and on close. Other files (the database, its shared
// memory) are the default VFS's own, untouched.
//
// A crash while frames are only in the buffer is a crash before the commit
// frame was written: SQLite's recovery discards such a transaction either way.

// The VFS's name for sqlite3_open_v2, registered (not as the default) on the
// first call; thread-safe.
[[nodiscard]] const char* coalescing_wal_vfs();

// Process-wide counts of WAL writes, to show (and test) the coalescing.
struct WalWriteCounts {
    std::uint64_t requested = 0;  // writes SQLite asked for
    std::uint64_t issued = 0;     // writes passed to the default VFS
};
[[nodiscard]] WalWriteCounts wal_write_counts() noexcept;

}  // namespace parley::storage
