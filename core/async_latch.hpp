#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace parley::core {

// A one-shot event any number of coroutines can await, from any executor:
// set() completes every waiter on its own executor, and later waits complete
// at once. Used where several callers wait for one piece of work (the agent
// cache's single-flight hydration, a turn's completion).
class AsyncLatch {
public:
    void set() {
        std::vector<std::unique_ptr<Waiter>> waiters;
        {
            const std::lock_guard lock(mutex_);
            set_ = true;
            waiters.swap(waiters_);
        }
        for (auto& waiter : waiters) {
            waiter->complete();
        }
    }

    [[nodiscard]] bool is_set() const {
        const std::lock_guard lock(mutex_);
        return set_;
    }

    template <typename CompletionToken>
    auto async_wait(CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void()>(
            [this](auto handler) {
                std::unique_lock lock(mutex_);
                if (set_) {
                    lock.unlock();
                    auto executor = boost::asio::get_associated_executor(handler);
                    boost::asio::post(executor, std::move(handler));
                    return;
                }
                waiters_.push_back(std::make_unique<HandlerWaiter<decltype(handler)>>(std::move(handler)));
            },
            token);
    }

private:
    struct Waiter {
        virtual ~Waiter() = default;
        virtual void complete() = 0;
    };

    template <typename Handler>
    struct HandlerWaiter final : Waiter {
        explicit HandlerWaiter(Handler handler)
            : work(boost::asio::make_work_guard(boost::asio::get_associated_executor(handler))),
              handler(std::move(handler)) {}
        void complete() override {
            auto executor = work.get_executor();
            boost::asio::post(executor, std::move(handler));
            work.reset();
        }
        boost::asio::executor_work_guard<boost::asio::associated_executor_t<Handler>> work;
        Handler handler;
    };

    mutable std::mutex mutex_;
    bool set_ = false;
    std::vector<std::unique_ptr<Waiter>> waiters_;
};

}  // namespace parley::core
