#include "server/io_threads.hpp"

#include <algorithm>
#include <thread>

namespace parley::server {

namespace asio = boost::asio;

IoThreads::IoThreads(unsigned threads) {
    for (unsigned i = 0; i < std::max(threads, 1U); ++i) {
        contexts_.push_back(std::make_unique<Context>());
        if (i > 0) {
            guards_.emplace_back(contexts_.back()->get_executor());
        }
    }
}

IoThreads::~IoThreads() {
    for (auto& guard : guards_) {
        guard.reset();  // before the shutdown: no work may finish on a context shut down
    }
    for (auto& context : contexts_) {
        context->shut_down();
    }
}

asio::io_context& IoThreads::next() {
    return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void IoThreads::run() {
    std::vector<std::jthread> threads;
    for (std::size_t i = 1; i < contexts_.size(); ++i) {
        threads.emplace_back([context = contexts_[i].get()] { context->run(); });
    }
    contexts_.front()->run();
    // The primary stops once shutdown has drained the connections (or given up on
    // them): the others stop with it, as one shared context would have.
    stop_others();
}

void IoThreads::stop_others() {
    for (auto& guard : guards_) {
        guard.reset();
    }
    for (std::size_t i = 1; i < contexts_.size(); ++i) {
        contexts_[i]->stop();
    }
}

}  // namespace parley::server
