#include "storage/search_index.hpp"

namespace parley::storage {

void index_pending_messages(Connection& connection) {
    auto index = connection.cached(
        "INSERT INTO messages_fts (rowid, content)"
        " SELECT m.pk, m.content FROM messages_fts_pending AS p JOIN messages AS m ON m.pk = p.pk");
    index->run();
    if (connection.changes() == 0) {
        return;
    }
    auto clear = connection.cached("DELETE FROM messages_fts_pending");
    clear->run();
}

}  // namespace parley::storage
