#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace parley::server {

// The open client connections, so shutdown can tell each one to finish.
// A connection registers itself with a function that, posted to its own
// strand, starts its drain (close when idle, or after the in-flight response).
class ConnectionRegistry {
public:
    using DrainFunction = std::function<void(bool force)>;

    [[nodiscard]] std::uint64_t add(DrainFunction drain);
    void remove(std::uint64_t id);

    // Calls every registered drain function (outside the lock).
    void drain_all(bool force);

    [[nodiscard]] std::size_t size() const;

    // Called (outside the lock) each time the last connection is removed.
    void set_empty_callback(std::function<void()> callback);

private:
    mutable std::mutex mutex_;
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::uint64_t, DrainFunction> connections_;
    std::function<void()> on_empty_;
};

}  // namespace parley::server
