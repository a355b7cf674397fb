// The agent runtime end to end below the HTTP layer: a real SqliteStore, the
// stream hub, real providers (mock, and OpenAI against the scripted fake
// model server) and real tools.
#include "core/session_service.hpp"

#include <thread>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include "core/config_loader.hpp"
#include "core/metrics/metrics_registry.hpp"
#include "core/net/http_client.hpp"
#include "core/providers/provider_metrics.hpp"
#include "core/single_thread_context.hpp"
#include "core/tools/blocking_pool.hpp"
#include "storage/id_generator.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/fake_model_server.hpp"

namespace {

namespace asio = boost::asio;
namespace storage = parley::storage;
using namespace parley::core;
using namespace std::chrono_literals;
using parley::testing::FakeModelServer;
using parley::testing::Script;

// Everything a SessionService needs, wired as the daemon wires it, on two I/O threads.
class Harness {
public:
    explicit Harness(const std::string& extra_config, const FakeModelServer* fake = nullptr,
                     AgentCacheOptions cache = {100, 3600s})
        : work_(asio::make_work_guard(io_)),
          store_(make_options()),
          hub_({2048, 1024}),
          http_(io_.get_executor()),
          provider_metrics_(metrics_) {
        std::string text = fmt::format(R"(
[providers.mock]
kind = "mock"
tokens_per_second = 0
[providers.fake]
kind = "openai"
base_url = "http://127.0.0.1:{}/v1"
api_key_env = ""
max_retries = 0
first_byte_timeout_seconds = 5
[agents.echo]
provider = "mock"
tools = ["todo"]
[agents.fake]
provider = "fake"
model = "fake-model"
tools = ["todo"]
)",
                                       fake != nullptr ? fake->port() : 1);
        text += extra_config;
        auto loaded = load_config_string(text, "test.toml", [](std::string_view) { return std::nullopt; });
        auto snapshot = std::make_shared<const ConfigSnapshot>(ConfigSnapshot{loaded.config, 1});
        auto runtime = std::make_shared<AgentRuntime>();
        runtime->config = snapshot;
        runtime->providers = std::make_shared<ProviderRegistry>(snapshot->config, http_, provider_metrics_, 1);
        runtime->tools = std::make_shared<ToolRegistry>(snapshot->config, http_, blocking_);
        service_ = std::make_unique<SessionService>(io_.get_executor(), store_, hub_, cache, clock_, runtime);
        for (int i = 0; i < 2; ++i) {
            threads_.emplace_back([this] { io_.run(); });
        }
    }

    ~Harness() {
        run(service_->shut_down(1s));
        service_.reset();
        work_.reset();
        io_.stop();
        threads_.clear();
        store_.close();
    }

    template <typename T>
    T run(asio::awaitable<T> task) {
        return asio::co_spawn(io_, std::move(task), asio::use_future).get();
    }

    SessionService& service() { return *service_; }
    storage::SqliteStore& store() { return store_; }
    asio::io_context& io() { return io_; }

    storage::Session create(const std::string& agent) {
        auto created = run(service_->create({"acme", agent, std::nullopt, "{}"}));
        REQUIRE(created.has_value());
        return *created;
    }

    std::shared_ptr<Subscriber> subscriber() { return std::make_shared<Subscriber>(io_.get_executor(), 100000); }

    // Events up to and including the turn's terminal one.
    std::vector<EventPtr> events_until_terminal(Subscriber& subscriber, const std::string& turn_id) {
        std::vector<EventPtr> events;
        for (;;) {
            auto batch = run(subscriber.next_batch());
            REQUIRE_FALSE(batch.empty());
            for (auto& event : batch) {
                events.push_back(event);
                if (event->turn_id == turn_id && is_terminal(event->type)) {
                    return events;
                }
            }
        }
    }

private:
    static storage::Options make_options() {
        storage::Options options;
        options.path = ":memory:";
        return options;
    }

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    storage::SqliteStore store_;
    StreamHub hub_;
    HttpClient http_;
    MetricsRegistry metrics_;
    ProviderMetrics provider_metrics_;
    BlockingPool blocking_;
    SteadyClock clock_;
    std::unique_ptr<SessionService> service_;
    std::vector<std::jthread> threads_;
};

