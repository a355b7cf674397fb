// Stream hub fan-out (issue 5): message.delta events published through the real
// StreamHub / SessionChannel and drained by one consumer coroutine per Subscriber
// (Subscriber::next_batch, the way the WebSocket writer and SSE responses read).
//
// 1. One session, --subscribers subscribers (1 x 1,000).
// 2. --sessions sessions, one subscriber each (1,000 x 1).
//
// The publisher (its own thread, as a session's executor would be) publishes
// --fan-out-deltas / --sessions-deltas deltas in rounds of --burst per session and waits until every
// subscriber has received a round before the next, so no queue reaches its bound
// and nothing is merged or dropped: every delta is delivered to every subscriber.
// Consumers run on an io_context with --threads threads. Reports deltas delivered
// per second (one delta to one subscriber counts once) and the process's CPU time
// (getrusage: user + system, all threads) per delivered and per published delta.
// Each published delta is built with make_delta_event (its JSON serialized once).
//
// Quick run: parley_hub_bench --fan-out-deltas 2000 --sessions-deltas 100000
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/stream/event.hpp"
#include "core/stream/session_channel.hpp"
#include "core/stream/stream_hub.hpp"
#include "core/stream/subscriber.hpp"

namespace asio = boost::asio;
using namespace parley::core;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct Settings {
    unsigned fan_out_deltas = 20'000;      // scenario 1: each goes to every subscriber
    unsigned sessions_deltas = 1'000'000;  // scenario 2: spread over the sessions
    unsigned subscribers = 1'000;
    unsigned sessions = 1'000;
    unsigned burst = 64;  // per session per round; well under the subscriber queue bound
    unsigned threads = 2;
};

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Counts deliveries; the publisher waits on it between rounds.
class Delivered {
public:
    void add(std::uint64_t count) {
        const auto total = delivered_.fetch_add(count) + count;
        if (total >= target_.load()) {
            const std::lock_guard lock(mutex_);
            ready_.notify_all();
        }
    }

    void wait_for(std::uint64_t target) {
        target_.store(target);
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return delivered_.load() >= target; });
    }

    [[nodiscard]] std::uint64_t total() const { return delivered_.load(); }

private:
    std::atomic<std::uint64_t> delivered_{0};
    std::atomic<std::uint64_t> target_{0};
    std::mutex mutex_;
    std::condition_variable ready_;
};

// One client: drains its subscriber until it is closed.
asio::awaitable<void> consume(std::shared_ptr<Subscriber> subscriber, Delivered& delivered,
                              std::atomic<std::uint64_t>& bytes) {
    for (;;) {
        const auto batch = co_await subscriber->next_batch();
        if (batch.empty()) {
            co_return;
        }
        std::uint64_t seen = 0;
        for (const auto& event : batch) {
            seen += event->json.size();  // what a writer would send
        }
        bytes.fetch_add(seen, std::memory_order_relaxed);
        delivered.add(batch.size());
    }
}

struct Figures {
    double seconds = 0;
    double cpu = 0;
    std::uint64_t published = 0;
    std::uint64_t delivered = 0;
    unsigned closed_early = 0;  // subscribers closed as too slow (must be 0)
};

