#include "core/tools/blocking_pool.hpp"

#include <algorithm>

namespace parley::core {

BlockingPool::BlockingPool(Options options)
    : capacity_(std::max(options.threads, 1U) + options.queue_capacity), pool_(std::max(options.threads, 1U)) {}

BlockingPool::~BlockingPool() {
    pool_.join();
}

bool BlockingPool::try_acquire() {
    std::size_t current = pending_.load();
    while (current < capacity_) {
        if (pending_.compare_exchange_weak(current, current + 1)) {
            return true;
        }
    }
    return false;
}

void BlockingPool::release() {
    pending_.fetch_sub(1);
}

}  // namespace parley::core
