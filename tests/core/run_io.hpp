#pragma once

#include <exception>
#include <optional>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace parley::core::test {

// Runs one coroutine to completion on `io` in the calling thread (the fake model
// server has its own threads) and returns its result, rethrowing its exception.
template <class T>
T run_io(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
    std::optional<T> result;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr error, T value) {
        failure = error;
        if (!error) {
            result.emplace(std::move(value));
        }
    });
    io.restart();
    io.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
    return std::move(*result);
}

}  // namespace parley::core::test
