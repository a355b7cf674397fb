#include "core/turn_log.hpp"

#include "storage/store.hpp"
#include "storage/timestamp.hpp"

namespace parley::core {

boost::asio::awaitable<storage::Result<storage::Message>> StoredTurnLog::append(storage::Message message) {
    co_return co_await store_.append_message(std::move(message));
}

boost::asio::awaitable<storage::Result<void>> StoredTurnLog::reserve_seq(std::string session_id, std::int64_t up_to) {
    co_return co_await store_.reserve_seq(std::move(session_id), up_to);
}

boost::asio::awaitable<storage::Result<storage::Message>> EphemeralTurnLog::append(storage::Message message) {
    if (message.created_at == 0) {
        message.created_at = storage::system_now_ms();
    }
    co_return message;
}

boost::asio::awaitable<storage::Result<void>> EphemeralTurnLog::reserve_seq(std::string /*session_id*/,
                                                                            std::int64_t /*up_to*/) {
    co_return storage::Result<void>{};
}

}  // namespace parley::core
