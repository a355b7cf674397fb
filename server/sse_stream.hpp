#pragma once

#include <chrono>
#include <functional>
#include <initializer_list>
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
// header first, then the events, a heartbeat comment while nothing happens,
// and an end noticed as soon as the client goes away. The body ends when the
// connection closes (no Content-Length, no chunking).
//
// What is added is queued and goes out in one write at the next flush: the
// events a subscriber hands over together (and a header added with them)
// reach the client in one segment, not one system call and wake-up each.
class SseStream {
public:
    static constexpr std::chrono::seconds kHeartbeat{15};

    explicit SseStream(RequestContext& context) : context_(context) {}

    // Queues the 200 header, with `extra_headers` (name, value: values we
    // produced, never raw client input).
    void add_header(const std::vector<std::pair<std::string, std::string>>& extra_headers = {});
    // Queues `id: <seq>`, `event: <type>`, `data: <json>`.
    void add(const core::Event& event);
    // Queues `data: <text>` alone (the OpenAI-compatible chunks and `[DONE]`).
    void add_data(std::string_view data);
    // The same with the text given in parts, copied once into the queue.
    void add_data(std::initializer_list<std::string_view> parts);
    // Writes everything queued; false when the client is gone.
    boost::asio::awaitable<bool> flush();

    // The header, written at once.
    boost::asio::awaitable<bool> open(const std::vector<std::pair<std::string, std::string>>& extra_headers = {});

    enum class End { finished, subscriber_closed, client_left };

    // Forwards the subscriber's events until `add_one` returns false (the
    // caller saw its last event), the subscriber closes, or the client leaves.
    // `add_one` queues an event (with add or add_data) and says whether to go
    // on; each batch the subscriber hands over is flushed as one write.
    using AddEvent = std::function<bool(const core::EventPtr&)>;
    boost::asio::awaitable<End> pump(core::Subscriber& subscriber, AddEvent add_one);

private:
    boost::asio::awaitable<End> forward(core::Subscriber& subscriber, AddEvent& add_one);
    boost::asio::awaitable<void> await_client_gone();
    // Pokes the subscriber whenever nothing was written for kHeartbeat.
    boost::asio::awaitable<void> keep_alive(core::Subscriber& subscriber);

    RequestContext& context_;
    std::string pending_;
    std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
};

}  // namespace parley::server
