#pragma once

#include "storage/connection.hpp"

namespace parley::storage {

// Indexes, in the FTS5 table messages_fts, every message recorded in
// messages_fts_pending by the insert and update triggers (migration 3), and
// empties that table. Call it inside the write transaction, after the last
// write to messages and before COMMIT: the BatchWriter of a SqliteStore does
// so for every batch, and anything else that writes messages directly (a
// bulk load, a benchmark) must do the same to keep search in sync. Throws
// SqliteError.
void index_pending_messages(Connection& connection);

}  // namespace parley::storage
