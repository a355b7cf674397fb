#include "core/stream/session_channel.hpp"

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

namespace {

using namespace parley::core;

EventPtr publish_delta(SessionChannel& channel, std::string text) {
    const auto event = make_delta_event(channel.next_seq(), channel.session_id(), "turn", "msg", std::move(text));
    channel.publish(event);
    return event;
}

std::vector<std::uint64_t> seqs_of(boost::asio::io_context& io, Subscriber& subscriber) {
    auto future = boost::asio::co_spawn(io, subscriber.next_batch(), boost::asio::use_future);
    io.restart();
    io.run();
    std::vector<std::uint64_t> seqs;
    for (const auto& event : future.get()) {
        seqs.push_back(event->seq);
    }
    return seqs;
}

}  // namespace

TEST_CASE("a channel continues the session's seq and shares each event with every subscriber", "[core][hub]") {
    boost::asio::io_context io;
    SessionChannel channel("ses_1", 41, 16);
    auto first = std::make_shared<Subscriber>(io.get_executor(), 64);
    auto second = std::make_shared<Subscriber>(io.get_executor(), 64);
    CHECK(channel.attach(first, std::nullopt).last_seq == 41);
    CHECK(channel.attach(second, std::nullopt).result == AttachResult::subscribed);
    const auto event = publish_delta(channel, "hello");
    CHECK(event->seq == 42);
    CHECK(seqs_of(io, *first) == std::vector<std::uint64_t>{42});
    CHECK(seqs_of(io, *second) == std::vector<std::uint64_t>{42});
}

TEST_CASE("attaching with after_seq replays retained events, or asks for a resync", "[core][hub]") {
    boost::asio::io_context io;
    SessionChannel channel("ses_1", 0, 5);
    for (int i = 0; i < 8; ++i) {
        publish_delta(channel, "x");
    }
    // Retained: seqs 4..8.
    auto resuming = std::make_shared<Subscriber>(io.get_executor(), 64);
    const auto attached = channel.attach(resuming, 5);
    CHECK(attached.result == AttachResult::subscribed);
    CHECK(attached.last_seq == 8);
    CHECK(seqs_of(io, *resuming) == std::vector<std::uint64_t>{6, 7, 8});

    auto edge = std::make_shared<Subscriber>(io.get_executor(), 64);
    CHECK(channel.attach(edge, 3).result == AttachResult::subscribed);
    CHECK(seqs_of(io, *edge) == std::vector<std::uint64_t>{4, 5, 6, 7, 8});

    auto too_old = std::make_shared<Subscriber>(io.get_executor(), 64);
    CHECK(channel.attach(too_old, 2).result == AttachResult::resync);
    CHECK(channel.subscriber_count() == 2);

    auto up_to_date = std::make_shared<Subscriber>(io.get_executor(), 64);
    CHECK(channel.attach(up_to_date, 8).result == AttachResult::subscribed);
    publish_delta(channel, "y");
    CHECK(seqs_of(io, *up_to_date) == std::vector<std::uint64_t>{9});
}

TEST_CASE("a fresh channel without retained events resyncs a client that is behind", "[core][hub]") {
    boost::asio::io_context io;
    SessionChannel channel("ses_1", 12, 16);
    auto subscriber = std::make_shared<Subscriber>(io.get_executor(), 64);
    CHECK(channel.attach(subscriber, 10).result == AttachResult::resync);
    CHECK(channel.attach(subscriber, 12).result == AttachResult::subscribed);
}

TEST_CASE("detached subscribers receive nothing more", "[core][hub]") {
    boost::asio::io_context io;
    SessionChannel channel("ses_1", 0, 16);
    auto subscriber = std::make_shared<Subscriber>(io.get_executor(), 64);
    (void)channel.attach(subscriber, std::nullopt);
    channel.detach(*subscriber);
    publish_delta(channel, "x");
    CHECK(subscriber->queued() == 0);
    CHECK(channel.subscriber_count() == 0);
}

TEST_CASE("a channel's audience says whether anyone can see an event, and whether anyone sends its JSON",
          "[core][hub]") {
    boost::asio::io_context io;
    SessionChannel stateless("", 0, 0);
    CHECK(stateless.audience() == SessionChannel::Audience::none);
    auto chunks = std::make_shared<Subscriber>(io.get_executor(), 64, EventJson::skip);
    (void)stateless.attach(chunks, std::nullopt);
    CHECK(stateless.audience() == SessionChannel::Audience::fields);
    auto socket = std::make_shared<Subscriber>(io.get_executor(), 64);
    (void)stateless.attach(socket, std::nullopt);
    CHECK(stateless.audience() == SessionChannel::Audience::json);
    stateless.detach(*socket);
    CHECK(stateless.audience() == SessionChannel::Audience::fields);
    stateless.detach(*chunks);
    CHECK(stateless.audience() == SessionChannel::Audience::none);

    // Retained events are replayed to later subscribers, which may send them on.
    SessionChannel session("ses_1", 0, 16);
    CHECK(session.audience() == SessionChannel::Audience::json);
}

TEST_CASE("concurrent attach during publishing loses and duplicates nothing", "[core][hub]") {
    constexpr int kEvents = 2000;
    constexpr int kSubscribers = 8;
    boost::asio::io_context io;
    SessionChannel channel("ses_1", 0, kEvents);
    std::vector<std::shared_ptr<Subscriber>> subscribers;
    std::vector<std::uint64_t> attached_at(kSubscribers);
    std::thread producer([&] {
        for (int i = 0; i < kEvents; ++i) {
            publish_delta(channel, "t");
        }
    });
    for (int i = 0; i < kSubscribers; ++i) {
        subscribers.push_back(std::make_shared<Subscriber>(io.get_executor(), kEvents * 2));
        attached_at[static_cast<std::size_t>(i)] = channel.attach(subscribers.back(), std::nullopt).last_seq;
    }
    producer.join();
    for (int i = 0; i < kSubscribers; ++i) {
        const auto seqs = seqs_of(io, *subscribers[static_cast<std::size_t>(i)]);
        std::uint64_t expected = attached_at[static_cast<std::size_t>(i)] + 1;
        for (const auto seq : seqs) {
            CHECK(seq == expected);
            ++expected;
        }
        CHECK(expected == kEvents + 1);
    }
}

TEST_CASE("events published ahead of an allocated seq wait for it, in seq order", "[core][hub]") {
    boost::asio::io_context io;
    SessionChannel channel("ses_1", 0, 16);
    auto subscriber = std::make_shared<Subscriber>(io.get_executor(), 64);
    (void)channel.attach(subscriber, std::nullopt);
    const auto first = channel.next_seq();   // e.g. a message being stored
    const auto second = channel.next_seq();  // a later event, ready at once
    const auto third = channel.next_seq();   // a write that failed
    const auto fourth = channel.next_seq();
    channel.publish(make_delta_event(second, "ses_1", "t", "m", "b"));
    channel.skip(third);
    channel.publish(make_delta_event(fourth, "ses_1", "t", "m", "d"));
    CHECK(subscriber->queued() == 0);
    CHECK(channel.last_published() == 0);
    channel.publish(make_delta_event(first, "ses_1", "t", "m", "a"));
    CHECK(seqs_of(io, *subscriber) == std::vector<std::uint64_t>{1, 2, 4});
    CHECK(channel.last_published() == 4);
}