std::vector<std::string> types_of(const std::vector<EventPtr>& events) {
    std::vector<std::string> types;
    for (const auto& event : events) {
        types.emplace_back(to_string(event->type));
    }
    return types;
}

std::string deltas_of(const std::vector<EventPtr>& events) {
    std::string text;
    for (const auto& event : events) {
        if (event->type == EventType::message_delta) {
            text += event->delta;
        }
    }
    return text;
}

void check_seqs_increase(const std::vector<EventPtr>& events) {
    for (std::size_t i = 1; i < events.size(); ++i) {
        CHECK(events[i]->seq == events[i - 1]->seq + 1);
    }
}

}  // namespace

TEST_CASE("a turn streams deltas, stores the reply and ends with turn.completed", "[core][session]") {
    Harness harness("");
    const auto session = harness.create("echo");
    auto subscriber = harness.subscriber();
    auto accepted = harness.run(harness.service().send({"acme", session.id, "hello there", subscriber, nullptr}));
    REQUIRE(accepted.has_value());
    CHECK_FALSE(accepted->queued);
    CHECK(accepted->user_message.seq == 1);
    const auto events = harness.events_until_terminal(*subscriber, accepted->turn_id);
    const auto types = types_of(events);
    CHECK(types.front() == "turn.started");
    CHECK(types[types.size() - 2] == "message.completed");
    CHECK(types.back() == "turn.completed");
    check_seqs_increase(events);
    CHECK(deltas_of(events) == "echo: hello there");

    const auto result = harness.run(accepted->turn->wait());
    CHECK(result.status == TurnStatus::completed);
    REQUIRE(result.messages.size() == 2);
    CHECK(result.messages[1].content == "echo: hello there");
    CHECK(result.messages[1].seq == static_cast<std::int64_t>(events[events.size() - 2]->seq));

    const auto stored = harness.run(harness.service().messages("acme", session.id, {50, std::nullopt}));
    REQUIRE(stored.has_value());
    REQUIRE(stored->data.size() == 2);
    CHECK(stored->data[1].content == "echo: hello there");
    const auto reread = harness.run(harness.service().get("acme", session.id));
    REQUIRE(reread.has_value());
    CHECK(reread->last_seq == static_cast<std::int64_t>(events.back()->seq));
}

TEST_CASE("a new session's first send finds its agent cached, and an evicted one is rebuilt from storage",
          "[core][session]") {
    Harness harness("");
    const auto session = harness.create("echo");
    CHECK(harness.service().cache_stats().entries == 1);
    auto subscriber = harness.subscriber();
    auto first = harness.run(harness.service().send({"acme", session.id, "one", subscriber, nullptr}));
    REQUIRE(first.has_value());
    const auto first_events = harness.events_until_terminal(*subscriber, first->turn_id);
    (void)harness.run(first->turn->wait());
    auto stats = harness.service().cache_stats();
    CHECK(stats.hits == 1);
    CHECK(stats.misses == 0);

    // Evicted, the agent is read back with the stored history and seq.
    harness.service().cache().erase(session.id);
    auto listener = harness.subscriber();
    auto second = harness.run(harness.service().send({"acme", session.id, "two", listener, nullptr}));
    REQUIRE(second.has_value());
    const auto events = harness.events_until_terminal(*listener, second->turn_id);
    CHECK(second->user_message.seq > static_cast<std::int64_t>(first_events.back()->seq));
    check_seqs_increase(events);
    const auto result = harness.run(second->turn->wait());
    CHECK(result.status == TurnStatus::completed);
    CHECK(harness.service().cache_stats().misses == 1);
    const auto stored = harness.run(harness.service().messages("acme", session.id, {50, std::nullopt}));
    REQUIRE(stored.has_value());
    CHECK(stored->data.size() == 4);
}

