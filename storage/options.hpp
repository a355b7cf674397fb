#pragma once

#include <string>

// What storage needs from the configuration; the daemon maps core's
// StorageConfig onto it so that storage does not depend on core/.
namespace parley::storage {

// PRAGMA synchronous in WAL mode. normal: a commit is durable once the WAL is
// synced at the next checkpoint; a power loss may lose the last commits but
// never corrupts. full: every commit fsyncs the WAL (docs/storage.md).
enum class SyncMode { normal, full };

struct Options {
    // A file path or an SQLite URI ("file:..."). ":memory:" gives a private,
    // ephemeral database (a temporary file removed on close) that the writer
    // and every reader share with the same WAL semantics as a real file.
    std::string path = "parley.db";
    unsigned batch_max_ops = 50;  // operations per committed transaction at most
    unsigned batch_max_delay_ms =
        100;                      // under load, how long a batch may wait to fill (an idle writer commits at once)
    unsigned read_pool_size = 5;  // read-only connections, one thread each
    SyncMode synchronous = SyncMode::normal;
    unsigned busy_timeout_ms = 5000;         // PRAGMA busy_timeout on every connection
    unsigned writer_queue_capacity = 10000;  // operations waiting for the writer; more fail with queue_full
    // PRAGMA wal_autocheckpoint of the writer: checkpoint (copy the WAL back
    // into the database file, and fsync both) once the WAL holds this many
    // pages. 10x SQLite's 1000: a page written by many commits is copied back
    // once per checkpoint, and checkpoints (two fsyncs each) come 10x less
    // often; the WAL grows to ~40 MiB (4 KiB pages) between them
    // (docs/storage.md, "Checkpoints").
    unsigned wal_autocheckpoint_pages = 10000;
};

}  // namespace parley::storage
