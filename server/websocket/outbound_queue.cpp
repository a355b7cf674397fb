#include "server/websocket/outbound_queue.hpp"

#include <algorithm>
#include <utility>

namespace parley::server::websocket {
namespace {

// Rings the doorbell for control frames; never written. Not a delta, so the
// subscriber never merges it with anything.
const core::EventPtr& wake_marker() {
    static const core::EventPtr marker = [] {
        auto event = std::make_shared<core::Event>();
        event->type = core::EventType::turn_queued;
        return core::EventPtr(std::move(event));
    }();
    return marker;
}

}  // namespace

OutboundQueue::OutboundQueue(boost::asio::any_io_executor executor, std::size_t bound)
    : subscriber_(std::make_shared<core::Subscriber>(std::move(executor), bound)) {}

void OutboundQueue::push_control(std::string frame) {
    bool was_empty = false;
    {
        const std::lock_guard lock(mutex_);
        was_empty = control_.empty();
        control_.push_back(std::make_shared<const std::string>(std::move(frame)));
    }
    // One marker per non-empty run is enough: next() drains the whole queue.
    if (was_empty) {
        subscriber_->push(wake_marker());
    }
}

boost::asio::awaitable<std::optional<OutboundBatch>> OutboundQueue::next() {
    auto events = co_await subscriber_->next_batch();
    if (events.empty()) {
        co_return std::nullopt;
    }
    // Events first, then the control frames: every control frame pushed before
    // one of these events was published is taken now, and written first.
    OutboundBatch batch;
    {
        const std::lock_guard lock(mutex_);
        batch.control = std::exchange(control_, {});
    }
    std::erase_if(events, [](const core::EventPtr& event) { return event == wake_marker(); });
    batch.events = std::move(events);
    co_return batch;
}

}  // namespace parley::server::websocket
