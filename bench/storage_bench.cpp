// Storage benchmark (issue 3).
//
// 1. Insert throughput: one message per transaction (BEGIN, INSERT, UPDATE
//    last_seq, COMMIT on one connection, the way a naive gateway writes) vs the
//    BatchWriter fed by many concurrent producers, in the same run and with the
//    same synchronous mode. Prints msgs/s for both and their ratio.
// 2. Read latency: p50/p99 of "last 50 messages of a session" (Store::list_messages
//    through the ReadPool, measured by the awaiting coroutine) on a database of
//    --sessions x --messages while the writer sustains --write-rate appends/s.
//
// Besides the readable lines, prints one "result key=value ..." line per test
// for bench/scenarios/storage.sh. CPU figures are getrusage(RUSAGE_SELF), all
// threads, over the timed part: steadier than wall time on a shared machine.
//
// Quick run: parley_storage_bench --sessions 500 --messages 20 --inserts 5000
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/resource.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "storage/connection.hpp"
#include "storage/id_generator.hpp"
#include "storage/migrations.hpp"
#include "storage/search_index.hpp"
#include "storage/sqlite_store.hpp"
#include "storage/transaction.hpp"

namespace asio = boost::asio;
using namespace parley::storage;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct Settings {
    std::string dir;
    SyncMode sync = SyncMode::normal;
    unsigned inserts = 20'000;      // batched writer; the per-transaction baseline runs inserts / baseline_divisor
    unsigned baseline_divisor = 1;  // FULL fsyncs each baseline commit: fewer of them keep the run short
    unsigned producers = 256;       // concurrent awaiting appenders for the batched writer
    unsigned lone = 5'000;          // appends one at a time for the lone write's latency
    unsigned sessions = 10'000;
    unsigned messages = 100;
    unsigned queries = 20'000;
    unsigned clients = 4;         // concurrent readers issuing queries back to back
    unsigned write_rate = 2'000;  // background appends per second during the read test
    unsigned read_pool = 5;
    unsigned wal_autocheckpoint = Options{}.wal_autocheckpoint_pages;
    std::string latency_dir;  // when set: a percentile table per latency test (for the scenario's plot)
};

constexpr std::array kWords{"the",     "agent",  "model",   "session", "stream", "token",   "batch", "commit",
                            "writer",  "reader", "latency", "search",  "query",  "message", "tool",  "result",
                            "weather", "city",   "todo",    "list",    "Grüße",  "日本",    "hello", "world",
                            "quick",   "brown",  "fox",     "jumps",   "over",   "lazy",    "dog",   "answer"};

std::string sentence(std::mt19937_64& random) {
    std::uniform_int_distribution<std::size_t> length(8, 30);
    std::uniform_int_distribution<std::size_t> word(0, kWords.size() - 1);
    std::string text;
    for (std::size_t i = 0, n = length(random); i < n; ++i) {
        if (i != 0) {
            text += ' ';
        }
        text += kWords[word(random)];
    }
    return text;
}

Message make_message(const std::string& session_id, std::int64_t seq, std::string content) {
    Message message;
    message.id = generate_id("msg_");
    message.session_id = session_id;
    message.seq = seq;
    message.role = seq % 2 == 1 ? MessageRole::user : MessageRole::assistant;
    message.content = std::move(content);
    return message;
}

// CPU seconds used so far by the whole process (user + system, all threads).
double process_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Rate {
    double per_second = 0;
    double cpu_us_per_message = 0;
};

void remove_database(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(path + suffix);
    }
}

// Creates sessions directly (one transaction) on a migrated database.
std::vector<std::string> create_sessions(Connection& db, unsigned count, std::int64_t now) {
    std::vector<std::string> ids;
    Transaction transaction(db, TransactionMode::immediate);
    auto insert = db.cached(
        "INSERT INTO sessions (id, tenant, agent, created_at, updated_at) VALUES (?1, 'bench', 'assistant', ?2, ?2)");
    for (unsigned i = 0; i < count; ++i) {
        ids.push_back(generate_id("ses_"));
        insert->bind_text(1, ids.back());
        insert->bind_int64(2, now);
        insert->run();
        insert->reset();
    }
    transaction.commit();
    return ids;
}

// A new migrated database at path with `sessions` sessions, and their ids.
std::vector<std::string> fresh_database(const Settings& settings, const std::string& path, unsigned sessions) {
    remove_database(path);
    Connection db(path, ConnectionRole::writer, settings.sync, 5000);
    apply_migrations(db);
    return create_sessions(db, sessions, system_now_ms());
}

