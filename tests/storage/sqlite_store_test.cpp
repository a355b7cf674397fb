#include "storage/sqlite_store.hpp"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include "io_runner.hpp"
#include "storage/id_generator.hpp"
#include "storage/transaction.hpp"
#include "temp_dir.hpp"

using namespace parley::storage;
using parley::storage::test::IoRunner;
using parley::storage::test::TempDir;

namespace {

// A store on a temporary file with a manual clock (ms) and quick batches.
struct Fixture {
    TempDir dir;
    std::atomic<std::int64_t> now{1'700'000'000'000};
    IoRunner io;
    std::unique_ptr<SqliteStore> store;

    Fixture() { open(); }

    void open() {
        Options options;
        options.path = dir.file("parley.db");
        options.batch_max_delay_ms = 1;
        options.read_pool_size = 2;
        store = std::make_unique<SqliteStore>(options, [this] { return now.load(); });
    }

    void reopen() {
        store.reset();
        open();
    }

    Session create(const std::string& tenant, const std::string& id = generate_id("ses_")) {
        Session session;
        session.id = id;
        session.tenant = tenant;
        session.agent = "assistant";
        return io.run(store->create_session(session)).value();
    }

    Message message(const std::string& session_id, std::int64_t seq, std::string content) {
        Message m;
        m.id = generate_id("msg_");
        m.session_id = session_id;
        m.seq = seq;
        m.role = MessageRole::user;
        m.content = std::move(content);
        return m;
    }

    Message append(const std::string& session_id, std::int64_t seq, std::string content) {
        return io.run(store->append_message(message(session_id, seq, std::move(content)))).value();
    }
};

// Every (term, message, offset) the FTS index holds.
std::vector<std::string> index_entries(Connection& db) {
    db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, messages_fts, instance)");
    auto select = db.prepare("SELECT term, doc, offset FROM temp.fts_terms ORDER BY term, doc, offset");
    std::vector<std::string> entries;
    while (select.step()) {
        entries.push_back(select.column_text(0) + " " + select.column_text(1) + " " + select.column_text(2));
    }
    return entries;
}

// The FTS index holds exactly what rebuilding it from messages gives, and
// nothing waits to be indexed.
void check_index_in_sync(const std::string& path) {
    Connection db(path, ConnectionRole::writer, SyncMode::normal, 5000);
    CHECK(db.query_int64("SELECT count(*) FROM messages_fts_pending") == 0);
    const std::vector<std::string> current = index_entries(db);
    const Transaction rebuild(db, TransactionMode::immediate);  // rolled back: the index is left as it was
    db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
    const std::vector<std::string> rebuilt = index_entries(db);
    CHECK(current.size() == rebuilt.size());
    CHECK(current == rebuilt);
}

std::vector<std::string> ids(const std::vector<Session>& sessions) {
    std::vector<std::string> result;
    for (const auto& session : sessions) {
        result.push_back(session.id);
    }
    return result;
}

}  // namespace

TEST_CASE("sessions: create, get scoped by tenant, duplicates", "[storage]") {
    Fixture f;
    Session input;
    input.id = "ses_1";
    input.tenant = "acme";
    input.agent = "assistant";
    input.title = "Hello";
    input.metadata = R"({"k":[1,2]})";
    const Session created = f.io.run(f.store->create_session(input)).value();
    CHECK(created.created_at == f.now.load());
    CHECK(created.updated_at == created.created_at);
    CHECK(created.status == SessionStatus::idle);
    CHECK(created.last_seq == 0);

    const Session read = f.io.run(f.store->get_session("acme", "ses_1")).value();
    CHECK(read.title == std::optional<std::string>("Hello"));
    CHECK(read.metadata == R"({"k":[1,2]})");
    CHECK(read.agent == "assistant");

    CHECK(f.io.run(f.store->get_session("other", "ses_1")).error() == StoreErrc::not_found);
    CHECK(f.io.run(f.store->get_session("acme", "ses_missing")).error() == StoreErrc::not_found);
    CHECK(f.io.run(f.store->create_session(input)).error() == StoreErrc::duplicate_id);
    input.id.clear();
    CHECK(f.io.run(f.store->create_session(input)).error() == StoreErrc::invalid_argument);
}

