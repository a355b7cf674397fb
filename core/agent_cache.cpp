#include "core/agent_cache.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace parley::core {

namespace asio = boost::asio;

AgentCache::AgentCache(asio::any_io_executor executor, AgentCacheOptions options, const Clock& clock, Loader loader)
    : options_(options),
      clock_(clock),
      loader_(std::move(loader)),
      expiry_strand_(asio::make_strand(std::move(executor))),
      expiry_timer_(expiry_strand_) {}

AgentCache::~AgentCache() = default;

asio::awaitable<AgentLease> AgentCache::get(LoadRequest request, std::uint64_t generation) {
    const std::string session_id = request.session_id;
    std::shared_ptr<PendingLoad> pending;
    bool leader = false;
    {
        const std::lock_guard lock(mutex_);
        const auto found = entries_.find(session_id);
        if (found != entries_.end()) {
            auto& agent = found->second.agent;
            if (agent->tenant != request.tenant) {
                co_return AgentLease{};
            }
            if (agent->generation == generation || agent->in_use()) {
                hits_.fetch_add(1, std::memory_order_relaxed);
                touch(found->second);
                agent->leases.fetch_add(1);
                co_return AgentLease(agent);
            }
            remove(found);  // stale configuration and not in use: rebuild
        }
        misses_.fetch_add(1, std::memory_order_relaxed);
        auto& slot = loading_[session_id];
        if (!slot) {
            slot = std::make_shared<PendingLoad>();
            leader = true;
        } else {
            ++slot->waiters;
        }
        pending = slot;
    }

    if (!leader) {
        co_await pending->done.async_wait(asio::use_awaitable);
        if (pending->error) {
            std::rethrow_exception(pending->error);
        }
        AgentLease lease(pending->agent);  // the leader counted it
        if (lease && lease.agent()->tenant != request.tenant) {
            co_return AgentLease{};
        }
        co_return lease;
    }

    try {
        pending->agent = co_await loader_(std::move(request));
    } catch (...) {
        pending->error = std::current_exception();
    }
    {
        const std::lock_guard lock(mutex_);
        loading_.erase(session_id);
        if (pending->agent) {
            // Leased before it can be evicted: in a cache full of agents in use, it is the one eviction would pick.
            pending->agent->leases.fetch_add(1 + pending->waiters);
            if (!pending->erased) {
                lru_.push_front(session_id);
                entries_.insert_or_assign(session_id, Entry{pending->agent, clock_.now(), lru_.begin()});
                evict_over_capacity();
            }
        }
    }
    pending->done.set();
    if (pending->error) {
        std::rethrow_exception(pending->error);
    }
    co_return AgentLease(pending->agent);
}

void AgentCache::insert_new(std::shared_ptr<AgentState> agent) {
    const std::lock_guard lock(mutex_);
    const auto& session_id = agent->session_id;
    if (entries_.contains(session_id) || loading_.contains(session_id)) {
        return;
    }
    lru_.push_front(session_id);
    entries_.emplace(session_id, Entry{std::move(agent), clock_.now(), lru_.begin()});
    evict_over_capacity();
}

std::shared_ptr<AgentState> AgentCache::peek(const std::string& session_id) const {
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(session_id);
    return found == entries_.end() ? nullptr : found->second.agent;
}

void AgentCache::erase(const std::string& session_id) {
    const std::lock_guard lock(mutex_);
    if (const auto found = entries_.find(session_id); found != entries_.end()) {
        remove(found);
    }
    if (const auto loading = loading_.find(session_id); loading != loading_.end()) {
        loading->second->erased = true;
    }
}

void AgentCache::touch(Entry& entry) {
    entry.last_used = clock_.now();
    lru_.splice(lru_.begin(), lru_, entry.lru_position);
}

void AgentCache::remove(std::unordered_map<std::string, Entry>::iterator entry) {
    lru_.erase(entry->second.lru_position);
    entries_.erase(entry);
}

void AgentCache::evict_over_capacity() {
    auto candidate = lru_.end();
    while (entries_.size() > options_.max_entries && candidate != lru_.begin()) {
        --candidate;
        const auto entry = entries_.find(*candidate);
        if (entry->second.agent->in_use()) {
            continue;
        }
        candidate = std::next(candidate);
        remove(entry);
        evictions_.fetch_add(1, std::memory_order_relaxed);
    }
}

std::size_t AgentCache::evict_expired() {
    const std::lock_guard lock(mutex_);
    const auto now = clock_.now();
    std::size_t evicted = 0;
    // From the least recently used end, stopping at the first entry still
    // within its TTL: everything in front of it was used later.
    for (std::size_t remaining = lru_.size(); remaining > 0; --remaining) {
        const auto entry = entries_.find(lru_.back());
        if (now - entry->second.last_used < options_.ttl) {
            break;
        }
        if (entry->second.agent->in_use()) {
            touch(entry->second);  // in use: counts as used now
            continue;
        }
        remove(entry);
        ++evicted;
    }
    evictions_.fetch_add(evicted, std::memory_order_relaxed);
    return evicted;
}

void AgentCache::start() {
    if (started_.exchange(true)) {
        return;
    }
    running_ = true;
    asio::co_spawn(expiry_strand_, expire_periodically(), asio::detached);
}

asio::awaitable<void> AgentCache::stop() {
    if (!started_ || !running_.exchange(false)) {
        co_return;
    }
    co_await asio::co_spawn(expiry_strand_, end_expiry(), asio::use_awaitable);
}

// On the expiry strand: the loop sees running_ false at its next check, or now,
// woken by the cancel. Nothing of the cache is left queued on the strand after.
asio::awaitable<void> AgentCache::end_expiry() {
    expiry_timer_.cancel();
    co_await expiry_ended_.async_wait(asio::use_awaitable);
}

asio::awaitable<void> AgentCache::expire_periodically() {
    struct EndedOnExit {
        AsyncLatch& ended;
        ~EndedOnExit() { ended.set(); }
    } on_exit{expiry_ended_};
    while (running_) {
        Clock::time_point next = clock_.now() + options_.ttl;
        {
            const std::lock_guard lock(mutex_);
            if (!lru_.empty()) {
                next = entries_.at(lru_.back()).last_used + options_.ttl;
            }
        }
        expiry_timer_.expires_at(std::max(next, clock_.now()));
        auto [ec] = co_await expiry_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted && !running_) {
            co_return;
        }
        evict_expired();
    }
}

AgentCacheStats AgentCache::stats() const {
    const std::lock_guard lock(mutex_);
    return {hits_.load(), misses_.load(), evictions_.load(), entries_.size()};
}

}  // namespace parley::core
