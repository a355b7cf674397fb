#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/stream/event.hpp"
#include "core/stream/subscriber.hpp"
#include "server/request_context.hpp"

namespace parley::server {

// A `text/event-stream` response, written as events are produced: the
// header first, then each event flushed at once, a heartbeat comment while
// nothing happens, and an end noticed as soon as the client goes away. The
// body ends when the connection closes (no Content-Length, no chunking).
class SseStream {
public:
    static constexpr std::chrono::seconds kHeartbeat{15};

    explicit SseStream(RequestContext& context) : context_(context) {}

    // Writes the 200 header, with `extra_headers` (name, value: values we
    // produced, never raw client input); false when the client is already gone.
    boost::asio::awaitable<bool> open(std::vector<std::pair<std::string, std::string>> extra_headers = {});

    // `id: <seq>`, `event: <type>`, `data: <json>`.
    boost::asio::awaitable<bool> send(const core::Event& event);
    // `data: <text>` alone (the OpenAI-compatible chunks and `[DONE]`).
    boost::asio::awaitable<bool> send_data(std::string_view data);

    enum class End { finished, subscriber_closed, client_left };

    // Forwards the subscriber's events until `send_one` returns false (the
    // caller saw its last event), the subscriber closes, or the client leaves.
    // `send_one` writes an event (with send or send_data) and says whether to go on.
    boost::asio::awaitable<End> pump(core::Subscriber& subscriber,
                                     std::function<boost::asio::awaitable<bool>(const core::EventPtr&)> send_one);

private:
    boost::asio::awaitable<bool> write(std::string text);
    boost::asio::awaitable<End> forward(core::Subscriber& subscriber,
                                        std::function<boost::asio::awaitable<bool>(const core::EventPtr&)>& send_one);
    boost::asio::awaitable<void> await_client_gone();

    RequestContext& context_;
};

}  // namespace parley::server