TEST_CASE("sessions: listed by updated_at desc with cursor pagination", "[storage]") {
    Fixture f;
    std::vector<std::string> created;
    for (int i = 0; i < 7; ++i) {
        f.now += (i % 2);  // some equal updated_at: ties break by id
        created.push_back(f.create("acme").id);
    }
    f.create("other");
    f.now += 10;
    f.append(created[0], 1, "bump");  // the oldest becomes the most recently updated

    std::vector<std::string> all;
    std::optional<std::string> after;
    int pages = 0;
    for (;;) {
        const SessionPage page = f.io.run(f.store->list_sessions("acme", {3, after})).value();
        ++pages;
        for (const auto& id : ids(page.data)) {
            all.push_back(id);
        }
        if (!page.has_more) {
            break;
        }
        after = page.data.back().id;
    }
    CHECK(pages == 3);
    REQUIRE(all.size() == 7);
    CHECK(all.front() == created[0]);
    CHECK(std::set<std::string>(all.begin(), all.end()).size() == 7);

    // Reading the whole list at once gives the same order.
    const SessionPage whole = f.io.run(f.store->list_sessions("acme", {100, std::nullopt})).value();
    CHECK(ids(whole.data) == all);
    CHECK_FALSE(whole.has_more);

    const std::string other_tenant = f.create("other").id;
    CHECK(f.io.run(f.store->list_sessions("acme", {3, other_tenant})).error() == StoreErrc::invalid_cursor);
}

TEST_CASE("sessions: patch replaces title and metadata", "[storage]") {
    Fixture f;
    const Session session = f.create("acme");
    f.now += 5;
    SessionPatch patch;
    patch.title = std::optional<std::string>("New title");
    Session patched = f.io.run(f.store->patch_session("acme", session.id, patch)).value();
    CHECK(patched.title == std::optional<std::string>("New title"));
    CHECK(patched.metadata == "{}");
    CHECK(patched.updated_at == session.updated_at + 5);

    patch = {};
    patch.metadata = R"({"a":1})";
    patched = f.io.run(f.store->patch_session("acme", session.id, patch)).value();
    CHECK(patched.title == std::optional<std::string>("New title"));
    CHECK(patched.metadata == R"({"a":1})");

    patch = {};
    patch.title = std::optional<std::string>();  // null
    patched = f.io.run(f.store->patch_session("acme", session.id, patch)).value();
    CHECK_FALSE(patched.title.has_value());
    CHECK(f.io.run(f.store->get_session("acme", session.id)).value().metadata == R"({"a":1})");

    CHECK(f.io.run(f.store->patch_session("other", session.id, patch)).error() == StoreErrc::not_found);
}

TEST_CASE("sessions: delete removes messages, todos and search entries", "[storage]") {
    Fixture f;
    const Session gone = f.create("acme");
    const Session kept = f.create("acme");
    f.append(gone.id, 1, "zebra crossing");
    f.append(kept.id, 1, "zebra stripes");
    REQUIRE(f.io.run(f.store->replace_todos(gone.id, {{"t1", "x", TodoStatus::pending}})).has_value());

    CHECK(f.io.run(f.store->delete_session("other", gone.id)).error() == StoreErrc::not_found);
    REQUIRE(f.io.run(f.store->delete_session("acme", gone.id)).has_value());
    CHECK(f.io.run(f.store->delete_session("acme", gone.id)).error() == StoreErrc::not_found);
    CHECK(f.io.run(f.store->get_session("acme", gone.id)).error() == StoreErrc::not_found);
    CHECK(f.io.run(f.store->all_messages(gone.id)).value().empty());
    CHECK(f.io.run(f.store->list_todos(gone.id)).value().empty());
    const auto hits = f.io.run(f.store->search("acme", "zebra", 10)).value();
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].session_id == kept.id);
}

