#include "server/io_threads.hpp"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

namespace asio = boost::asio;
using parley::server::IoThreads;

TEST_CASE("I/O threads: each context runs on a thread of its own, handed out round-robin", "[server]") {
    IoThreads threads(3);
    REQUIRE(threads.size() == 3);
    auto& primary = threads.primary();
    const auto keep_running = asio::make_work_guard(primary);  // as the daemon's acceptor and signals do

    std::set<asio::io_context*> handed_out;
    for (int i = 0; i < 6; ++i) {
        handed_out.insert(&threads.next());
    }
    CHECK(handed_out.size() == 3);
    CHECK(handed_out.contains(&primary));

    // One handler per context records its thread; the last one stops the primary.
    std::mutex mutex;
    std::set<std::thread::id> ran_on;
    std::atomic<int> remaining{3};
    for (auto* context : handed_out) {
        asio::post(*context, [&] {
            {
                const std::lock_guard lock(mutex);
                ran_on.insert(std::this_thread::get_id());
            }
            if (remaining.fetch_sub(1) == 1) {
                primary.stop();
            }
        });
    }
    threads.run();  // returns once the primary stops, having stopped and joined the others
    CHECK(ran_on.size() == 3);
    CHECK(ran_on.contains(std::this_thread::get_id()));  // the primary runs on the caller's thread
}

TEST_CASE("I/O threads: a pending operation of one context may hold another's socket at destruction", "[server]") {
    // As the accept loop does: the primary's pending accept owns a socket of the next context.
    auto threads = std::make_unique<IoThreads>(2);
    asio::ip::tcp::acceptor acceptor(threads->primary(), {asio::ip::make_address("127.0.0.1"), 0});
    auto* other = &threads->next();
    if (other == &threads->primary()) {
        other = &threads->next();
    }
    REQUIRE(other != &threads->primary());
    bool completed = false;
    acceptor.async_accept(*other, [&completed](boost::system::error_code, asio::ip::tcp::socket) { completed = true; });
    acceptor.close();  // the aborted accept is queued on the primary, never run
    threads.reset();   // AddressSanitizer reports a use after free if the other context goes first
    CHECK_FALSE(completed);
}

TEST_CASE("I/O threads: destroyed without ever running, as after a start-up failure", "[server]") {
    bool ran = false;
    {
        IoThreads threads(3);
        (void)threads.next();
        asio::post(threads.next(), [&ran] { ran = true; });  // a secondary context, kept alive by its guard
    }
    CHECK_FALSE(ran);  // destroyed with its context, never run
}
