#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include "core/stream/event.hpp"

namespace parley::core {

enum class SubscriberClose {
    open,
    unsubscribed,  // the client asked
    too_slow,      // still over its bound after merging deltas: resume with after_seq
    shutdown,      // the daemon is stopping
    session_deleted,
};

[[nodiscard]] std::string_view to_string(SubscriberClose reason);

// One client's view of one session's events: a bounded queue filled by the
// publisher and drained by one consumer coroutine (the WebSocket writer or an
// SSE response). The consumer sleeps on a doorbell channel until signalled;
// it never polls. When the queue is full, adjacent deltas of one message are
// merged; if it is still full the subscriber is closed as too slow.
class Subscriber {
public:
    // `json`: whether this consumer sends events' JSON (WebSocket, a session's
    // SSE) or only reads their fields (a chat completion's SSE).
    Subscriber(boost::asio::any_io_executor executor, std::size_t bound, EventJson json = EventJson::write);

    // Producer side; any thread.
    void push(const EventPtr& event);
    void close(SubscriberClose reason);

    // Consumer side: waits until events are queued and takes them all, in
    // order. An empty batch means the subscriber is closed (see close_reason).
    boost::asio::awaitable<std::vector<EventPtr>> next_batch();
    // The same, but also returns nullopt when poke() was called since the last
    // batch (the SSE heartbeat: one timer per response, not one raced
    // against every wait). A poke never hides events: they go first.
    boost::asio::awaitable<std::optional<std::vector<EventPtr>>> next_batch_or_poke();
    // Any thread.
    void poke();

    [[nodiscard]] SubscriberClose close_reason() const;
    [[nodiscard]] bool reads_json() const { return json_ == EventJson::write; }
    [[nodiscard]] std::size_t queued() const;

private:
    // Merges runs of message.delta for the same message; called with mutex_ held.
    void coalesce_deltas();
    void ring();
    // The whole queue, or an empty batch when closed; nullopt when neither.
    std::optional<std::vector<EventPtr>> take();

    mutable std::mutex mutex_;
    // A vector, not a deque: an idle subscriber then holds no allocation
    // (libstdc++'s deque allocates 576 bytes up front), and take() hands the
    // whole queue over without copying.
    std::vector<EventPtr> queue_;
    std::size_t bound_;
    EventJson json_;
    SubscriberClose reason_ = SubscriberClose::open;
    bool poked_ = false;
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> doorbell_;
};

}  // namespace parley::core