TEST_CASE("sessions: status and start-up recovery", "[storage]") {
    Fixture f;
    const Session a = f.create("acme");
    const Session b = f.create("acme");
    f.create("acme");
    REQUIRE(f.io.run(f.store->set_session_status(a.id, SessionStatus::running)).has_value());
    REQUIRE(f.io.run(f.store->set_session_status(b.id, SessionStatus::running)).has_value());
    CHECK(f.io.run(f.store->set_session_status("ses_none", SessionStatus::idle)).error() == StoreErrc::not_found);
    CHECK(f.io.run(f.store->get_session("acme", a.id)).value().status == SessionStatus::running);

    f.reopen();  // as after a crash
    const auto recovered = f.io.run(f.store->recover_running_sessions()).value();
    CHECK(std::set<std::string>{a.id, b.id} == std::set<std::string>{recovered[0].id, recovered[1].id});
    CHECK(recovered.size() == 2);
    CHECK(f.io.run(f.store->get_session("acme", a.id)).value().status == SessionStatus::idle);
    CHECK(f.io.run(f.store->recover_running_sessions()).value().empty());
}

TEST_CASE("sessions: reserved seqs raise last_seq at start-up recovery", "[storage]") {
    Fixture f;
    const Session running = f.create("acme");
    const Session idle = f.create("acme");
    f.append(running.id, 3, "hello");
    REQUIRE(f.io.run(f.store->set_session_status(running.id, SessionStatus::running)).has_value());
    REQUIRE(f.io.run(f.store->reserve_seq(running.id, 100)).has_value());
    REQUIRE(f.io.run(f.store->reserve_seq(running.id, 50)).has_value());  // max semantics
    REQUIRE(f.io.run(f.store->reserve_seq(idle.id, 40)).has_value());
    CHECK(f.io.run(f.store->reserve_seq("ses_none", 10)).error() == StoreErrc::not_found);
    // last_seq stays the last seq used until a recovery.
    CHECK(f.io.run(f.store->get_session("acme", running.id)).value().last_seq == 3);

    f.reopen();  // as after a crash mid-turn
    const auto recovered = f.io.run(f.store->recover_running_sessions()).value();
    REQUIRE(recovered.size() == 1);
    CHECK(recovered[0].id == running.id);
    CHECK(recovered[0].last_seq == 100);
    CHECK(recovered[0].status == SessionStatus::idle);
    CHECK(f.io.run(f.store->get_session("acme", running.id)).value().last_seq == 100);
    CHECK(f.io.run(f.store->get_session("acme", idle.id)).value().last_seq == 0);  // not running: untouched
    CHECK(f.io.run(f.store->append_message_next_seq(f.message(running.id, 0, "next"))).value().seq == 101);

    SECTION("a reservation below last_seq never lowers it") {
        REQUIRE(f.io.run(f.store->set_session_status(running.id, SessionStatus::running)).has_value());
        REQUIRE(f.io.run(f.store->reserve_seq(running.id, 20)).has_value());
        const auto again = f.io.run(f.store->recover_running_sessions()).value();
        REQUIRE(again.size() == 1);
        CHECK(again[0].last_seq == 101);
    }
}

TEST_CASE("messages: an append that reserves seqs does both in one operation or neither", "[storage]") {
    Fixture f;
    const Session session = f.create("acme");
    REQUIRE(f.io.run(f.store->set_session_status(session.id, SessionStatus::running)).has_value());
    const Message stored = f.io.run(f.store->append_message_reserving(f.message(session.id, 4, "hi"), 4100)).value();
    CHECK(stored.seq == 4);
    CHECK(f.io.run(f.store->get_session("acme", session.id)).value().last_seq == 4);

    // A duplicate seq fails the whole operation: its reservation is not kept either.
    CHECK(f.io.run(f.store->append_message_reserving(f.message(session.id, 4, "again"), 9000)).error() ==
          StoreErrc::duplicate_seq);
    CHECK(f.io.run(f.store->append_message_reserving(f.message("ses_none", 1, "x"), 10)).error() ==
          StoreErrc::not_found);

    f.reopen();  // as after a crash mid-turn: recovery raises last_seq to the reservation
    const auto recovered = f.io.run(f.store->recover_running_sessions()).value();
    REQUIRE(recovered.size() == 1);
    CHECK(recovered[0].last_seq == 4100);
    CHECK(f.io.run(f.store->all_messages(session.id)).value().size() == 1);
}