TEST_CASE("an agent lives on the I/O thread of the caller that creates or loads it", "[core][session]") {
    Harness harness("");
    // A connection's thread: a context of its own, run by one thread.
    SingleThreadContext connection;
    auto keep_running = asio::make_work_guard(connection);
    std::jthread connection_thread([&connection] { connection.run(); });
    const auto on_connection = [&connection](auto task) {
        return asio::co_spawn(connection, std::move(task), asio::use_future).get();
    };
    using IoExecutor = asio::io_context::executor_type;

    auto created = on_connection(harness.service().create({"acme", "echo", std::nullopt, "{}"}));
    REQUIRE(created.has_value());
    const auto agent = harness.service().cache().peek(created->id);
    REQUIRE(agent != nullptr);
    REQUIRE(agent->executor.target<IoExecutor>() != nullptr);  // that context's own executor, no strand
    CHECK(&agent->executor.target<IoExecutor>()->context() == &connection);

    // A caller on another context reaches it there, and the turn runs as usual.
    auto subscriber = harness.subscriber();
    auto accepted = harness.run(harness.service().send({"acme", created->id, "hello", subscriber, nullptr}));
    REQUIRE(accepted.has_value());
    CHECK(deltas_of(harness.events_until_terminal(*subscriber, accepted->turn_id)) == "echo: hello");
    CHECK(harness.run(accepted->turn->wait()).status == TurnStatus::completed);

    // Evicted and loaded again by a caller on the service's (multi-threaded) context: a strand there.
    harness.service().cache().erase(created->id);
    auto listener = harness.subscriber();
    auto again = harness.run(harness.service().send({"acme", created->id, "again", listener, nullptr}));
    REQUIRE(again.has_value());
    (void)harness.events_until_terminal(*listener, again->turn_id);
    CHECK(harness.run(again->turn->wait()).status == TurnStatus::completed);
    const auto reloaded = harness.service().cache().peek(created->id);
    REQUIRE(reloaded != nullptr);
    REQUIRE(reloaded->executor.target<AgentState::Strand>() != nullptr);
    CHECK(&reloaded->executor.target<AgentState::Strand>()->get_inner_executor().context() == &harness.io());

    keep_running.reset();
}

TEST_CASE("the todo tool runs inside a turn and its list is kept per session", "[core][session]") {
    Harness harness("");
    const auto session = harness.create("echo");
    auto subscriber = harness.subscriber();
    const std::string command = R"(/tool todo {"todos":[{"id":"1","content":"write tests","status":"pending"}]})";
    auto accepted = harness.run(harness.service().send({"acme", session.id, command, subscriber, nullptr}));
    REQUIRE(accepted.has_value());
    const auto events = harness.events_until_terminal(*subscriber, accepted->turn_id);
    const auto types = types_of(events);
    CHECK(std::find(types.begin(), types.end(), "tool.call") != types.end());
    CHECK(std::find(types.begin(), types.end(), "tool.result") != types.end());
    CHECK(types.back() == "turn.completed");
    const auto result = harness.run(accepted->turn->wait());
    REQUIRE(result.messages.size() == 4);  // user, assistant (tool call), tool, assistant
    CHECK(result.messages[2].role == parley::storage::MessageRole::tool);
    CHECK(result.messages[3].content.rfind("tool said: ", 0) == 0);
    const auto todos = harness.run(harness.service().todos("acme", session.id));
    REQUIRE(todos.has_value());
    REQUIRE(todos->size() == 1);
    CHECK(todos->front().content == "write tests");
}

TEST_CASE("an interrupt stops a hung upstream at once and stores the partial reply", "[core][session]") {
    FakeModelServer fake;
    Script hang;
    hang.text = "partial words then silence";
    hang.hang_after_chunks = 2;
    fake.enqueue(hang);
    Harness harness("", &fake);
    const auto session = harness.create("fake");
    auto subscriber = harness.subscriber();
    auto accepted = harness.run(harness.service().send({"acme", session.id, "go", subscriber, nullptr}));
    REQUIRE(accepted.has_value());
    std::size_t deltas = 0;
    while (deltas < 2) {
        for (const auto& event : harness.run(subscriber->next_batch())) {
            deltas += event->type == EventType::message_delta ? 1 : 0;
        }
    }
    const auto started = std::chrono::steady_clock::now();
    const auto interrupted = harness.run(harness.service().interrupt("acme", session.id));
    REQUIRE(interrupted.has_value());
    CHECK(*interrupted);
    const auto result = harness.run(accepted->turn->wait());
    const auto elapsed = std::chrono::steady_clock::now() - started;
    WARN("interrupt to turn end: " << std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() << " us");
    CHECK(elapsed < 500ms);
    CHECK(result.status == TurnStatus::interrupted);
    REQUIRE(result.messages.size() == 2);
    CHECK(result.messages[1].status == parley::storage::MessageStatus::interrupted);
    CHECK_FALSE(result.messages[1].content.empty());
    const auto events = harness.events_until_terminal(*subscriber, accepted->turn_id);
    CHECK(events.back()->type == EventType::turn_interrupted);
    CHECK(events.back()->json.find("\"message\"") != std::string::npos);
}

