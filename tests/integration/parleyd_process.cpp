#include "tests/integration/parleyd_process.hpp"

#include <array>
#include <csignal>
#include <fstream>
#include <random>
#include <regex>
#include <stdexcept>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace parley::testing {
namespace {

constexpr std::chrono::seconds kStartTimeout{30};
constexpr std::size_t kReadBuffer = 4096;

std::filesystem::path make_directory() {
    std::random_device random;
    auto path = std::filesystem::temp_directory_path() / ("parleyd-test-" + std::to_string(random()));
    std::filesystem::create_directories(path);
    return path;
}

}  // namespace

ParleydProcess::ParleydProcess(Options options) : directory_(make_directory()) {
    std::vector<std::string> args{PARLEYD_PATH};
    if (!options.config_toml.empty()) {
        config_path_ = directory_ / "parley.toml";
        std::ofstream(config_path_) << options.config_toml;
        args.emplace_back("--config");
        args.push_back(config_path_.string());
    }
    args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());

    std::array<int, 2> pipe_fds{};
    if (pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    pid_ = fork();
    if (pid_ < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid_ == 0) {
        dup2(pipe_fds[1], STDOUT_FILENO);
        dup2(pipe_fds[1], STDERR_FILENO);
        if (chdir(directory_.c_str()) != 0) {
            _exit(127);
        }
        for (const auto& [name, value] : options.env) {
            setenv(name.c_str(), value.c_str(), 1);
        }
        std::vector<char*> argv;
        for (auto& arg : args) {
            argv.push_back(arg.data());
        }
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(pipe_fds[1]);
    reader_ = std::thread([this, fd = pipe_fds[0]] { read_output(fd); });

    if (options.wait_until_listening) {
        if (!wait_for_output("listening on ", kStartTimeout)) {
            throw std::runtime_error("parleyd did not start listening:\n" + output());
        }
        const std::regex pattern(R"(listening on (\[[^\]]+\]|[^:\s]+):(\d+))");
        std::smatch match;
        const std::string text = output();
        if (!std::regex_search(text, match, pattern)) {
            throw std::runtime_error("no port in parleyd's output:\n" + text);
        }
        port_ = static_cast<std::uint16_t>(std::stoi(match[2].str()));
    }
}

ParleydProcess::~ParleydProcess() {
    if (!exit_code_) {
        send_signal(SIGKILL);
        wait_for_exit(std::chrono::seconds(10));
    }
    if (reader_.joinable()) {
        reader_.join();
    }
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
}

void ParleydProcess::read_output(int fd) {
    std::array<char, kReadBuffer> buffer{};
    for (;;) {
        const auto count = read(fd, buffer.data(), buffer.size());
        if (count <= 0) {
            break;
        }
        {
            const std::lock_guard lock(mutex_);
            output_.append(buffer.data(), static_cast<std::size_t>(count));
        }
        output_changed_.notify_all();
    }
    close(fd);
}

bool ParleydProcess::wait_for_output(std::string_view needle, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return output_changed_.wait_for(lock, timeout, [&] { return output_.find(needle) != std::string::npos; });
}

std::string ParleydProcess::output() const {
    const std::lock_guard lock(mutex_);
    return output_;
}

void ParleydProcess::send_signal(int signal) const {
    if (pid_ > 0 && !exit_code_) {
        kill(pid_, signal);
    }
}

std::optional<int> ParleydProcess::wait_for_exit(std::chrono::milliseconds timeout) {
    if (exit_code_) {
        return exit_code_;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    constexpr std::chrono::milliseconds kPollInterval{5};
    // waitpid has no timeout; poll the child's state, which is cheap and bounded.
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return exit_code_;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_code_ = 128 + SIGKILL;
    return std::nullopt;
}

}  // namespace parley::testing
