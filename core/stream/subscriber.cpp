#include "core/stream/subscriber.hpp"

#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace parley::core {

std::string_view to_string(SubscriberClose reason) {
    switch (reason) {
        case SubscriberClose::open: return "open";
        case SubscriberClose::unsubscribed: return "unsubscribed";
        case SubscriberClose::too_slow: return "too_slow";
        case SubscriberClose::shutdown: return "shutdown";
        case SubscriberClose::session_deleted: return "session_deleted";
    }
    return "unknown";
}

Subscriber::Subscriber(boost::asio::any_io_executor executor, std::size_t bound, EventJson json)
    : bound_(bound), json_(json), doorbell_(std::move(executor), 1) {}

void Subscriber::push(const EventPtr& event) {
    {
        const std::lock_guard lock(mutex_);
        if (reason_ != SubscriberClose::open) {
            return;
        }
        queue_.push_back(event);
        if (queue_.size() > bound_) {
            coalesce_deltas();
            if (queue_.size() > bound_) {
                queue_.clear();
                reason_ = SubscriberClose::too_slow;
            }
        }
    }
    ring();
}

void Subscriber::close(SubscriberClose reason) {
    {
        const std::lock_guard lock(mutex_);
        if (reason_ != SubscriberClose::open) {
            return;
        }
        reason_ = reason;
    }
    ring();
}

// A full doorbell already means "wake up": a failed try_send loses nothing.
void Subscriber::ring() {
    (void)doorbell_.try_send(boost::system::error_code{});
}

void Subscriber::coalesce_deltas() {
    std::vector<EventPtr> merged;
    merged.reserve(queue_.size());
    for (auto& event : queue_) {
        if (!merged.empty() && event->type == EventType::message_delta &&
            merged.back()->type == EventType::message_delta && merged.back()->message_id == event->message_id) {
            const auto& previous = merged.back();
            merged.back() = make_delta_event(event->seq, event->session_id, event->turn_id, event->message_id,
                                             previous->delta + event->delta,
                                             event->json.empty() ? EventJson::skip : EventJson::write);
            continue;
        }
        merged.push_back(std::move(event));
    }
    queue_ = std::move(merged);
}

std::optional<std::vector<EventPtr>> Subscriber::take() {
    const std::lock_guard lock(mutex_);
    if (!queue_.empty()) {
        return std::exchange(queue_, {});
    }
    if (reason_ != SubscriberClose::open) {
        return std::vector<EventPtr>{};
    }
    return std::nullopt;
}

boost::asio::awaitable<std::vector<EventPtr>> Subscriber::next_batch() {
    for (;;) {
        if (auto batch = take()) {
            co_return std::move(*batch);
        }
        auto [ec] = co_await doorbell_.async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec == boost::asio::error::operation_aborted) {
            co_return std::vector<EventPtr>{};
        }
    }
}

boost::asio::awaitable<std::optional<std::vector<EventPtr>>> Subscriber::next_batch_or_poke() {
    for (;;) {
        if (auto batch = take()) {
            const std::lock_guard lock(mutex_);
            poked_ = false;  // what goes out now does what the poke asked for
            co_return std::move(batch);
        }
        {
            const std::lock_guard lock(mutex_);
            if (std::exchange(poked_, false)) {
                co_return std::nullopt;
            }
        }
        auto [ec] = co_await doorbell_.async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec == boost::asio::error::operation_aborted) {
            co_return std::vector<EventPtr>{};
        }
    }
}

void Subscriber::poke() {
    {
        const std::lock_guard lock(mutex_);
        poked_ = true;
    }
    ring();
}

SubscriberClose Subscriber::close_reason() const {
    const std::lock_guard lock(mutex_);
    return reason_;
}

std::size_t Subscriber::queued() const {
    const std::lock_guard lock(mutex_);
    return queue_.size();
}

}  // namespace parley::core
