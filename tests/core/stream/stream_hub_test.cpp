#include "core/stream/stream_hub.hpp"

#include <catch2/catch.hpp>

using namespace parley::core;

TEST_CASE("the hub gives one channel per live session and forgets dropped ones", "[core][hub]") {
    StreamHub hub({16, 8});
    auto channel = hub.open("ses_1", 5);
    CHECK(hub.open("ses_1", 3) == channel);
    CHECK(channel->next_seq() == 6);
    // Opening with a higher stored seq raises the counter: seqs are never reused.
    (void)hub.open("ses_1", 100);
    CHECK(channel->next_seq() == 101);
    CHECK(hub.find("ses_1") == channel);
    CHECK(hub.channel_count() == 1);
    channel.reset();
    CHECK(hub.find("ses_1") == nullptr);
    CHECK(hub.channel_count() == 0);
    for (int i = 0; i < 500; ++i) {
        (void)hub.open("ses_" + std::to_string(i), 0);
    }
    CHECK(hub.channel_count() == 0);
}