TEST_CASE("busy policies: queue, reject and interrupt", "[core][session]") {
    FakeModelServer fake;
    Script slow;
    slow.text = "one two three four";
    slow.delay_per_chunk = 100ms;
    fake.set_default_script(slow);

    SECTION("queue: the second message waits, announced by turn.queued, then runs") {
        Harness harness("", &fake);
        const auto session = harness.create("fake");
        auto subscriber = harness.subscriber();
        auto first = harness.run(harness.service().send({"acme", session.id, "first", subscriber, nullptr}));
        auto second = harness.run(harness.service().send({"acme", session.id, "second", nullptr, nullptr}));
        REQUIRE(first.has_value());
        REQUIRE(second.has_value());
        CHECK(second->queued);
        CHECK(harness.run(second->turn->wait()).status == TurnStatus::completed);
        const auto events = harness.events_until_terminal(*subscriber, second->turn_id);
        const auto types = types_of(events);
        CHECK(std::count(types.begin(), types.end(), "turn.queued") == 1);
        CHECK(std::count(types.begin(), types.end(), "turn.started") == 2);
        CHECK(std::count(types.begin(), types.end(), "turn.completed") == 2);
        check_seqs_increase(events);
    }
    SECTION("queue: at most eight wait") {
        Harness harness("", &fake);
        const auto session = harness.create("fake");
        std::vector<SendAccepted> accepted;
        for (int i = 0; i < 9; ++i) {
            auto sent = harness.run(harness.service().send({"acme", session.id, "m", nullptr, nullptr}));
            REQUIRE(sent.has_value());
            accepted.push_back(*sent);
        }
        auto refused = harness.run(harness.service().send({"acme", session.id, "m", nullptr, nullptr}));
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().code == ServiceErrc::queue_full);
        (void)harness.run(harness.service().interrupt("acme", session.id));
    }
    SECTION("reject") {
        Harness harness("[agents.strict]\nprovider = \"fake\"\nmodel = \"m\"\nbusy_policy = \"reject\"\n", &fake);
        const auto session = harness.create("strict");
        auto first = harness.run(harness.service().send({"acme", session.id, "first", nullptr, nullptr}));
        REQUIRE(first.has_value());
        auto second = harness.run(harness.service().send({"acme", session.id, "second", nullptr, nullptr}));
        REQUIRE_FALSE(second.has_value());
        CHECK(second.error().code == ServiceErrc::turn_in_progress);
    }
    SECTION("interrupt: the running turn stops and the new one runs") {
        Harness harness("[agents.eager]\nprovider = \"fake\"\nmodel = \"m\"\nbusy_policy = \"interrupt\"\n", &fake);
        const auto session = harness.create("eager");
        auto first = harness.run(harness.service().send({"acme", session.id, "first", nullptr, nullptr}));
        REQUIRE(first.has_value());
        auto second = harness.run(harness.service().send({"acme", session.id, "second", nullptr, nullptr}));
        REQUIRE(second.has_value());
        CHECK_FALSE(second->queued);
        CHECK(harness.run(first->turn->wait()).status == TurnStatus::interrupted);
        CHECK(harness.run(second->turn->wait()).status == TurnStatus::completed);
    }
}

TEST_CASE("a model that keeps calling tools ends with max_iterations", "[core][session]") {
    FakeModelServer fake;
    Script tools;
    tools.text = "";
    tools.tool_calls.push_back({"call_1", "todo", "{}", 2, {}});
    fake.set_default_script(tools);
    Harness harness("[agents.loop]\nprovider = \"fake\"\nmodel = \"m\"\ntools = [\"todo\"]\nmax_iterations = 3\n",
                    &fake);
    const auto session = harness.create("loop");
    auto accepted = harness.run(harness.service().send({"acme", session.id, "loop", nullptr, nullptr}));
    REQUIRE(accepted.has_value());
    const auto result = harness.run(accepted->turn->wait());
    CHECK(result.status == TurnStatus::failed);
    REQUIRE(result.error);
    CHECK(result.error->code == "max_iterations");
    CHECK(fake.request_count() == 3);
}