// The store's options for the database at path, as the settings ask.
Options store_options(const Settings& settings, const std::string& path) {
    Options options;
    options.path = path;
    options.synchronous = settings.sync;
    options.wal_autocheckpoint_pages = settings.wal_autocheckpoint;
    return options;
}

// --- 1. insert throughput -----------------------------------------------------

Rate per_transaction_rate(const Settings& settings, const std::string& path) {
    remove_database(path);
    Connection db(path, ConnectionRole::writer, settings.sync, 5000);
    db.exec(fmt::format("PRAGMA wal_autocheckpoint = {}", settings.wal_autocheckpoint));
    apply_migrations(db);
    const std::string session = create_sessions(db, 1, system_now_ms()).front();
    std::mt19937_64 random(1);
    const unsigned count = std::max(1U, settings.inserts / settings.baseline_divisor);
    std::vector<Message> messages;
    for (unsigned i = 1; i <= count; ++i) {
        messages.push_back(make_message(session, i, sentence(random)));
    }
    const double cpu_started = process_cpu_seconds();
    const auto started = SteadyClock::now();
    for (const Message& message : messages) {
        Transaction transaction(db, TransactionMode::immediate);
        auto insert = db.cached(
            "INSERT INTO messages (id, session_id, seq, role, content, status, created_at)"
            " VALUES (?1, ?2, ?3, ?4, ?5, 'complete', ?6)");
        insert->bind_text(1, message.id);
        insert->bind_text(2, message.session_id);
        insert->bind_int64(3, message.seq);
        insert->bind_text(4, to_string(message.role));
        insert->bind_text(5, message.content);
        insert->bind_int64(6, system_now_ms());
        insert->run();
        auto update = db.cached("UPDATE sessions SET last_seq = max(last_seq, ?2), updated_at = ?3 WHERE id = ?1");
        update->bind_text(1, message.session_id);
        update->bind_int64(2, message.seq);
        update->bind_int64(3, system_now_ms());
        update->run();
        index_pending_messages(db);  // a naive writer keeps search in sync in every transaction
        transaction.commit();
    }
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
    return {count / seconds, (process_cpu_seconds() - cpu_started) * 1e6 / count};
}

asio::awaitable<void> append_loop(SqliteStore& store, std::string session_id, unsigned count,
                                  std::atomic<unsigned>& failures) {
    std::mt19937_64 random(std::hash<std::string>{}(session_id));
    for (unsigned seq = 1; seq <= count; ++seq) {
        const Result<Message> stored = co_await store.append_message(make_message(session_id, seq, sentence(random)));
        if (!stored) {
            failures.fetch_add(1);
        }
    }
}

Rate batched_rate(const Settings& settings, const std::string& path, StoreStats& stats) {
    const std::vector<std::string> sessions = fresh_database(settings, path, settings.producers);
    SqliteStore store(store_options(settings, path));
    asio::io_context io;
    std::atomic<unsigned> failures{0};
    const unsigned per_producer = std::max(1U, settings.inserts / settings.producers);
    for (const std::string& session : sessions) {
        asio::co_spawn(io, append_loop(store, session, per_producer, failures), asio::detached);
    }
    const double cpu_started = process_cpu_seconds();
    const auto started = SteadyClock::now();
    io.run();
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
    const double cpu_seconds = process_cpu_seconds() - cpu_started;
    stats = store.stats();
    if (failures.load() != 0) {
        fmt::print(stderr, "batched: {} appends failed\n", failures.load());
    }
    const double messages = per_producer * settings.producers;
    return {messages / seconds, cpu_seconds * 1e6 / messages};
}

// --- 1b. a lone write's latency ----------------------------------------------------
// What a WebSocket send waits for before its turn may call the model: one
// append at a time through the store (the writer idle between them), timed by
// the awaiting coroutine from the call to its completion on the caller's thread.

struct LoneLatency {
    double p50_us = 0;
    double p99_us = 0;
    double cpu_us = 0;
};

asio::awaitable<void> lone_appends(SqliteStore& store, std::string session_id, unsigned count,
                                   std::vector<double>& latencies_us, std::atomic<unsigned>& failures) {
    std::mt19937_64 random(4);
    for (unsigned seq = 1; seq <= count; ++seq) {
        Message message = make_message(session_id, 2 * seq - 1, sentence(random));
        const auto started = SteadyClock::now();
        const Result<Message> stored = co_await store.append_message_reserving(std::move(message), 2 * seq);
        latencies_us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - started).count());
        if (!stored) {
            failures.fetch_add(1);
        }
    }
}

double percentile(std::vector<double>& sorted, double p) {
    const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
    return sorted[index];
}

