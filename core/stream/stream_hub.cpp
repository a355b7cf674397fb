#include "core/stream/stream_hub.hpp"

#include <algorithm>
#include <vector>

namespace parley::core {

StreamHub::StreamHub(StreamHubOptions options) : options_(options) {}

StreamHub::~StreamHub() = default;

std::shared_ptr<SessionChannel> StreamHub::open(const std::string& session_id, std::uint64_t last_seq) {
    const std::lock_guard lock(mutex_);
    sweep_expired();
    auto& slot = channels_[session_id];
    if (auto existing = slot.lock()) {
        existing->raise_seq(last_seq);
        return existing;
    }
    auto channel = std::make_shared<SessionChannel>(session_id, last_seq, options_.retained_events);
    slot = channel;
    return channel;
}

std::shared_ptr<SessionChannel> StreamHub::find(const std::string& session_id) const {
    const std::lock_guard lock(mutex_);
    const auto found = channels_.find(session_id);
    return found == channels_.end() ? nullptr : found->second.lock();
}

std::size_t StreamHub::channel_count() const {
    const std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(channels_.begin(), channels_.end(), [](const auto& entry) { return !entry.second.expired(); }));
}

// Forgets dropped channels once the map has doubled since the last sweep, so
// the cost is amortised over the opens and memory stays proportional to the live ones.
void StreamHub::sweep_expired() {
    if (channels_.size() < kMinSweepSize || channels_.size() < 2 * size_after_sweep_) {
        return;
    }
    std::erase_if(channels_, [](const auto& entry) { return entry.second.expired(); });
    size_after_sweep_ = channels_.size();
}

void StreamHub::close_all(SubscriberClose reason) {
    std::vector<std::shared_ptr<SessionChannel>> live;
    {
        const std::lock_guard lock(mutex_);
        for (const auto& [id, weak] : channels_) {
            if (auto channel = weak.lock()) {
                live.push_back(std::move(channel));
            }
        }
    }
    for (const auto& channel : live) {
        channel->close_all(reason);
    }
}

}  // namespace parley::core
