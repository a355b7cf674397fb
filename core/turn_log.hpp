#pragma once

#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "storage/records.hpp"
#include "storage/result.hpp"

namespace parley::storage {
class Store;
}  // namespace parley::storage

namespace parley::core {

// Where a turn keeps what it produces. A session's turn stores every message
// and reserves seqs in the Store (StoredTurnLog); a stateless chat completion
// keeps its messages in memory only (EphemeralTurnLog). The agent loop in
// core/turn.cpp is the same for both.
class TurnLog {
public:
    TurnLog() = default;
    virtual ~TurnLog() = default;
    TurnLog(const TurnLog&) = delete;
    TurnLog& operator=(const TurnLog&) = delete;
    TurnLog(TurnLog&&) = delete;
    TurnLog& operator=(TurnLog&&) = delete;

    // Keeps a message (its seq already assigned); returns it as kept.
    virtual boost::asio::awaitable<storage::Result<storage::Message>> append(storage::Message message) = 0;
    // Records seqs up to `up_to` as possibly used (crash safety of the session's counter).
    virtual boost::asio::awaitable<storage::Result<void>> reserve_seq(std::string session_id, std::int64_t up_to) = 0;
    // Where tools persist their state (the todo list); null keeps it in memory.
    [[nodiscard]] virtual storage::Store* store() const = 0;
    // True when messages outlive the turn (a session's): only then are seqs reserved.
    [[nodiscard]] virtual bool stores() const = 0;
};

// A session's turns: everything goes to the Store.
class StoredTurnLog final : public TurnLog {
public:
    explicit StoredTurnLog(storage::Store& store) : store_(store) {}

    boost::asio::awaitable<storage::Result<storage::Message>> append(storage::Message message) override;
    boost::asio::awaitable<storage::Result<void>> reserve_seq(std::string session_id, std::int64_t up_to) override;
    [[nodiscard]] storage::Store* store() const override { return &store_; }
    [[nodiscard]] bool stores() const override { return true; }

private:
    storage::Store& store_;
};

// A stateless turn: nothing is stored; messages only get their creation time.
class EphemeralTurnLog final : public TurnLog {
public:
    boost::asio::awaitable<storage::Result<storage::Message>> append(storage::Message message) override;
    boost::asio::awaitable<storage::Result<void>> reserve_seq(std::string session_id, std::int64_t up_to) override;
    [[nodiscard]] storage::Store* store() const override { return nullptr; }
    [[nodiscard]] bool stores() const override { return false; }
};

}  // namespace parley::core
