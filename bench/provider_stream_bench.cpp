// Client-side cost of a streamed model answer: SSE parse + JSON parse (simdjson)
// + dispatch to the sink, per token.
//
// 1. Loopback: the in-process fake model server streams `--tokens` tokens (one
//    SSE chunk each, no delay) in requests of `--per-request` tokens, all over one
//    pooled keep-alive connection, to OpenAiProvider. Reports wall-clock tokens/s
//    and the client thread's CPU time per token (the server runs on its own thread).
// 2. Replay: the same bytes, captured once, fed in 16 KiB reads through SseParser
//    and OpenAiStreamDecoder with no network at all: the pure decode cost per token.
#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "core/net/http_client.hpp"
#include "core/providers/openai_provider.hpp"
#include "core/providers/openai_request.hpp"
#include "core/providers/openai_stream_decoder.hpp"
#include "core/providers/sse_parser.hpp"
#include "tests/support/fake_model_server.hpp"

namespace asio = boost::asio;
using namespace parley::core;

namespace {

constexpr std::size_t kDefaultTokens = 1'000'000;
constexpr std::size_t kDefaultPerRequest = 100'000;
constexpr std::size_t kReadBytes = 16 * 1024;

double thread_cpu_seconds() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

std::string words(std::size_t count) {
    std::string text;
    text.reserve(count * 4);
    for (std::size_t i = 0; i < count; ++i) {
        text += i == 0 ? "tok" : " tok";
    }
    return text;
}

struct Counted {
    std::size_t tokens = 0;
    std::size_t bytes = 0;
};

asio::awaitable<bool> stream_once(Provider& provider, const ModelRequest& request, Counted& counted) {
    ModelEventSink sink = [&counted](ModelEvent&& event) {
        if (const auto* text = std::get_if<TextDelta>(&event)) {
            ++counted.tokens;
            counted.bytes += text->text.size();
        }
    };
    const auto outcome = co_await provider.stream(request, std::move(sink));
    if (outcome.error) {
        std::fprintf(stderr, "stream failed: %s\n", outcome.error->message.c_str());
        co_return false;
    }
    co_return true;
}

asio::awaitable<std::string> capture_body(HttpClient& http, HttpRequest request) {
    auto opened = co_await http.open(std::move(request));
    std::string body;
    if (!opened) {
        co_return body;
    }
    while (true) {
        auto chunk = co_await (*opened)->next_chunk();
        if (!chunk || chunk->empty()) {
            co_return body;
        }
        body.append(*chunk);
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t tokens = kDefaultTokens;
    std::size_t per_request = kDefaultPerRequest;
    CLI::App app{"parley provider streaming benchmark"};
    app.add_option("--tokens", tokens, "tokens streamed in all");
    app.add_option("--per-request", per_request, "tokens per model request (one keep-alive connection)")
        ->check(CLI::PositiveNumber);
    CLI11_PARSE(app, argc, argv);
    const std::size_t requests = (tokens + per_request - 1) / per_request;

    parley::testing::FakeModelServer server;
    parley::testing::Script script;
    script.text = words(per_request);  // one piece per word, chunk delay 0
    server.set_default_script(script);

    asio::io_context io;
    HttpClient http(io.get_executor());
    ProviderConfig config;
    config.name = "bench";
    config.kind = ProviderKind::openai;
    config.base_url = server.base_url() + "/v1";
    OpenAiProvider provider(config, http);
    ModelRequest request;
    request.model = "fake-model";
    request.messages.push_back(ChatMessage{.role = ChatRole::user, .content = "go"});

    // 1. Loopback.
    Counted counted;
    const auto wall_start = std::chrono::steady_clock::now();
    const double cpu_start = thread_cpu_seconds();
    for (std::size_t i = 0; i < requests; ++i) {
        auto done = asio::co_spawn(io, stream_once(provider, request, counted), asio::use_future);
        io.restart();
        io.run();
        if (!done.get()) {
            return 1;
        }
    }
    const double cpu = thread_cpu_seconds() - cpu_start;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    std::printf("loopback: %zu tokens in %zu requests over %llu connection(s)\n", counted.tokens, requests,
                static_cast<unsigned long long>(server.connections_accepted()));
    std::printf("loopback: wall %.3f s, %.0f tokens/s; client thread CPU %.3f s, %.1f ns/token\n", wall,
                static_cast<double>(counted.tokens) / wall, cpu, cpu * 1e9 / static_cast<double>(counted.tokens));

    // 2. Replay of one captured response body, repeated to the same token count.
    HttpRequest raw;
    raw.url = config.base_url + "/chat/completions";
    raw.body = openai_chat_request_body(request);
    auto captured = asio::co_spawn(io, capture_body(http, raw), asio::use_future);
    io.restart();
    io.run();
    const std::string body = captured.get();
    std::size_t replayed = 0;
    const double replay_start = thread_cpu_seconds();
    const auto replay_wall_start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < requests; ++i) {
        ModelEventSink sink = [&replayed](ModelEvent&& event) {
            if (std::holds_alternative<TextDelta>(event)) {
                ++replayed;
            }
        };
        OpenAiStreamDecoder decoder(std::move(sink));
        SseParser parser;
        for (std::size_t offset = 0; offset < body.size(); offset += kReadBytes) {
            parser.append(std::string_view(body).substr(offset, kReadBytes));
            while (auto event = parser.next()) {
                if (auto error = decoder.on_event(*event)) {
                    std::fprintf(stderr, "replay failed: %s\n", error->message.c_str());
                    return 1;
                }
            }
        }
    }
    const double replay_cpu = thread_cpu_seconds() - replay_start;
    const double replay_wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - replay_wall_start).count();
    std::printf("replay:   %zu tokens (%zu bytes per response), %.0f tokens/s, %.1f ns/token\n", replayed, body.size(),
                static_cast<double>(replayed) / replay_wall, replay_cpu * 1e9 / static_cast<double>(replayed));
    return 0;
}