TEST_CASE("parallel tool calls all run and a failing tool becomes an error result", "[core][session]") {
    FakeModelServer fake;
    Script calls;
    calls.text = "";
    calls.tool_calls.push_back({"call_a", "todo", R"({"todos":[{"id":"a","content":"x","status":"pending"}]})", 2, {}});
    calls.tool_calls.push_back({"call_b", "broken", R"({"city":"Oslo"})", 2, {}});
    calls.tool_calls.push_back({"call_c", "todo", R"({"todos":"not a list"})", 1, {}});
    fake.enqueue(calls);
    Script answer;
    answer.text = "done";
    fake.enqueue(answer);
    Harness harness(
        "[tools.broken]\nurl = \"http://127.0.0.1:1/nothing\"\ntimeout_seconds = 2\n"
        "[agents.tooly]\nprovider = \"fake\"\nmodel = \"m\"\ntools = [\"todo\", \"broken\"]\n",
        &fake);
    const auto session = harness.create("tooly");
    auto subscriber = harness.subscriber();
    auto accepted = harness.run(harness.service().send({"acme", session.id, "use tools", subscriber, nullptr}));
    REQUIRE(accepted.has_value());
    const auto result = harness.run(accepted->turn->wait());
    CHECK(result.status == TurnStatus::completed);
    const auto events = harness.events_until_terminal(*subscriber, accepted->turn_id);
    std::map<std::string, bool> errors;
    for (const auto& event : events) {
        if (event->type == EventType::tool_result) {
            const auto json = boost::json::parse(event->json).as_object();
            errors[std::string(json.at("call_id").as_string())] = json.at("is_error").as_bool();
        }
    }
    CHECK(errors == std::map<std::string, bool>{{"call_a", false}, {"call_b", true}, {"call_c", true}});
    // The second model call saw all three results.
    const auto requests = fake.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].body.find("call_b") != std::string::npos);
}

TEST_CASE("an upstream failure ends the turn with turn.failed and the session stays usable", "[core][session]") {
    FakeModelServer fake;
    Script failure;
    failure.status = 500;
    failure.error_body = R"({"error":{"message":"boom"}})";
    fake.enqueue(failure);
    Harness harness("", &fake);
    const auto session = harness.create("fake");
    auto accepted = harness.run(harness.service().send({"acme", session.id, "hi", nullptr, nullptr}));
    REQUIRE(accepted.has_value());
    const auto result = harness.run(accepted->turn->wait());
    CHECK(result.status == TurnStatus::failed);
    REQUIRE(result.error);
    CHECK(result.error->code == "upstream_error");
    auto again = harness.run(harness.service().send({"acme", session.id, "again", nullptr, nullptr}));
    REQUIRE(again.has_value());
    CHECK(harness.run(again->turn->wait()).status == TurnStatus::completed);
    const auto reread = harness.run(harness.service().get("acme", session.id));
    REQUIRE(reread.has_value());
    CHECK(reread->status == parley::storage::SessionStatus::idle);
}

// A running turn stops counting as active before its terminal event goes out,
// so a client that reads the session right after the event (or after a
// non-streaming send returned) finds it idle. The reads run on this thread
// while the turn's own thread may still be finishing it.
TEST_CASE("a client that has seen a turn end finds the session idle", "[core][session]") {
    Harness harness("");
    const auto session = harness.create("echo");
    constexpr int kTurns = 50;
    int busy_after_event = 0;
    int running_after_wait = 0;
    for (int i = 0; i < kTurns; ++i) {
        auto subscriber = harness.subscriber();
        auto accepted = harness.run(harness.service().send({"acme", session.id, "hi", subscriber, nullptr}));
        REQUIRE(accepted.has_value());
        (void)harness.events_until_terminal(*subscriber, accepted->turn_id);
        // At once, from the live agent whose state a session's reads overlay.
        const auto agent = harness.service().cache().peek(session.id);
        REQUIRE(agent);
        busy_after_event += agent->busy() ? 1 : 0;
        REQUIRE(harness.run(accepted->turn->wait()).status == TurnStatus::completed);
        const auto reread = harness.run(harness.service().get("acme", session.id));
        REQUIRE(reread.has_value());
        running_after_wait += reread->status == parley::storage::SessionStatus::running ? 1 : 0;
    }
    CHECK(busy_after_event == 0);
    CHECK(running_after_wait == 0);
}

