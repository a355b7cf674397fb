#pragma once

#include "storage/connection.hpp"

namespace parley::storage {

// Indexes, in the FTS5 table messages_fts, every message recorded in
// messages_fts_pending by the insert and update triggers (migration 3), and
// empties that table, inside the caller's write transaction. The BatchWriter
// of a SqliteStore runs it as its upkeep: in a batch's transaction when more
// writes wait, otherwise in a transaction of its own right after the batch;
// SqliteStore::search has the writer run it first when it finds messages not
// yet indexed, and opening a store indexes what was left. Anything else that
// writes messages directly (a bulk load, a benchmark) should call it too, or
// leave the work to the next store that opens the file. Throws SqliteError.
void index_pending_messages(Connection& connection);

}  // namespace parley::storage
