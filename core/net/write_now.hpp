#pragma once

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "core/net/send_now.hpp"

namespace parley::core {

// Writes `buffers` (a small array of const_buffer) to a plain TCP stream: what
// the socket takes at once goes without waiting (send_now), and only the rest
// through an asynchronous write bounded by `timeout`. A message that fits
// costs no round of the I/O thread's scheduler, where an asynchronous write
// completes through a posted handler even when the socket took it all.
template <typename Buffers>
boost::asio::awaitable<boost::system::error_code> write_now(boost::beast::tcp_stream& stream, const Buffers& buffers,
                                                            std::chrono::steady_clock::duration timeout) {
    boost::system::error_code ec;
    const auto sent = send_now(stream.socket(), buffers, ec);
    if (ec || sent == boost::asio::buffer_size(buffers)) {
        co_return ec;
    }
    boost::beast::buffers_suffix rest(buffers);
    rest.consume(sent);
    stream.expires_after(timeout);
    auto [write_ec, written] =
        co_await boost::asio::async_write(stream, rest, boost::asio::as_tuple(boost::asio::use_awaitable));
    stream.expires_never();
    co_return write_ec;
}

}  // namespace parley::core
