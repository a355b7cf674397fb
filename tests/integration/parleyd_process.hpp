#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace parley::testing {

// The real parleyd binary run as a child process, for integration tests:
// writes the given configuration to a temporary file, captures stdout and
// stderr, and learns the port from its "listening on HOST:PORT" line.
class ParleydProcess {
public:
    struct Options {
        std::string config_toml;  // empty: no --config flag
        std::map<std::string, std::string> env;
        std::vector<std::string> extra_args;
        bool wait_until_listening = true;
    };

    explicit ParleydProcess(Options options);
    ~ParleydProcess();
    ParleydProcess(const ParleydProcess&) = delete;
    ParleydProcess& operator=(const ParleydProcess&) = delete;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] const std::filesystem::path& config_path() const { return config_path_; }
    [[nodiscard]] const std::filesystem::path& directory() const { return directory_; }

    // Blocks until a line containing `needle` was printed; false on timeout.
    bool wait_for_output(std::string_view needle, std::chrono::milliseconds timeout);
    [[nodiscard]] std::string output() const;

    void send_signal(int signal) const;
    // The exit code, or nullopt if it did not exit in time (it is then killed).
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);

private:
    void read_output(int fd);

    std::filesystem::path directory_;
    std::filesystem::path config_path_;
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    std::optional<int> exit_code_;
    mutable std::mutex mutex_;
    std::condition_variable output_changed_;
    std::string output_;
    std::thread reader_;
};

}  // namespace parley::testing
