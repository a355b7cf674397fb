#include "core/stream/session_channel.hpp"

#include <algorithm>
#include <cassert>

namespace parley::core {

SessionChannel::SessionChannel(std::string session_id, std::uint64_t last_seq, std::size_t retained)
    : session_id_(std::move(session_id)), retained_capacity_(retained), allocated_(last_seq), published_(last_seq) {}

std::uint64_t SessionChannel::next_seq() {
    return allocated_.fetch_add(1) + 1;
}

void SessionChannel::raise_seq(std::uint64_t seq) {
    auto current = allocated_.load();
    while (current < seq && !allocated_.compare_exchange_weak(current, seq)) {
    }
    const std::lock_guard lock(mutex_);
    published_ = std::max(published_, seq);
}

std::uint64_t SessionChannel::last_published() const {
    const std::lock_guard lock(mutex_);
    return published_;
}

void SessionChannel::publish(const EventPtr& event) {
    const std::lock_guard lock(mutex_);
    if (event->seq != published_ + 1) {
        assert(event->seq > published_ && "a seq is published once");
        waiting_.emplace(event->seq, event);
        return;
    }
    release(event);
    flush_waiting();
}

void SessionChannel::skip(std::uint64_t seq) {
    const std::lock_guard lock(mutex_);
    if (seq != published_ + 1) {
        waiting_.emplace(seq, nullptr);
        return;
    }
    published_ = seq;
    flush_waiting();
}

void SessionChannel::release(const EventPtr& event) {
    published_ = event->seq;
    retained_.push_back(event);
    if (retained_.size() > retained_capacity_) {
        retained_.pop_front();
    }
    for (const auto& subscriber : subscribers_) {
        subscriber->push(event);
    }
}

void SessionChannel::flush_waiting() {
    for (auto next = waiting_.begin(); next != waiting_.end() && next->first == published_ + 1;
         next = waiting_.erase(next)) {
        if (next->second) {
            release(next->second);
        } else {
            published_ = next->first;
        }
    }
}

Attachment SessionChannel::attach(const std::shared_ptr<Subscriber>& subscriber,
                                  std::optional<std::uint64_t> after_seq) {
    const std::lock_guard lock(mutex_);
    if (after_seq && *after_seq < published_) {
        const bool covered = !retained_.empty() && retained_.front()->seq <= *after_seq + 1;
        if (!covered) {
            return {AttachResult::resync, published_};
        }
        for (const auto& event : retained_) {
            if (event->seq > *after_seq) {
                subscriber->push(event);
            }
        }
    }
    subscribers_.push_back(subscriber);
    return {AttachResult::subscribed, published_};
}

void SessionChannel::detach(const Subscriber& subscriber) {
    const std::lock_guard lock(mutex_);
    std::erase_if(subscribers_, [&](const auto& candidate) { return candidate.get() == &subscriber; });
}

void SessionChannel::close_all(SubscriberClose reason) {
    std::vector<std::shared_ptr<Subscriber>> closing;
    {
        const std::lock_guard lock(mutex_);
        closing.swap(subscribers_);
    }
    for (const auto& subscriber : closing) {
        subscriber->close(reason);
    }
}

SessionChannel::Audience SessionChannel::audience() const {
    if (retained_capacity_ > 0) {
        return Audience::json;
    }
    const std::lock_guard lock(mutex_);
    if (subscribers_.empty()) {
        return Audience::none;
    }
    const bool any_reads_json = std::any_of(subscribers_.begin(), subscribers_.end(),
                                            [](const auto& subscriber) { return subscriber->reads_json(); });
    return any_reads_json ? Audience::json : Audience::fields;
}

std::size_t SessionChannel::subscriber_count() const {
    const std::lock_guard lock(mutex_);
    return subscribers_.size();
}

std::size_t SessionChannel::retained_count() const {
    const std::lock_guard lock(mutex_);
    return retained_.size();
}

}  // namespace parley::core
