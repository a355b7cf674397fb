#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/async_latch.hpp"
#include "core/providers/model_types.hpp"
#include "storage/records.hpp"

namespace parley::core {

enum class TurnStatus { completed, interrupted, failed };

[[nodiscard]] inline std::string_view to_string(TurnStatus status) {
    switch (status) {
        case TurnStatus::completed: return "completed";
        case TurnStatus::interrupted: return "interrupted";
        case TurnStatus::failed: return "failed";
    }
    return "failed";
}

struct TurnError {
    std::string code;  // upstream_error, upstream_timeout, max_iterations, tool_error, internal_error
    std::string message;
};

// How a turn ended, with every message it stored (the user message first).
struct TurnResult {
    std::string turn_id;
    TurnStatus status = TurnStatus::failed;
    std::vector<storage::Message> messages;
    std::optional<TurnError> error;
    TokenUsage usage{};         // summed over the turn's model calls
    std::string stop_reason{};  // completed turns: stop or max_tokens
};

// Lets a caller (POST messages with stream:false) await a turn's end.
class TurnHandle {
public:
    explicit TurnHandle(std::string turn_id) : turn_id_(std::move(turn_id)) {}

    [[nodiscard]] const std::string& turn_id() const { return turn_id_; }

    void finish(TurnResult result) {
        result_ = std::move(result);
        done_.set();
    }

    boost::asio::awaitable<TurnResult> wait() {
        co_await done_.async_wait(boost::asio::use_awaitable);
        co_return result_;
    }

private:
    std::string turn_id_;
    TurnResult result_;  // written once before done_ is set, read after
    AsyncLatch done_;
};

}  // namespace parley::core