// The cache's capacity is soft: an agent is kept while a turn of its session
// runs, and also between the cache handing it to a send and that send counting
// its turn. Here every other agent is busy when the session's agent is loaded
// into a full cache, the moment eviction would pick it.
TEST_CASE("a session loaded into a cache full of busy agents keeps one agent while its turn runs", "[core][session]") {
    FakeModelServer fake;
    Script hang;
    hang.text = "words then silence";
    hang.hang_after_chunks = 1;
    fake.set_default_script(hang);
    Harness harness("[agents.strict]\nprovider = \"fake\"\nmodel = \"m\"\nbusy_policy = \"reject\"\n", &fake,
                    {1, 3600s});
    const auto busy = harness.create("strict");
    const auto loaded = harness.create("strict");  // its creation's agent evicts busy's, both idle
    harness.service().cache().erase(loaded.id);    // so its first send loads it from storage
    auto first = harness.run(harness.service().send({"acme", busy.id, "hold the cache", nullptr, nullptr}));
    REQUIRE(first.has_value());

    auto running = harness.run(harness.service().send({"acme", loaded.id, "first", nullptr, nullptr}));
    REQUIRE(running.has_value());
    const auto agent = harness.service().cache().peek(loaded.id);
    REQUIRE(agent);
    CHECK(agent->busy());
    const auto read = harness.run(harness.service().get("acme", loaded.id));
    REQUIRE(read.has_value());
    CHECK(read->status == parley::storage::SessionStatus::running);
    // One agent, one turn at a time: the busy policy holds.
    auto second = harness.run(harness.service().send({"acme", loaded.id, "second", nullptr, nullptr}));
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().code == ServiceErrc::turn_in_progress);

    const auto stopped_loaded = harness.run(harness.service().interrupt("acme", loaded.id));
    CHECK((stopped_loaded.has_value() && *stopped_loaded));
    CHECK(harness.run(running->turn->wait()).status == TurnStatus::interrupted);
    const auto stopped_busy = harness.run(harness.service().interrupt("acme", busy.id));
    CHECK((stopped_busy.has_value() && *stopped_busy));
    CHECK(harness.run(first->turn->wait()).status == TurnStatus::interrupted);
}

// The stored status is written after a turn has ended; an agent evicted in
// between leaves "running" stored for a moment, and no turn runs.
TEST_CASE("a session whose stored status says running reads as idle when no agent of it is live", "[core][session]") {
    Harness harness("");
    const auto session = harness.create("echo");
    harness.service().cache().erase(session.id);
    REQUIRE(harness.run(harness.store().set_session_status(session.id, parley::storage::SessionStatus::running))
                .has_value());
    const auto read = harness.run(harness.service().get("acme", session.id));
    REQUIRE(read.has_value());
    CHECK(read->status == parley::storage::SessionStatus::idle);
    const auto listed = harness.run(harness.service().list("acme", {}));
    REQUIRE(listed.has_value());
    REQUIRE(listed->data.size() == 1);
    CHECK(listed->data[0].status == parley::storage::SessionStatus::idle);
}

TEST_CASE("sessions are scoped to their tenant and content is bounded", "[core][session]") {
    Harness harness("");
    const auto session = harness.create("echo");
    auto other = harness.run(harness.service().send({"intruder", session.id, "hi", nullptr, nullptr}));
    REQUIRE_FALSE(other.has_value());
    CHECK(other.error().code == ServiceErrc::session_not_found);
    CHECK_FALSE(harness.run(harness.service().get("intruder", session.id)).has_value());
    auto huge = harness.run(
        harness.service().send({"acme", session.id, std::string(kMaxContentBytes + 1, 'x'), nullptr, nullptr}));
    REQUIRE_FALSE(huge.has_value());
    CHECK(huge.error().code == ServiceErrc::content_too_long);
    auto unknown = harness.run(harness.service().create({"acme", "nobody", std::nullopt, "{}"}));
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error().code == ServiceErrc::agent_not_found);
}