TEST_CASE("messages: append with caller seq, duplicates, last_seq", "[storage]") {
    Fixture f;
    const Session session = f.create("acme");
    f.now += 7;
    Message input = f.message(session.id, 3, "first");
    input.role = MessageRole::assistant;
    input.tool_calls = R"([{"id":"call_1"}])";
    input.usage = R"({"input_tokens":1})";
    input.status = MessageStatus::interrupted;
    const Message stored = f.io.run(f.store->append_message(input)).value();
    CHECK(stored.created_at == f.now.load());

    Session after = f.io.run(f.store->get_session("acme", session.id)).value();
    CHECK(after.last_seq == 3);
    CHECK(after.updated_at == f.now.load());

    f.append(session.id, 2, "lower seq does not lower last_seq");
    CHECK(f.io.run(f.store->get_session("acme", session.id)).value().last_seq == 3);

    CHECK(f.io.run(f.store->append_message(f.message(session.id, 3, "again"))).error() == StoreErrc::duplicate_seq);
    Message same_id = f.message(session.id, 9, "x");
    same_id.id = stored.id;
    CHECK(f.io.run(f.store->append_message(same_id)).error() == StoreErrc::duplicate_id);
    CHECK(f.io.run(f.store->append_message(f.message("ses_none", 1, "x"))).error() == StoreErrc::not_found);
    CHECK(f.io.run(f.store->append_message(f.message(session.id, 0, "x"))).error() == StoreErrc::invalid_argument);

    const auto all = f.io.run(f.store->all_messages(session.id)).value();
    REQUIRE(all.size() == 2);
    CHECK(all[0].seq == 2);
    CHECK(all[1].seq == 3);
    CHECK(all[1].role == MessageRole::assistant);
    CHECK(all[1].tool_calls == input.tool_calls);
    CHECK_FALSE(all[1].tool_call_id.has_value());
    CHECK(all[1].usage == input.usage);
    CHECK(all[1].status == MessageStatus::interrupted);
    CHECK(all[1].content == "first");
}

TEST_CASE("messages: advance_seq and next-seq appends keep increasing across restarts", "[storage]") {
    Fixture f;
    const Session session = f.create("acme");
    REQUIRE(f.io.run(f.store->advance_seq(session.id, 10)).has_value());
    REQUIRE(f.io.run(f.store->advance_seq(session.id, 4)).has_value());  // max semantics
    CHECK(f.io.run(f.store->advance_seq("ses_none", 4)).error() == StoreErrc::not_found);
    CHECK(f.io.run(f.store->append_message_next_seq(f.message(session.id, 0, "a"))).value().seq == 11);
    f.reopen();
    CHECK(f.io.run(f.store->get_session("acme", session.id)).value().last_seq == 11);
    CHECK(f.io.run(f.store->append_message_next_seq(f.message(session.id, 0, "b"))).value().seq == 12);
}

