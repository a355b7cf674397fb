// Durability: a child process appends messages and reports each one whose
// commit it awaited; it is SIGKILLed mid-load. Every reported message must be
// in the reopened database, which must pass PRAGMA integrity_check.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "io_runner.hpp"
#include "storage/connection.hpp"
#include "storage/sqlite_store.hpp"
#include "temp_dir.hpp"

extern char** environ;

using namespace parley::storage;
using parley::storage::test::IoRunner;
using parley::storage::test::TempDir;

namespace {

constexpr std::size_t kAwaitedBeforeKill = 400;

// Reads the child's id lines until it has reported `wanted` of them (or the pipe closes).
void read_ids(int fd, std::set<std::string>& ids, std::string& partial, std::size_t wanted) {
    char buffer[4096];
    while (ids.size() < wanted) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) {
            return;
        }
        partial.append(buffer, static_cast<std::size_t>(n));
        for (std::size_t end = partial.find('\n'); end != std::string::npos; end = partial.find('\n')) {
            ids.insert(partial.substr(0, end));
            partial.erase(0, end + 1);
        }
    }
}

}  // namespace

TEST_CASE("every awaited commit survives SIGKILL and the database stays intact", "[storage]") {
    TempDir dir;
    const std::string db = dir.file("durable.db");
    IoRunner io;
    {
        Options options;
        options.path = db;
        SqliteStore store(options);
        Session session;
        session.id = "ses_durable";
        session.tenant = "t";
        session.agent = "a";
        REQUIRE(io.run(store.create_session(session)).has_value());
    }

    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
    std::string program = PARLEY_DURABILITY_CHILD;
    std::string session_arg = "ses_durable";
    std::string db_arg = db;
    char* argv[] = {program.data(), db_arg.data(), session_arg.data(), nullptr};
    pid_t child = 0;
    const int spawned = posix_spawn(&child, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    REQUIRE(spawned == 0);

    std::set<std::string> awaited;
    std::string partial;
    read_ids(pipe_fds[0], awaited, partial, kAwaitedBeforeKill);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    read_ids(pipe_fds[0], awaited, partial, SIZE_MAX);  // whatever it reported before dying
    ::close(pipe_fds[0]);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    REQUIRE(awaited.size() >= kAwaitedBeforeKill);

    Options options;
    options.path = db;
    options.batch_max_delay_ms = 1;
    SqliteStore store(options);  // WAL recovery happens here
    {
        Connection check(db, ConnectionRole::reader, SyncMode::normal, 5000);
        CHECK(check.query_text("PRAGMA integrity_check") == "ok");
        CHECK(check.query_text("PRAGMA foreign_key_check").empty());
    }
    const auto messages = io.run(store.all_messages("ses_durable")).value();
    std::set<std::string> stored;
    std::int64_t expected_seq = 1;
    bool seqs_dense = true;
    for (const auto& message : messages) {
        stored.insert(message.id);
        seqs_dense = seqs_dense && message.seq == expected_seq++;
    }
    CHECK(seqs_dense);
    std::size_t missing = 0;
    for (const auto& id : awaited) {
        missing += stored.count(id) == 0 ? 1 : 0;
    }
    CHECK(missing == 0);
    INFO("awaited " << awaited.size() << ", stored " << stored.size());
    CHECK(stored.size() >= awaited.size());

    // The seq counter resumes after the last stored message.
    Message next;
    next.id = "msg_after_restart";
    next.session_id = "ses_durable";
    const auto appended = io.run(store.append_message_next_seq(next)).value();
    CHECK(appended.seq == static_cast<std::int64_t>(messages.size()) + 1);
    const auto hits = io.run(store.search("t", "durable", 5)).value();
    CHECK(hits.size() == 5);
}
