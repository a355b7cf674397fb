#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tests/support/script.hpp"

namespace parley::testing {

// One request as the fake server received it.
struct RecordedRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names lower-cased; repeated fields joined with ", "
    std::string body;
    std::chrono::steady_clock::time_point received_at;
};

// What the fake model server shares between its connections and the test thread:
// the script queue, the record of requests and the connection counters. Thread-safe;
// no lock is held beyond one call, and waiters block on a condition variable.
class FakeModelState {
public:
    FakeModelState() = default;

    void enqueue(Script script);
    void set_default_script(Script script);
    // The first queued script keyed to this route (or to none), else the default script.
    [[nodiscard]] Script next_script(Route route);
    [[nodiscard]] std::size_t pending_scripts() const;
    void clear_scripts();

    void record(RecordedRequest request);
    [[nodiscard]] std::vector<RecordedRequest> requests() const;
    [[nodiscard]] std::size_t request_count() const;
    void clear_requests();

    void connection_opened();
    void connection_closed();
    [[nodiscard]] std::uint64_t connections_accepted() const;
    [[nodiscard]] std::size_t active_connections() const;

    // Numbers the model responses (ids such as "chatcmpl-fake-<n>").
    [[nodiscard]] std::uint64_t next_response_number();

    // Block until at least `count` requests were recorded / exactly `count` connections
    // are open; false on timeout.
    bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const;
    bool wait_for_active_connections(std::size_t count, std::chrono::milliseconds timeout) const;

private:
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::deque<Script> scripts_;
    Script default_script_;
    std::vector<RecordedRequest> requests_;
    std::uint64_t connections_accepted_ = 0;
    std::size_t active_connections_ = 0;
    std::uint64_t responses_ = 0;
};

}  // namespace parley::testing
