#include "server/connection_registry.hpp"

#include <vector>

namespace parley::server {

std::uint64_t ConnectionRegistry::add(DrainFunction drain) {
    const std::lock_guard lock(mutex_);
    const auto id = next_id_++;
    connections_.emplace(id, std::move(drain));
    return id;
}

void ConnectionRegistry::remove(std::uint64_t id) {
    std::function<void()> notify;
    {
        const std::lock_guard lock(mutex_);
        connections_.erase(id);
        if (connections_.empty()) {
            notify = on_empty_;
        }
    }
    if (notify) {
        notify();
    }
}

void ConnectionRegistry::set_empty_callback(std::function<void()> callback) {
    const std::lock_guard lock(mutex_);
    on_empty_ = std::move(callback);
}

void ConnectionRegistry::drain_all(bool force) {
    std::vector<DrainFunction> drains;
    {
        const std::lock_guard lock(mutex_);
        drains.reserve(connections_.size());
        for (const auto& [id, drain] : connections_) {
            drains.push_back(drain);
        }
    }
    for (const auto& drain : drains) {
        drain(force);
    }
}

std::size_t ConnectionRegistry::size() const {
    const std::lock_guard lock(mutex_);
    return connections_.size();
}

}  // namespace parley::server
