#pragma once

#include <thread>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace parley::storage::test {

// An io_context running on its own thread, standing in for the daemon's I/O
// threads: tests run coroutines on it and wait for their results.
class IoRunner {
public:
    IoRunner() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
    ~IoRunner() {
        work_.reset();
        thread_.join();
    }
    IoRunner(const IoRunner&) = delete;
    IoRunner& operator=(const IoRunner&) = delete;
    IoRunner(IoRunner&&) = delete;
    IoRunner& operator=(IoRunner&&) = delete;

    template <class T>
    T run(boost::asio::awaitable<T> task) {
        return boost::asio::co_spawn(io_, std::move(task), boost::asio::use_future).get();
    }

    boost::asio::io_context& context() { return io_; }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

}  // namespace parley::storage::test
