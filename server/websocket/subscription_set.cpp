#include "server/websocket/subscription_set.hpp"

#include <utility>

namespace parley::server::websocket {

void SubscriptionSet::add(const std::string& session_id, std::shared_ptr<core::SessionChannel> channel,
                          std::uint64_t written) {
    entries_.insert_or_assign(session_id, Entry{std::move(channel), written});
}

void SubscriptionSet::set_channel(const std::string& session_id, std::shared_ptr<core::SessionChannel> channel) {
    if (auto entry = entries_.find(session_id); entry != entries_.end()) {
        entry->second.channel = std::move(channel);
    }
}

std::shared_ptr<core::SessionChannel> SubscriptionSet::remove(const std::string& session_id) {
    const auto entry = entries_.find(session_id);
    if (entry == entries_.end()) {
        return nullptr;
    }
    auto channel = std::move(entry->second.channel);
    entries_.erase(entry);
    return channel;
}

std::vector<std::shared_ptr<core::SessionChannel>> SubscriptionSet::take_all() {
    std::vector<std::shared_ptr<core::SessionChannel>> channels;
    channels.reserve(entries_.size());
    for (auto& [session_id, entry] : entries_) {
        if (entry.channel) {
            channels.push_back(std::move(entry.channel));
        }
    }
    entries_.clear();
    return channels;
}

bool SubscriptionSet::admit(const core::Event& event) {
    const auto entry = entries_.find(event.session_id);
    if (entry == entries_.end() || event.seq <= entry->second.written) {
        return false;
    }
    entry->second.written = event.seq;
    return true;
}

}  // namespace parley::server::websocket