const char* sync_name(SyncMode sync) {
    return sync == SyncMode::full ? "full" : "normal";
}

// Writes "PERCENTILE LATENCY_US" lines of sorted latencies to settings.latency_dir/NAME.dat, when set.
void write_percentiles(const Settings& settings, const std::string& name, std::vector<double>& sorted,
                       const std::string& what) {
    if (settings.latency_dir.empty() || sorted.empty()) {
        return;
    }
    std::ofstream out(std::filesystem::path(settings.latency_dir) / (name + ".dat"));
    out << "# percentile latency_us (" << what << ")\n";
    for (const double p : {50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.99}) {
        out << p << ' ' << percentile(sorted, p / 100.0) << '\n';
    }
}

LoneLatency lone_latency(const Settings& settings, const std::string& path) {
    const std::string session = fresh_database(settings, path, 1).front();
    SqliteStore store(store_options(settings, path));
    asio::io_context io;
    std::vector<double> latencies;
    latencies.reserve(settings.lone);
    std::atomic<unsigned> failures{0};
    asio::co_spawn(io, lone_appends(store, session, settings.lone, latencies, failures), asio::detached);
    const double cpu_started = process_cpu_seconds();
    io.run();
    const double cpu_seconds = process_cpu_seconds() - cpu_started;
    if (failures.load() != 0) {
        fmt::print(stderr, "lone: {} appends failed\n", failures.load());
    }
    std::sort(latencies.begin(), latencies.end());
    write_percentiles(settings, fmt::format("lone_{}", sync_name(settings.sync)), latencies, "a lone append, awaited");
    return {percentile(latencies, 0.50), percentile(latencies, 0.99), cpu_seconds * 1e6 / settings.lone};
}

// --- 2. read latency under write load -------------------------------------------

void populate(const Settings& settings, const std::string& path, std::vector<std::string>& sessions) {
    remove_database(path);
    Connection db(path, ConnectionRole::writer, SyncMode::normal, 5000);
    apply_migrations(db);
    sessions = create_sessions(db, settings.sessions, system_now_ms());
    std::mt19937_64 random(2);
    constexpr unsigned kSessionsPerTransaction = 200;
    auto insert = [&](const Message& message) {
        auto statement = db.cached(
            "INSERT INTO messages (id, session_id, seq, role, content, status, created_at)"
            " VALUES (?1, ?2, ?3, ?4, ?5, 'complete', ?6)");
        statement->bind_text(1, message.id);
        statement->bind_text(2, message.session_id);
        statement->bind_int64(3, message.seq);
        statement->bind_text(4, to_string(message.role));
        statement->bind_text(5, message.content);
        statement->bind_int64(6, system_now_ms());
        statement->run();
    };
    for (std::size_t first = 0; first < sessions.size(); first += kSessionsPerTransaction) {
        Transaction transaction(db, TransactionMode::immediate);
        const std::size_t last = std::min(sessions.size(), first + kSessionsPerTransaction);
        for (std::size_t s = first; s < last; ++s) {
            for (unsigned seq = 1; seq <= settings.messages; ++seq) {
                insert(make_message(sessions[s], seq, sentence(random)));
            }
        }
        index_pending_messages(db);
        transaction.commit();
    }
    db.exec(fmt::format("UPDATE sessions SET last_seq = {}", settings.messages));
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    db.exec("ANALYZE");
}

asio::awaitable<void> append_one(SqliteStore& store, Message message, std::atomic<std::uint64_t>& written) {
    const Result<Message> stored = co_await store.append_message_next_seq(std::move(message));
    if (stored) {
        written.fetch_add(1);
    }
}

asio::awaitable<void> sustain_writes(SqliteStore& store, const std::vector<std::string>& sessions, unsigned rate,
                                     const std::atomic<bool>& stop, std::atomic<std::uint64_t>& written) {
    constexpr auto kTick = std::chrono::milliseconds(10);
    const unsigned per_tick = std::max(1U, rate / 100);
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    std::mt19937_64 random(3);
    std::uniform_int_distribution<std::size_t> pick(0, sessions.size() - 1);
    auto next = SteadyClock::now();
    while (!stop.load()) {
        for (unsigned i = 0; i < per_tick; ++i) {
            // Fire and forget: the writer batches them; completions count what committed.
            asio::co_spawn(executor,
                           append_one(store, make_message(sessions[pick(random)], 0, sentence(random)), written),
                           asio::detached);
        }
        next += kTick;
        timer.expires_at(next);
        co_await timer.async_wait(asio::use_awaitable);
    }
}

