#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/stream/session_channel.hpp"

namespace parley::core {

struct StreamHubOptions {
    std::size_t retained_events = 2048;   // per session, for resume by after_seq
    std::size_t subscriber_queue = 1024;  // per subscriber, before merging then dropping
};

// All live session channels. A channel lives while someone holds it (the
// session's cached agent, or a subscribed client) and is dropped after.
class StreamHub {
public:
    explicit StreamHub(StreamHubOptions options);
    ~StreamHub();
    StreamHub(const StreamHub&) = delete;
    StreamHub& operator=(const StreamHub&) = delete;

    // The session's channel, created when needed with its counter at
    // last_seq; an existing channel's counter is raised to last_seq if lower.
    [[nodiscard]] std::shared_ptr<SessionChannel> open(const std::string& session_id, std::uint64_t last_seq);
    // The session's channel if one is live.
    [[nodiscard]] std::shared_ptr<SessionChannel> find(const std::string& session_id) const;

    [[nodiscard]] std::size_t channel_count() const;
    [[nodiscard]] const StreamHubOptions& options() const { return options_; }

    void close_all(SubscriberClose reason);

private:
    static constexpr std::size_t kMinSweepSize = 64;
    void sweep_expired();  // with mutex_ held

    StreamHubOptions options_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::weak_ptr<SessionChannel>> channels_;
    std::size_t size_after_sweep_ = 0;
};

}  // namespace parley::core