TEST_CASE("messages: concurrent next-seq appends to one session never share a seq", "[storage]") {
    Fixture f;
    const Session session = f.create("acme");
    constexpr int kThreads = 4;
    constexpr int kPerThread = 50;
    std::vector<std::thread> threads;
    std::vector<std::vector<std::int64_t>> seqs(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::vector<std::future<Result<Message>>> pending;
            for (int i = 0; i < kPerThread; ++i) {
                pending.push_back(boost::asio::co_spawn(f.io.context(),
                                                        f.store->append_message_next_seq(f.message(session.id, 0, "x")),
                                                        boost::asio::use_future));
            }
            for (auto& result : pending) {
                seqs[t].push_back(result.get().value().seq);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    std::set<std::int64_t> unique;
    for (const auto& list : seqs) {
        unique.insert(list.begin(), list.end());
    }
    CHECK(unique.size() == kThreads * kPerThread);
    CHECK(*unique.begin() == 1);
    CHECK(*unique.rbegin() == kThreads * kPerThread);
    CHECK(f.io.run(f.store->get_session("acme", session.id)).value().last_seq == kThreads * kPerThread);
}

TEST_CASE("messages: latest pages before a seq, ascending", "[storage]") {
    Fixture f;
    const Session session = f.create("acme");
    for (int seq = 1; seq <= 120; ++seq) {
        REQUIRE(f.io.run(f.store->append_message(f.message(session.id, seq * 2, std::to_string(seq)))).has_value());
    }
    MessagePage page = f.io.run(f.store->list_messages(session.id, {50, std::nullopt})).value();
    REQUIRE(page.data.size() == 50);
    CHECK(page.has_more);
    CHECK(page.data.front().seq == 142);
    CHECK(page.data.back().seq == 240);

    page = f.io.run(f.store->list_messages(session.id, {50, 142})).value();
    CHECK(page.data.front().seq == 42);
    CHECK(page.data.back().seq == 140);
    CHECK(page.has_more);

    page = f.io.run(f.store->list_messages(session.id, {50, 42})).value();
    CHECK(page.data.size() == 20);
    CHECK(page.data.front().seq == 2);
    CHECK_FALSE(page.has_more);

    page = f.io.run(f.store->list_messages(session.id, {1000, std::nullopt})).value();
    CHECK(page.data.size() == kMaxPageSize);
    CHECK(f.io.run(f.store->list_messages("ses_none", {})).value().data.empty());
}

TEST_CASE("todos: replaced as a whole list, in order", "[storage]") {
    Fixture f;
    const Session session = f.create("acme");
    CHECK(f.io.run(f.store->list_todos(session.id)).value().empty());
    std::vector<Todo> todos{{"b", "second", TodoStatus::in_progress}, {"a", "first", TodoStatus::pending}};
    REQUIRE(f.io.run(f.store->replace_todos(session.id, todos)).has_value());
    auto listed = f.io.run(f.store->list_todos(session.id)).value();
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].id == "b");
    CHECK(listed[0].status == TodoStatus::in_progress);
    CHECK(listed[1].content == "first");

    todos = {{"c", "only", TodoStatus::cancelled}};
    REQUIRE(f.io.run(f.store->replace_todos(session.id, todos)).has_value());
    listed = f.io.run(f.store->list_todos(session.id)).value();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].status == TodoStatus::cancelled);

    todos = {{"d", "x", TodoStatus::pending}, {"d", "y", TodoStatus::pending}};
    CHECK(f.io.run(f.store->replace_todos(session.id, todos)).error() == StoreErrc::duplicate_id);
    CHECK(f.io.run(f.store->list_todos(session.id)).value().size() == 1);  // the failed replace left it alone
    CHECK(f.io.run(f.store->replace_todos("ses_none", todos)).error() == StoreErrc::not_found);
}

TEST_CASE("a session's state loads whole: the session, its messages in order and its todos", "[storage]") {
    Fixture f;
    const Session session = f.create("acme");
    f.append(session.id, 2, "second");
    f.append(session.id, 1, "first");
    REQUIRE(f.io.run(f.store->replace_todos(session.id, {{"t1", "plan", TodoStatus::in_progress}})).has_value());

    const auto state = f.io.run(f.store->load_session_state("acme", session.id)).value();
    CHECK(state.session.id == session.id);
    REQUIRE(state.messages.size() == 2);
    CHECK(state.messages[0].content == "first");
    CHECK(state.messages[1].content == "second");
    REQUIRE(state.todos.size() == 1);
    CHECK(state.todos[0].status == TodoStatus::in_progress);

    CHECK(f.io.run(f.store->load_session_state("other", session.id)).error() == StoreErrc::not_found);
    CHECK(f.io.run(f.store->load_session_state("acme", "ses_none")).error() == StoreErrc::not_found);
    const Session empty = f.create("acme");
    const auto fresh = f.io.run(f.store->load_session_state("acme", empty.id)).value();
    CHECK(fresh.messages.empty());
    CHECK(fresh.todos.empty());
}

