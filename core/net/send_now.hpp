#pragma once

#include <cstddef>
#include <span>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace parley::core {

// Sends as much of `buffers` as the socket takes at once, without waiting
// (sendmsg with MSG_DONTWAIT), and returns how many bytes that was: 0 when the
// socket's buffer is full. Sets `ec` on any other failure. What is left goes
// through an asynchronous write; a message that fits (most) then costs no
// round of the I/O thread's scheduler, where Asio's own first attempt at
// writing completes through a posted handler.
std::size_t send_now(boost::asio::ip::tcp::socket& socket, std::span<const boost::asio::const_buffer> buffers,
                     boost::system::error_code& ec);

}  // namespace parley::core
