#include "server/sse_stream.hpp"

#include <array>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/net/write_now.hpp"
#include "core/version.hpp"

namespace parley::server {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
// A write that takes longer than this means the client stopped reading.
constexpr std::chrono::seconds kWriteTimeout{30};

}  // namespace

void SseStream::add_header(const std::vector<std::pair<std::string, std::string>>& extra_headers) {
    fmt::format_to(std::back_inserter(pending_),
                   "HTTP/1.1 200 OK\r\n"
                   "Server: parley/{}\r\n"
                   "Content-Type: text/event-stream; charset=utf-8\r\n"
                   "Cache-Control: no-cache\r\n"
                   "X-Accel-Buffering: no\r\n"
                   "Connection: close\r\n",
                   core::kVersion);
    for (const auto& [name, value] : extra_headers) {
        fmt::format_to(std::back_inserter(pending_), "{}: {}\r\n", name, value);
    }
    pending_ += "\r\n";
    context_.response_sent = true;
    context_.sent_status = 200;
}

void SseStream::add(const core::Event& event) {
    fmt::format_to(std::back_inserter(pending_), "id: {}\nevent: {}\ndata: {}\n\n", event.seq,
                   core::to_string(event.type), event.json);
}

void SseStream::add_data(std::string_view data) {
    fmt::format_to(std::back_inserter(pending_), "data: {}\n\n", data);
}

void SseStream::add_data(std::initializer_list<std::string_view> parts) {
    pending_ += "data: ";
    for (const auto part : parts) {
        pending_ += part;
    }
    pending_ += "\n\n";
}

asio::awaitable<bool> SseStream::flush() {
    if (pending_.empty()) {
        co_return true;
    }
    auto& stream = *context_.stream;
    last_write_ = std::chrono::steady_clock::now();
    const std::array whole{asio::const_buffer(asio::buffer(pending_))};
    const auto ec = co_await core::write_now(stream, whole, kWriteTimeout);
    pending_.clear();
    co_return !ec;
}

asio::awaitable<bool> SseStream::open(const std::vector<std::pair<std::string, std::string>>& extra_headers) {
    add_header(extra_headers);
    co_return co_await flush();
}

asio::awaitable<SseStream::End> SseStream::pump(core::Subscriber& subscriber, AddEvent add_one) {
    // Whichever ends first cancels the others: the client leaving stops the
    // forwarding at once, and the last event sent stops the watch and the
    // heartbeat (which never ends by itself).
    auto outcome = co_await (forward(subscriber, add_one) || await_client_gone() || keep_alive(subscriber));
    if (outcome.index() != 0) {
        co_return End::client_left;
    }
    co_return std::get<0>(outcome);
}

asio::awaitable<SseStream::End> SseStream::forward(core::Subscriber& subscriber, AddEvent& add_one) {
    for (;;) {
        auto woken = co_await subscriber.next_batch_or_poke();
        if (!woken) {
            pending_ += ": heartbeat\n\n";
            if (!co_await flush()) {
                co_return End::client_left;
            }
            continue;
        }
        const auto batch = std::move(*woken);
        if (batch.empty()) {
            co_return End::subscriber_closed;  // everything before was flushed with its batch
        }
        bool go_on = true;
        for (const auto& event : batch) {
            if (!add_one(event)) {
                go_on = false;
                break;
            }
        }
        if (!co_await flush()) {
            co_return End::client_left;
        }
        if (!go_on) {
            co_return End::finished;
        }
    }
}

asio::awaitable<void> SseStream::keep_alive(core::Subscriber& subscriber) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        const auto due = last_write_ + kHeartbeat;
        if (std::chrono::steady_clock::now() >= due) {
            subscriber.poke();
            timer.expires_after(kHeartbeat);
        } else {
            timer.expires_at(due);
        }
        auto [ec] = co_await timer.async_wait(kAsTuple);
        if (ec) {
            co_return;
        }
    }
}

// Completes when the client closes its side (or resets). Anything it sends
// meanwhile is read and dropped: the connection closes after the stream.
asio::awaitable<void> SseStream::await_client_gone() {
    std::array<char, 512> scratch{};
    auto& socket = context_.stream->socket();
    for (;;) {
        auto [ec, bytes] = co_await socket.async_read_some(asio::buffer(scratch), kAsTuple);
        if (ec) {
            co_return;
        }
    }
}

}  // namespace parley::server