// `sessions` channels with `per_session` subscribers each; `deltas` published in all.
Figures run(const Settings& settings, unsigned sessions, unsigned per_session, unsigned deltas) {
    StreamHub hub(StreamHubOptions{});
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < settings.threads; ++i) {
        threads.emplace_back([&io] { io.run(); });
    }

    std::vector<std::shared_ptr<SessionChannel>> channels;
    std::vector<std::shared_ptr<Subscriber>> subscribers;
    Delivered delivered;
    std::atomic<std::uint64_t> bytes{0};
    for (unsigned s = 0; s < sessions; ++s) {
        channels.push_back(hub.open(fmt::format("ses_bench_{:06}", s), 0));
        for (unsigned c = 0; c < per_session; ++c) {
            auto subscriber = std::make_shared<Subscriber>(io.get_executor(), hub.options().subscriber_queue);
            (void)channels.back()->attach(subscriber, std::nullopt);
            subscribers.push_back(subscriber);
            asio::co_spawn(io, consume(subscriber, delivered, bytes), asio::detached);
        }
    }

    const std::string turn_id = "turn_bench";
    const std::string message_id = "msg_bench";
    const unsigned per_session_total = std::max(1U, deltas / sessions);
    const unsigned burst = std::max(1U, std::min(settings.burst, per_session_total));
    Figures figures;
    const auto started = SteadyClock::now();
    const double cpu_started = cpu_seconds();
    std::uint64_t expected = 0;
    for (unsigned sent = 0; sent < per_session_total; sent += burst) {
        const unsigned round = std::min(burst, per_session_total - sent);
        for (const auto& channel : channels) {
            for (unsigned i = 0; i < round; ++i) {
                const auto seq = channel->next_seq();
                channel->publish(make_delta_event(seq, channel->session_id(), turn_id, message_id, " tok"));
            }
        }
        figures.published += static_cast<std::uint64_t>(round) * sessions;
        expected += static_cast<std::uint64_t>(round) * sessions * per_session;
        delivered.wait_for(expected);
    }
    figures.seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
    figures.cpu = cpu_seconds() - cpu_started;
    figures.delivered = delivered.total();
    for (const auto& subscriber : subscribers) {
        figures.closed_early += subscriber->close_reason() == SubscriberClose::too_slow ? 1 : 0;
    }

    hub.close_all(SubscriberClose::shutdown);
    work.reset();
    for (auto& thread : threads) {
        thread.join();
    }
    return figures;
}

void report(std::string_view name, const Figures& figures) {
    const auto delivered = static_cast<double>(figures.delivered);
    fmt::print(
        "{}: {} published, {} delivered in {:.3f} s: {:.0f} deltas/s delivered, CPU {:.3f} s: {:.0f} ns per "
        "delivered delta, {:.0f} ns per published delta{}\n",
        name, figures.published, figures.delivered, figures.seconds, delivered / figures.seconds, figures.cpu,
        figures.cpu * 1e9 / delivered, figures.cpu * 1e9 / static_cast<double>(figures.published),
        figures.closed_early != 0 ? fmt::format(" ({} subscribers closed as too slow)", figures.closed_early) : "");
}

}  // namespace

int main(int argc, char** argv) {
    Settings settings;
    bool skip_fan_out = false;
    bool skip_sessions = false;
    CLI::App app{"parley stream hub fan-out benchmark"};
    app.add_option("--fan-out-deltas", settings.fan_out_deltas, "deltas published to the one session");
    app.add_option("--sessions-deltas", settings.sessions_deltas, "deltas published over the many sessions");
    app.add_option("--subscribers", settings.subscribers, "subscribers of the one session (scenario 1)");
    app.add_option("--sessions", settings.sessions, "sessions with one subscriber each (scenario 2)");
    app.add_option("--burst", settings.burst, "deltas per session per round")->check(CLI::PositiveNumber);
    app.add_option("--threads", settings.threads, "consumer I/O threads")->check(CLI::PositiveNumber);
    app.add_flag("--skip-fan-out", skip_fan_out, "skip 1 session x N subscribers");
    app.add_flag("--skip-sessions", skip_sessions, "skip N sessions x 1 subscriber");
    CLI11_PARSE(app, argc, argv);
    fmt::print("hub bench: bursts of {} deltas per session, {} consumer threads\n", settings.burst, settings.threads);
    if (!skip_fan_out) {
        report(fmt::format("1 session x {} subscribers", settings.subscribers),
               run(settings, 1, settings.subscribers, settings.fan_out_deltas));
    }
    if (!skip_sessions) {
        report(fmt::format("{} sessions x 1 subscriber", settings.sessions),
               run(settings, settings.sessions, 1, settings.sessions_deltas));
    }
    return 0;
}
