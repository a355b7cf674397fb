#include "core/net/send_now.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>

#include <boost/asio/error.hpp>

namespace parley::core {

namespace {
// More pieces than any caller gathers (a message's header and body).
constexpr std::size_t kMaxPieces = 8;
}  // namespace

std::size_t send_now(boost::asio::ip::tcp::socket& socket, std::span<const boost::asio::const_buffer> buffers,
                     boost::system::error_code& ec) {
    ec.clear();
    std::array<iovec, kMaxPieces> pieces{};
    std::size_t count = 0;
    for (const auto& buffer : buffers) {
        if (buffer.size() == 0) {
            continue;
        }
        if (count == pieces.size()) {
            break;  // the rest goes with the asynchronous write
        }
        // iovec's pointer is not const; sendmsg only reads through it.
        pieces[count++] = iovec{const_cast<void*>(buffer.data()), buffer.size()};  // NOLINT(*-const-cast)
    }
    if (count == 0) {
        return 0;
    }
    msghdr message{};
    message.msg_iov = pieces.data();
    message.msg_iovlen = count;
    for (;;) {
        const auto sent = ::sendmsg(socket.native_handle(), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent >= 0) {
            return static_cast<std::size_t>(sent);
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        }
        ec.assign(errno, boost::asio::error::get_system_category());
        return 0;
    }
}

}  // namespace parley::core