asio::awaitable<void> read_loop(SqliteStore& store, const std::vector<std::string>& sessions, unsigned queries,
                                std::uint64_t seed, std::vector<double>& latencies_us, unsigned& errors) {
    std::mt19937_64 random(seed);
    std::uniform_int_distribution<std::size_t> pick(0, sessions.size() - 1);
    for (unsigned i = 0; i < queries; ++i) {
        const auto started = SteadyClock::now();
        const Result<MessagePage> page = co_await store.list_messages(sessions[pick(random)], {50, std::nullopt});
        latencies_us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - started).count());
        if (!page || page->data.empty()) {
            ++errors;
        }
    }
}

// One read-latency measurement: a fresh store with read_pool readers, clients
// coroutines issuing queries back to back, the writer sustaining write_rate.
void measure_reads(const Settings& settings, const std::string& path, const std::vector<std::string>& sessions,
                   unsigned clients, unsigned read_pool, const std::string& sync) {
    Options options = store_options(settings, path);
    options.read_pool_size = read_pool;
    SqliteStore store(options);

    asio::io_context writer_io;
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> written{0};
    asio::co_spawn(writer_io, sustain_writes(store, sessions, settings.write_rate, stop, written), asio::detached);
    std::thread writer_thread([&writer_io] { writer_io.run(); });

    asio::io_context reader_io;
    const unsigned per_client = std::max(1U, settings.queries / clients);
    std::vector<std::vector<double>> latencies(clients);
    std::vector<unsigned> errors(clients, 0);
    for (unsigned c = 0; c < clients; ++c) {
        latencies[c].reserve(per_client);
        asio::co_spawn(reader_io, read_loop(store, sessions, per_client, 100 + c, latencies[c], errors[c]),
                       asio::detached);
    }
    const auto started = SteadyClock::now();
    reader_io.run();
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
    stop = true;
    writer_thread.join();

    std::vector<double> all;
    unsigned failed = 0;
    for (unsigned c = 0; c < clients; ++c) {
        all.insert(all.end(), latencies[c].begin(), latencies[c].end());
        failed += errors[c];
    }
    std::sort(all.begin(), all.end());
    write_percentiles(settings, fmt::format("read_{}_{}", clients, read_pool), all,
                      "last 50 messages of a session, under sustained writes");
    fmt::print(
        "last 50 messages ({} clients, {} queries, {:.0f} queries/s) while writing {:.0f} msgs/s: "
        "p50 {:.0f} us, p99 {:.0f} us, max {:.0f} us{}\n",
        clients, all.size(), all.size() / seconds, written.load() / seconds, percentile(all, 0.50),
        percentile(all, 0.99), all.back(), failed != 0 ? fmt::format(" ({} failed)", failed) : "");
    fmt::print(
        "result test=read sync={} clients={} read_pool={} write_rate={} written_msgs_s={:.0f} queries={} "
        "qps={:.0f} p50_us={:.0f} p90_us={:.0f} p99_us={:.0f} p999_us={:.0f} max_us={:.0f} failed={}\n",
        sync, clients, read_pool, settings.write_rate, written.load() / seconds, all.size(), all.size() / seconds,
        percentile(all, 0.50), percentile(all, 0.90), percentile(all, 0.99), percentile(all, 0.999), all.back(),
        failed);
}

}  // namespace