TEST_CASE("resuming a subscription replays the retained events of a turn", "[core][session]") {
    Harness harness("");
    const auto session = harness.create("echo");
    auto accepted = harness.run(harness.service().send({"acme", session.id, "a b c", nullptr, nullptr}));
    REQUIRE(accepted.has_value());
    (void)harness.run(accepted->turn->wait());
    auto late = harness.subscriber();
    const auto subscribed = harness.run(harness.service().subscribe("acme", session.id, late, 0));
    REQUIRE(subscribed.has_value());
    CHECK(subscribed->attachment.result == AttachResult::subscribed);
    const auto events = harness.events_until_terminal(*late, accepted->turn_id);
    CHECK(events.front()->seq == 1);
    CHECK(deltas_of(events) == "echo: a b c");
}

TEST_CASE("recover resets sessions left running and records their unfinished turn as failed", "[core][session]") {
    namespace st = parley::storage;
    Harness harness("");
    auto& store = harness.store();
    auto message = [](const std::string& session_id, std::int64_t seq, st::MessageRole role, std::string content) {
        st::Message stored;
        stored.id = st::generate_id("msg_");
        stored.session_id = session_id;
        stored.seq = seq;
        stored.role = role;
        stored.content = std::move(content);
        return stored;
    };
    // What a crash mid-turn leaves: the user message stored, seqs 2..7 reserved for
    // the turn's events (clients may have seen some), the session still running.
    constexpr std::int64_t kReserved = 7;
    const auto crashed = harness.create("echo");
    REQUIRE(harness.run(store.append_message(message(crashed.id, 1, st::MessageRole::user, "unanswered"))).has_value());
    REQUIRE(harness.run(store.reserve_seq(crashed.id, kReserved)).has_value());
    REQUIRE(harness.run(store.set_session_status(crashed.id, st::SessionStatus::running)).has_value());
    // Running too, but its turn had stored the reply: nothing to record.
    const auto answered = harness.create("echo");
    REQUIRE(harness.run(store.append_message(message(answered.id, 1, st::MessageRole::user, "question"))).has_value());
    REQUIRE(
        harness.run(store.append_message(message(answered.id, 2, st::MessageRole::assistant, "answer"))).has_value());
    REQUIRE(harness.run(store.set_session_status(answered.id, st::SessionStatus::running)).has_value());
    // Idle: not touched.
    const auto idle = harness.create("echo");
    REQUIRE(harness.run(store.append_message(message(idle.id, 1, st::MessageRole::user, "left alone"))).has_value());

    // A crash leaves nothing cached: forget the agents their creation cached.
    for (const auto* session : {&crashed, &answered, &idle}) {
        harness.service().cache().erase(session->id);
    }
    CHECK(harness.run(harness.service().recover()) == 2);
    // Stored as idle too, not only read as idle (no agent of this process runs them).
    for (const auto* reset : {&crashed, &answered}) {
        const auto stored_session = harness.run(store.get_session("acme", reset->id));
        REQUIRE(stored_session.has_value());
        CHECK(stored_session->status == st::SessionStatus::idle);
    }

    const auto session = harness.run(harness.service().get("acme", crashed.id));
    REQUIRE(session.has_value());
    CHECK(session->status == st::SessionStatus::idle);
    auto stored = harness.run(harness.service().messages("acme", crashed.id, {50, std::nullopt}));
    REQUIRE(stored.has_value());
    REQUIRE(stored->data.size() == 2);
    CHECK(stored->data[0].content == "unanswered");
    const auto& failed = stored->data[1];
    CHECK(failed.role == st::MessageRole::assistant);
    CHECK(failed.status == st::MessageStatus::failed);
    CHECK(failed.seq > kReserved);  // past every seq the dead turn may have published
    CHECK(session->last_seq == failed.seq);

    const auto other = harness.run(harness.service().get("acme", answered.id));
    REQUIRE(other.has_value());
    CHECK(other->status == st::SessionStatus::idle);
    const auto other_messages = harness.run(harness.service().messages("acme", answered.id, {50, std::nullopt}));
    REQUIRE(other_messages.has_value());
    CHECK(other_messages->data.size() == 2);
    const auto untouched = harness.run(harness.service().messages("acme", idle.id, {50, std::nullopt}));
    REQUIRE(untouched.has_value());
    CHECK(untouched->data.size() == 1);

    // The next turn numbers its message and events after the failed reply: no seq is reused.
    auto subscriber = harness.subscriber();
    auto accepted = harness.run(harness.service().send({"acme", crashed.id, "again", subscriber, nullptr}));
    REQUIRE(accepted.has_value());
    CHECK(accepted->user_message.seq == failed.seq + 1);
    const auto events = harness.events_until_terminal(*subscriber, accepted->turn_id);
    REQUIRE_FALSE(events.empty());
    CHECK(events.front()->seq > static_cast<std::uint64_t>(failed.seq));
    check_seqs_increase(events);
    CHECK(events.back()->type == EventType::turn_completed);
    stored = harness.run(harness.service().messages("acme", crashed.id, {50, std::nullopt}));
    REQUIRE(stored.has_value());
    REQUIRE(stored->data.size() == 4);
    for (std::size_t i = 1; i < stored->data.size(); ++i) {
        CHECK(stored->data[i].seq > stored->data[i - 1].seq);
    }
    CHECK(stored->data[3].content == "echo: again");
}