TEST_CASE("search: tenant scope, snippets, quotes, unicode, prefixes", "[storage]") {
    Fixture f;
    const Session mine = f.create("acme");
    const Session theirs = f.create("globex");
    f.append(mine.id, 1, "Hello world, the quick brown fox jumps");
    f.append(mine.id, 2, "Viele Grüße aus Köln");
    f.append(mine.id, 3, "東京 日本 旅行");
    f.append(mine.id, 4, "help is on the way");
    f.append(mine.id, 5, R"(she said "quick brown" twice)");
    f.append(theirs.id, 1, "hello from another tenant");

    auto search = [&](const std::string& query) { return f.io.run(f.store->search("acme", query, 20)); };

    auto hits = search("hello").value();
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].session_id == mine.id);
    CHECK(hits[0].seq == 1);
    CHECK(hits[0].created_at > 0);
    CHECK_THAT(hits[0].snippet, Catch::Contains("<mark>Hello</mark>"));

    CHECK(search("hel*").value().size() == 2);             // Hello, help
    CHECK(search("\"quick brown\"").value().size() == 2);  // phrase
    CHECK(search("\"brown quick\"").value().empty());
    CHECK(search("grüße").value().size() == 1);  // case folding beyond ASCII
    CHECK(search("Koln").value().size() == 1);   // diacritics removed
    CHECK(search("日本").value().size() == 1);
    CHECK(search("hello OR way").value().size() == 2);
    CHECK(search("absentword").value().empty());
    CHECK(f.io.run(f.store->search("nobody", "hello", 20)).value().empty());
    CHECK(f.io.run(f.store->search("acme", "the", 1)).value().size() == 1);

    for (const char* bad : {"\"unbalanced", "AND", "(", "hello AND", "nocolumn:foo", "*", "   ", ""}) {
        INFO(bad);
        CHECK(search(bad).error() == StoreErrc::invalid_query);
    }
    // The store is unharmed.
    CHECK(search("hello").value().size() == 1);
}

TEST_CASE("search: the index follows inserts, updates and deletes, also within one batch", "[storage]") {
    Fixture f;
    const Session a = f.create("acme");
    const Session b = f.create("acme");
    f.append(a.id, 1, "alpha indexed before");
    f.append(a.id, 2, "bravo indexed before");
    // Raw writes through the store's own writer: each lambda is one operation
    // of a batch, in its own savepoint.
    auto write = [&](std::string sql) {
        auto work = [sql = std::move(sql)](Connection& db) -> Result<int> {
            db.exec(sql);
            return 0;
        };
        return f.store->writer().async_write<int>(std::move(work), boost::asio::use_future).get();
    };
    const std::string insert = "INSERT INTO messages (id, session_id, seq, role, content, status, created_at) VALUES ";
    // Indexed rows: update and delete.
    REQUIRE(write("UPDATE messages SET content = 'alpha changed' WHERE seq = 1 AND session_id = '" + a.id + "'"));
    REQUIRE(write("DELETE FROM messages WHERE seq = 2 AND session_id = '" + a.id + "'"));
    // Pending rows (same operation, so same batch): inserted then updated,
    // inserted then deleted, inserted twice over.
    REQUIRE(write(insert + "('m3', '" + a.id + "', 3, 'user', 'charlie first', 'complete', 1);" +
                  "UPDATE messages SET content = 'charlie second' WHERE id = 'm3';" + insert + "('m4', '" + a.id +
                  "', 4, 'user', 'delta gone', 'complete', 1);" + "DELETE FROM messages WHERE id = 'm4';" +
                  "UPDATE messages SET content = 'charlie third' WHERE id = 'm3';"));
    // A failing operation's pending row is rolled back with it.
    auto undone = [&insert, id = a.id](Connection& db) -> Result<int> {
        db.exec(insert + "('m5', '" + id + "', 5, 'user', 'echo undone', 'complete', 1)");
        return StoreErrc::invalid_argument;
    };
    CHECK(f.store->writer().async_write<int>(std::move(undone), boost::asio::use_future).get().error() ==
          StoreErrc::invalid_argument);
    f.append(b.id, 1, "foxtrot kept");
    REQUIRE(f.io.run(f.store->delete_session("acme", b.id)).has_value());

    auto found = [&](const char* query) { return f.io.run(f.store->search("acme", query, 10)).value().size(); };
    CHECK(found("alpha") == 1);
    CHECK(found("changed") == 1);
    CHECK(found("before") == 0);
    CHECK(found("bravo") == 0);
    CHECK(found("charlie") == 1);
    CHECK(found("third") == 1);
    CHECK(found("first OR second") == 0);
    CHECK(found("delta OR gone") == 0);
    CHECK(found("echo") == 0);
    CHECK(found("foxtrot") == 0);
    f.store->close();
    check_index_in_sync(f.store->database_path());
}