int main(int argc, char** argv) {
    Settings settings;
    std::string sync = "normal";
    bool skip_insert = false;
    bool skip_read = false;
    CLI::App app{"parley storage benchmark"};
    app.add_option("--dir", settings.dir, "directory for the databases (default: a new temporary one)");
    app.add_option("--sync", sync, "synchronous mode: normal or full")->check(CLI::IsMember({"normal", "full"}));
    app.add_option("--inserts", settings.inserts, "messages inserted by the batched writer");
    app.add_option("--baseline-divisor", settings.baseline_divisor,
                   "the one-per-transaction baseline inserts inserts/N messages");
    app.add_option("--producers", settings.producers, "concurrent appenders feeding the batched writer");
    app.add_option("--lone", settings.lone, "appends one at a time for the lone write's latency (0: skip)");
    app.add_option("--sessions", settings.sessions, "sessions in the read test's database");
    app.add_option("--messages", settings.messages, "messages per session in the read test's database");
    app.add_option("--queries", settings.queries, "read queries measured");
    app.add_option("--clients", settings.clients, "concurrent readers");
    app.add_option("--write-rate", settings.write_rate, "background appends per second during the read test");
    app.add_option("--read-pool", settings.read_pool, "read-only connections (threads) in the read test");
    app.add_option("--wal-autocheckpoint", settings.wal_autocheckpoint,
                   "the writer's PRAGMA wal_autocheckpoint (pages)");
    std::vector<std::string> setups;
    app.add_option("--read-setups", setups,
                   "read tests on one database, each CLIENTS/READERS (e.g. 1/2 4/5); default: --clients/--read-pool");
    app.add_option("--latency-dir", settings.latency_dir,
                   "directory for percentile tables of the latency tests (lone_SYNC.dat, read_CLIENTS_READERS.dat)");
    app.add_flag("--skip-insert", skip_insert, "skip the insert throughput test");
    app.add_flag("--skip-read", skip_read, "skip the read latency test");
    CLI11_PARSE(app, argc, argv);
    settings.sync = sync == "full" ? SyncMode::full : SyncMode::normal;
    std::vector<std::pair<unsigned, unsigned>> read_setups;
    for (const std::string& setup : setups) {
        unsigned clients = 0;
        unsigned readers = 0;
        if (std::sscanf(setup.c_str(), "%u/%u", &clients, &readers) != 2 || clients == 0 || readers == 0) {
            fmt::print(stderr, "--read-setups: expected CLIENTS/READERS, got {}\n", setup);
            return 2;
        }
        read_setups.emplace_back(clients, readers);
    }
    if (read_setups.empty()) {
        read_setups.emplace_back(settings.clients, settings.read_pool);
    }

    const bool own_dir = settings.dir.empty();
    if (own_dir) {
        settings.dir = (std::filesystem::temp_directory_path() / generate_id("parley-bench-")).string();
    }
    std::filesystem::create_directories(settings.dir);
    const std::string path = (std::filesystem::path(settings.dir) / "bench.db").string();
    fmt::print("storage bench: synchronous={} dir={}\n", sync, settings.dir);

    if (!skip_insert) {
        const Rate single = per_transaction_rate(settings, path);
        fmt::print("insert, one message per transaction: {:>10.0f} msgs/s  ({:.0f} us CPU/msg)\n", single.per_second,
                   single.cpu_us_per_message);
        StoreStats stats;
        const Rate batched = batched_rate(settings, path, stats);
        const double ops_per_commit =
            static_cast<double>(stats.ops_total) / std::max<std::uint64_t>(1, stats.commits_total);
        const double ms_per_commit = 1000 * stats.commit_duration.sum / std::max<std::uint64_t>(1, stats.commits_total);
        fmt::print(
            "insert, batched writer ({} producers): {:>10.0f} msgs/s  ({:.0f} us CPU/msg, {} commits, {:.1f} "
            "ops/commit, {:.2f} ms/commit)\n",
            settings.producers, batched.per_second, batched.cpu_us_per_message, stats.commits_total, ops_per_commit,
            ms_per_commit);
        fmt::print("insert ratio batched / per-transaction: {:.1f}x\n", batched.per_second / single.per_second);
        fmt::print(
            "result test=insert sync={} single_msgs_s={:.0f} batched_msgs_s={:.0f} ratio={:.2f} single_cpu_us={:.1f} "
            "batched_cpu_us={:.1f} cpu_ratio={:.2f} ops_per_commit={:.1f} ms_per_commit={:.2f}\n",
            sync, single.per_second, batched.per_second, batched.per_second / single.per_second,
            single.cpu_us_per_message, batched.cpu_us_per_message,
            single.cpu_us_per_message / batched.cpu_us_per_message, ops_per_commit, ms_per_commit);
    }

    if (!skip_insert && settings.lone != 0) {
        const LoneLatency lone = lone_latency(settings, path);
        fmt::print("lone append (one at a time, {}): p50 {:.0f} us, p99 {:.0f} us, {:.0f} us CPU each\n", settings.lone,
                   lone.p50_us, lone.p99_us, lone.cpu_us);
        fmt::print("result test=lone sync={} appends={} p50_us={:.0f} p99_us={:.0f} cpu_us={:.1f}\n", sync,
                   settings.lone, lone.p50_us, lone.p99_us, lone.cpu_us);
    }

    if (!skip_read) {
        std::vector<std::string> sessions;
        const auto populate_started = SteadyClock::now();
        populate(settings, path, sessions);
        fmt::print("read test database: {} sessions x {} messages (built in {:.1f} s)\n", settings.sessions,
                   settings.messages, std::chrono::duration<double>(SteadyClock::now() - populate_started).count());
        for (const auto& [clients, read_pool] : read_setups) {
            measure_reads(settings, path, sessions, clients, read_pool, sync);
        }
    }

    if (own_dir) {
        std::filesystem::remove_all(settings.dir);
    }
    return 0;
}