TEST_CASE("a stateless completion runs the agent loop on the given history and stores nothing", "[core][session]") {
    Harness harness("");
    auto subscriber = harness.subscriber();
    std::vector<storage::Message> history(3);
    history[0].role = storage::MessageRole::user;
    history[0].content = "an earlier question";
    history[1].role = storage::MessageRole::assistant;
    history[1].content = "an earlier answer";
    history[2].role = storage::MessageRole::user;
    history[2].content = R"(/tool todo {"todos":[{"id":"1","content":"plan","status":"pending"}]})";
    CompletionRequest request{"acme", "echo", history, TurnOptions{"Be brief.", 0.1, 50}, subscriber};
    auto accepted = harness.run(harness.service().complete(std::move(request)));
    REQUIRE(accepted.has_value());
    const auto events = harness.events_until_terminal(*subscriber, accepted->turn_id);
    const auto types = types_of(events);
    CHECK(std::find(types.begin(), types.end(), "tool.call") != types.end());
    CHECK(types.back() == "turn.completed");
    CHECK(deltas_of(events) == R"(tool said: {"todos":[{"id":"1","content":"plan","status":"pending"}]})");

    const auto result = harness.run(accepted->turn->wait());
    CHECK(result.status == TurnStatus::completed);
    REQUIRE(result.messages.size() == 3);  // assistant (tool call), tool, assistant: no user message
    CHECK(result.messages[0].role == storage::MessageRole::assistant);
    CHECK(result.usage.input_tokens > 0);
    CHECK(result.stop_reason == "stop");

    const auto sessions = harness.run(harness.service().list("acme", {}));
    REQUIRE(sessions.has_value());
    CHECK(sessions->data.empty());
    const auto hits = harness.run(harness.service().search("acme", "plan", 10));
    REQUIRE(hits.has_value());
    CHECK(hits->empty());

    CompletionRequest unknown{"acme", "nobody", {}, {}, nullptr};
    const auto refused = harness.run(harness.service().complete(std::move(unknown)));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == ServiceErrc::agent_not_found);
}

TEST_CASE("cancelling a stateless completion interrupts its turn", "[core][session]") {
    FakeModelServer fake;
    Script hang;
    hang.text = "partial words then silence";
    hang.hang_after_chunks = 2;
    fake.enqueue(hang);
    Harness harness("", &fake);
    auto subscriber = harness.subscriber();
    std::vector<storage::Message> history(1);
    history[0].content = "hello";
    CompletionRequest request{"acme", "fake", history, {}, subscriber};
    auto accepted = harness.run(harness.service().complete(std::move(request)));
    REQUIRE(accepted.has_value());
    // Wait for the first delta, then cancel as a departing client would.
    for (bool delta = false; !delta;) {
        for (const auto& event : harness.run(subscriber->next_batch())) {
            delta = delta || event->type == EventType::message_delta;
        }
    }
    const auto started = std::chrono::steady_clock::now();
    accepted->cancel();
    const auto result = harness.run(accepted->turn->wait());
    CHECK(result.status == TurnStatus::interrupted);
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    CHECK(harness.service().turn_stats().interrupted == 1);
}
