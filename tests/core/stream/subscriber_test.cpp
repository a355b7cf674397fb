#include "core/stream/subscriber.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

namespace {

using namespace parley::core;

std::vector<EventPtr> take_batch(boost::asio::io_context& io, Subscriber& subscriber) {
    auto future = boost::asio::co_spawn(io, subscriber.next_batch(), boost::asio::use_future);
    io.restart();
    io.run();
    return future.get();
}

}  // namespace

TEST_CASE("a subscriber hands over queued events in order", "[core][hub]") {
    boost::asio::io_context io;
    Subscriber subscriber(io.get_executor(), 16);
    for (std::uint64_t seq = 1; seq <= 5; ++seq) {
        subscriber.push(make_delta_event(seq, "ses", "turn", "msg", std::to_string(seq)));
    }
    const auto batch = take_batch(io, subscriber);
    REQUIRE(batch.size() == 5);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        CHECK(batch[i]->seq == i + 1);
    }
}

TEST_CASE("a lagging subscriber gets adjacent deltas merged, carrying the last seq", "[core][hub]") {
    boost::asio::io_context io;
    Subscriber subscriber(io.get_executor(), 4);
    std::string expected;
    for (std::uint64_t seq = 1; seq <= 10; ++seq) {
        const auto piece = "w" + std::to_string(seq) + " ";
        expected += piece;
        subscriber.push(make_delta_event(seq, "ses", "turn", "msg", piece));
    }
    CHECK(subscriber.close_reason() == SubscriberClose::open);
    const auto batch = take_batch(io, subscriber);
    REQUIRE_FALSE(batch.empty());
    CHECK(batch.size() <= 4);
    std::string received;
    for (const auto& event : batch) {
        received += event->delta;
    }
    CHECK(received == expected);
    CHECK(batch.back()->seq == 10);
}

TEST_CASE("merged deltas have JSON when the deltas had it, and none when they had none", "[core][hub]") {
    boost::asio::io_context io;
    for (const auto json : {EventJson::write, EventJson::skip}) {
        Subscriber subscriber(io.get_executor(), 2, json);
        for (std::uint64_t seq = 1; seq <= 6; ++seq) {
            subscriber.push(make_delta_event(seq, "ses", "turn", "msg", std::to_string(seq), json));
        }
        const auto batch = take_batch(io, subscriber);
        REQUIRE_FALSE(batch.empty());
        std::string received;
        for (const auto& event : batch) {
            received += event->delta;
            if (json == EventJson::write) {
                CHECK(boost::json::parse(event->json).at("delta").as_string() == event->delta);
            } else {
                CHECK(event->json.empty());
            }
        }
        CHECK(received == "123456");
        CHECK(batch.size() < 6);
    }
}

TEST_CASE("a subscriber that stays over its bound is closed as too slow", "[core][hub]") {
    boost::asio::io_context io;
    Subscriber subscriber(io.get_executor(), 4);
    // Events that cannot be merged (different messages).
    for (std::uint64_t seq = 1; seq <= 6; ++seq) {
        subscriber.push(make_delta_event(seq, "ses", "turn", "msg_" + std::to_string(seq), "x"));
    }
    CHECK(subscriber.close_reason() == SubscriberClose::too_slow);
    CHECK(take_batch(io, subscriber).empty());
}

TEST_CASE("closing wakes a waiting consumer with an empty batch", "[core][hub]") {
    boost::asio::io_context io;
    Subscriber subscriber(io.get_executor(), 4);
    auto future = boost::asio::co_spawn(io, subscriber.next_batch(), boost::asio::use_future);
    io.run_one();  // the consumer is now waiting on its doorbell
    subscriber.close(SubscriberClose::unsubscribed);
    io.run();
    CHECK(future.get().empty());
    CHECK(subscriber.close_reason() == SubscriberClose::unsubscribed);
}

TEST_CASE("a poke wakes the consumer with nothing, but never ahead of queued events", "[core][hub]") {
    boost::asio::io_context io;
    Subscriber subscriber(io.get_executor(), 16);
    auto idle = boost::asio::co_spawn(io, subscriber.next_batch_or_poke(), boost::asio::use_future);
    boost::asio::post(io, [&] { subscriber.poke(); });
    io.run();
    CHECK_FALSE(idle.get().has_value());

    // Events queued with a poke go out, and the poke is spent with them.
    subscriber.push(make_delta_event(1, "ses", "turn", "msg", "a"));
    subscriber.poke();
    auto ready = boost::asio::co_spawn(io, subscriber.next_batch_or_poke(), boost::asio::use_future);
    io.restart();
    io.run();
    const auto batch = ready.get();
    REQUIRE(batch.has_value());
    REQUIRE(batch->size() == 1);
    CHECK(batch->front()->seq == 1);

    auto next = boost::asio::co_spawn(io, subscriber.next_batch_or_poke(), boost::asio::use_future);
    boost::asio::post(io, [&] { subscriber.push(make_delta_event(2, "ses", "turn", "msg", "b")); });
    io.restart();
    io.run();
    const auto later = next.get();
    REQUIRE(later.has_value());
    REQUIRE(later->size() == 1);
    CHECK(later->front()->seq == 2);
}

TEST_CASE("a wait for events or a poke ends with an empty batch on close", "[core][hub]") {
    boost::asio::io_context io;
    Subscriber subscriber(io.get_executor(), 16);
    auto closed = boost::asio::co_spawn(io, subscriber.next_batch_or_poke(), boost::asio::use_future);
    boost::asio::post(io, [&] { subscriber.close(SubscriberClose::shutdown); });
    io.run();
    const auto last = closed.get();
    REQUIRE(last.has_value());
    CHECK(last->empty());
}
