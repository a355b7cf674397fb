#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "core/agent_state.hpp"
#include "core/async_latch.hpp"
#include "core/clock.hpp"

namespace parley::core {

struct AgentCacheOptions {
    std::size_t max_entries = 100;
    std::chrono::seconds ttl{3600};
};

struct AgentCacheStats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::uint64_t evictions = 0;
    std::size_t entries = 0;
};

// A session's agent as AgentCache::get hands it out: while the lease lives the
// cache neither evicts the agent nor rebuilds it, so a send can count its turn
// in active_turns (which keeps the agent from then on) before anything else
// could load a second agent for the session.
class AgentLease {
public:
    AgentLease() = default;
    // Takes over one count the cache added to agent->leases.
    explicit AgentLease(std::shared_ptr<AgentState> agent) : agent_(std::move(agent)) {}
    ~AgentLease() { release(); }
    AgentLease(AgentLease&& other) noexcept : agent_(std::move(other.agent_)) {}
    AgentLease& operator=(AgentLease&& other) noexcept {
        if (this != &other) {
            release();
            agent_ = std::move(other.agent_);
        }
        return *this;
    }
    AgentLease(const AgentLease&) = delete;
    AgentLease& operator=(const AgentLease&) = delete;

    [[nodiscard]] const std::shared_ptr<AgentState>& agent() const { return agent_; }
    explicit operator bool() const { return agent_ != nullptr; }

private:
    void release() {
        if (agent_) {
            agent_->leases.fetch_sub(1);
            agent_.reset();
        }
    }

    std::shared_ptr<AgentState> agent_;
};

// Maps a session to its live agent. Bounded by entry count (LRU eviction) and
// by idle time (a timer expires entries; nothing is scanned per call). An
// agent with active turns or a lease is never evicted, so a session has one
// agent while it is used, even beyond max_entries. Concurrent misses for one
// session load it once. Eviction loses nothing: every agent's state is in storage.
class AgentCache {
public:
    struct LoadRequest {
        std::string session_id;
        std::string tenant;  // the caller's: another tenant's session is not found
    };
    // Builds a session's agent (reads storage); returns null when the session
    // does not exist for that tenant, throws when storage fails.
    using Loader = std::function<boost::asio::awaitable<std::shared_ptr<AgentState>>(LoadRequest request)>;

    AgentCache(boost::asio::any_io_executor executor, AgentCacheOptions options, const Clock& clock, Loader loader);
    ~AgentCache();
    AgentCache(const AgentCache&) = delete;
    AgentCache& operator=(const AgentCache&) = delete;

    // The session's agent, leased, loaded on a miss; empty when the session does
    // not exist for the tenant. An entry not in use built from an older
    // configuration generation is rebuilt, so new turns use the new profile.
    boost::asio::awaitable<AgentLease> get(LoadRequest request, std::uint64_t generation);

    // Caches the agent of a session just created, built without reading
    // storage (its history is empty); the session's first send then finds it.
    // Does nothing when the session is already cached or loading.
    void insert_new(std::shared_ptr<AgentState> agent);

    // The cached agent, without loading; null when not cached.
    [[nodiscard]] std::shared_ptr<AgentState> peek(const std::string& session_id) const;

    // Forgets a session (deleted); an in-flight load of it is not cached.
    void erase(const std::string& session_id);

    // Evicts the entries idle for longer than the TTL; the expiry timer calls it.
    std::size_t evict_expired();

    // Starts the expiry timer's loop (once).
    void start();
    // Stops it and waits until the loop has ended: afterwards nothing of the
    // cache runs on its executor, and the cache may be destroyed.
    boost::asio::awaitable<void> stop();

    [[nodiscard]] AgentCacheStats stats() const;

private:
    struct Entry {
        std::shared_ptr<AgentState> agent;
        Clock::time_point last_used;
        std::list<std::string>::iterator lru_position;
    };
    struct PendingLoad {
        AsyncLatch done;
        std::shared_ptr<AgentState> agent;
        std::exception_ptr error;
        bool erased = false;
        unsigned waiters = 0;  // gets waiting for this load, each owed a lease
    };

    boost::asio::awaitable<void> expire_periodically();
    boost::asio::awaitable<void> end_expiry();
    void touch(Entry& entry);                                             // with mutex_ held
    void evict_over_capacity();                                           // with mutex_ held
    void remove(std::unordered_map<std::string, Entry>::iterator entry);  // with mutex_ held

    AgentCacheOptions options_;
    const Clock& clock_;
    Loader loader_;
    // On a strand of its own: the loop and stop()'s cancel never run at once,
    // also on an executor that several threads run.
    boost::asio::strand<boost::asio::any_io_executor> expiry_strand_;
    boost::asio::steady_timer expiry_timer_;
    std::atomic<bool> running_{false};
    std::atomic<bool> started_{false};
    AsyncLatch expiry_ended_;  // set when the loop has returned

    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
    std::list<std::string> lru_;  // front: most recently used
    std::unordered_map<std::string, std::shared_ptr<PendingLoad>> loading_;
    std::atomic<std::uint64_t> hits_{0};
    std::atomic<std::uint64_t> misses_{0};
    std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace parley::core
