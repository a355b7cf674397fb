// Helper process for durability_test.cpp: appends messages to one session
// from several coroutines as fast as the store commits them, and writes each
// message id to stdout (one line, unbuffered) only after its commit completed.
// It runs until killed. Usage: parley_storage_durability_child DB SESSION_ID
#include <unistd.h>

#include <cstdio>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "storage/id_generator.hpp"
#include "storage/sqlite_store.hpp"

namespace {

namespace asio = boost::asio;
using namespace parley::storage;

constexpr int kWriters = 8;

void report(const std::string& id) {
    const std::string line = id + "\n";
    if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        std::_Exit(3);
    }
}

asio::awaitable<void> write_forever(SqliteStore& store, std::string session_id) {
    for (;;) {
        Message message;
        message.id = generate_id("msg_");
        message.session_id = session_id;
        message.role = MessageRole::assistant;
        message.content = "durable " + message.id;
        const Result<Message> stored = co_await store.append_message_next_seq(message);
        if (!stored) {
            std::fprintf(stderr, "append failed: %s\n", stored.error().message().c_str());
            std::_Exit(2);
        }
        report(stored->id);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s DB SESSION_ID\n", argv[0]);
        return 1;
    }
    Options options;
    options.path = argv[1];
    options.batch_max_delay_ms = 2;
    SqliteStore store(options);
    asio::io_context io;
    for (int i = 0; i < kWriters; ++i) {
        asio::co_spawn(io, write_forever(store, argv[2]), asio::detached);
    }
    io.run();
    return 0;
}
