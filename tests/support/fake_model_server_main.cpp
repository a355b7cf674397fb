// fake_model_server: the scripted fake model server as a process, for tests and benchmarks that
// need it outside their own address space. Configure it further over its /__fake/ endpoints.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>

#include "tests/support/fake_model_server.hpp"

namespace {

// Blocks SIGTERM and SIGINT in this thread (and so in every thread it starts) and returns them as a set.
sigset_t block_termination_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    return signals;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Scripted fake OpenAI/Anthropic model server"};
    parley::testing::FakeModelServerOptions options;
    std::optional<std::string> text;
    std::size_t chunks = 0;
    unsigned delay_ms = 0;
    app.add_option("--port", options.port, "TCP port on 127.0.0.1 (0: any free port)")->capture_default_str();
    app.add_option("--host", options.host, "Address to listen on")->capture_default_str();
    app.add_option("--threads", options.threads, "I/O threads")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--text", text, "Default reply text (default: echo the last user message)");
    app.add_option("--chunks", chunks, "Pieces the default reply is split into (0: one per word)")
        ->capture_default_str();
    app.add_option("--delay-ms", delay_ms, "Delay before each streamed piece, in milliseconds")->capture_default_str();
    bool stamp_pieces = false;
    app.add_flag("--stamp-pieces", stamp_pieces,
                 "Start each streamed text piece with its emit time (steady_clock ns) and a space");
    CLI11_PARSE(app, argc, argv);

    // Before any thread starts, so that only sigwait below receives these signals.
    const auto signals = block_termination_signals();

    try {
        parley::testing::FakeModelServer server(options);
        parley::testing::Script script;
        script.text = text;
        script.chunks = chunks;
        script.delay_per_chunk = std::chrono::milliseconds(delay_ms);
        script.stamp_pieces = stamp_pieces;
        server.set_default_script(std::move(script));

        std::cout << "listening on " << server.host() << ':' << server.port() << std::endl;
        int received = 0;
        sigwait(&signals, &received);
        server.stop();
    } catch (const std::exception& error) {
        std::cerr << "fake_model_server: " << error.what() << '\n';
        return 1;
    }
    return 0;
}