TEST_CASE("search finds every message committed before it, even one not yet indexed", "[storage]") {
    Fixture f;
    const Session session = f.create("acme");
    f.append(session.id, 1, "kilo through the store");
    {
        // Another writer commits a message without indexing it: only the
        // insert trigger's pending row records it, as between a lone write's
        // commit and the writer's upkeep.
        Connection other(f.store->database_path(), ConnectionRole::writer, SyncMode::normal, 5000);
        other.exec("INSERT INTO messages (id, session_id, seq, role, content, status, created_at) VALUES ('m2', '" +
                   session.id + "', 2, 'user', 'kilo lima waiting', 'complete', 1)");
        // The writer may not have indexed the first message yet either (its
        // upkeep runs after the append is acknowledged), so only m2 is asked.
        CHECK(other.query_int64("SELECT count(*) FROM messages_fts_pending AS p JOIN messages AS m ON m.pk = p.pk"
                                " WHERE m.id = 'm2'") == 1);
    }
    const auto hits = f.io.run(f.store->search("acme", "kilo", 10)).value();
    CHECK(hits.size() == 2);
    CHECK(f.io.run(f.store->search("acme", "lima", 10)).value().size() == 1);
    f.store->close();
    check_index_in_sync(f.store->database_path());
}

TEST_CASE("search: the index stays in sync under concurrent batched appends", "[storage]") {
    Fixture f;
    std::vector<Session> sessions;
    for (int i = 0; i < 8; ++i) {
        sessions.push_back(f.create("acme"));
    }
    constexpr int kPerSession = 40;
    std::vector<std::thread> threads;
    for (const Session& session : sessions) {
        threads.emplace_back([&f, id = session.id] {
            for (int seq = 1; seq <= kPerSession; ++seq) {
                f.append(id, seq, "golf hotel " + std::to_string(seq));
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    CHECK(f.io.run(f.store->search("acme", "golf", 100)).value().size() == 100);
    CHECK(f.io.run(f.store->search("acme", "hotel AND 40", 100)).value().size() == sessions.size());
    f.store->close();
    check_index_in_sync(f.store->database_path());
}

TEST_CASE("\":memory:\" opens a private ephemeral database", "[storage]") {
    IoRunner io;
    std::string path;
    {
        Options options;
        options.path = ":memory:";
        options.batch_max_delay_ms = 1;
        SqliteStore store(options);
        path = store.database_path();
        CHECK(path != ":memory:");
        Session session;
        session.id = "ses_m";
        session.tenant = "t";
        session.agent = "a";
        REQUIRE(io.run(store.create_session(session)).has_value());
        CHECK(io.run(store.get_session("t", "ses_m")).has_value());  // readers see the writer's data
        CHECK(store.alive());
        const StoreStats stats = store.stats();
        CHECK(stats.commits_total == 1);
        CHECK(stats.ops_total == 1);
        store.close();
        CHECK_FALSE(store.alive());
        CHECK(io.run(store.create_session(session)).error() == StoreErrc::closed);
    }
    CHECK_FALSE(std::filesystem::exists(path));
}
