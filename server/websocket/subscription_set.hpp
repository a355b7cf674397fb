#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/stream/event.hpp"
#include "core/stream/session_channel.hpp"

namespace parley::server::websocket {

// The sessions one connection is subscribed to, with the channel each is
// attached through and the last seq written per session. The writer asks it
// whether to write an event: only for a subscribed session, and only past the
// last seq written, so a resubscription never repeats or reorders events.
class SubscriptionSet {
public:
    explicit SubscriptionSet(std::size_t limit) : limit_(limit) {}

    [[nodiscard]] bool contains(const std::string& session_id) const { return entries_.contains(session_id); }
    [[nodiscard]] bool full() const { return entries_.size() >= limit_; }
    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    [[nodiscard]] std::size_t limit() const { return limit_; }

    // Events with seq <= `written` are not written. `channel` may come later
    // (set_channel): a send attaches inside core and returns the channel after.
    void add(const std::string& session_id, std::shared_ptr<core::SessionChannel> channel, std::uint64_t written);
    void set_channel(const std::string& session_id, std::shared_ptr<core::SessionChannel> channel);
    // The channel to detach from (null when not subscribed or not yet known).
    std::shared_ptr<core::SessionChannel> remove(const std::string& session_id);
    // Every channel, the set left empty: the connection is ending.
    std::vector<std::shared_ptr<core::SessionChannel>> take_all();

    // True when the event is to be written; records its seq as written.
    bool admit(const core::Event& event);

private:
    struct Entry {
        std::shared_ptr<core::SessionChannel> channel;
        std::uint64_t written = 0;
    };

    std::size_t limit_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace parley::server::websocket
