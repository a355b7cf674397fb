#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/stream/event.hpp"
#include "core/stream/subscriber.hpp"

namespace parley::server::websocket {

// What one connection's single writer sends, in order.
struct OutboundBatch {
    std::vector<std::shared_ptr<const std::string>> control;  // written first
    std::vector<core::EventPtr> events;
};

// One WebSocket connection's bounded outbound queue. Session events arrive
// through one core::Subscriber that is attached to every channel the
// connection subscribes to (its bound is the connection's bound: a client that
// falls behind past it is closed as too slow). The connection's own frames
// (subscribed, accepted, error, ...) wait in a small side queue and ring the
// subscriber's doorbell with a marker event.
//
// Order: a control frame pushed before an event was published is written
// before that event (next() takes the events first, then the control frames,
// and writes the control frames first). That is how `accepted`, pushed from
// SendRequest::on_accepted, precedes every event of its turn.
class OutboundQueue {
public:
    OutboundQueue(boost::asio::any_io_executor executor, std::size_t bound);

    [[nodiscard]] const std::shared_ptr<core::Subscriber>& subscriber() const { return subscriber_; }

    // Any thread.
    void push_control(std::string frame);
    void close(core::SubscriberClose reason) { subscriber_->close(reason); }
    [[nodiscard]] core::SubscriberClose close_reason() const { return subscriber_->close_reason(); }

    // Waits for frames; nullopt once the subscriber is closed (see close_reason).
    boost::asio::awaitable<std::optional<OutboundBatch>> next();

private:
    std::shared_ptr<core::Subscriber> subscriber_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<const std::string>> control_;  // empty: no allocation
};

}  // namespace parley::server::websocket
