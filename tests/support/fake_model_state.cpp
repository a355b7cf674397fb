#include "tests/support/fake_model_state.hpp"

#include <algorithm>

namespace parley::testing {

void FakeModelState::enqueue(Script script) {
    const std::lock_guard lock(mutex_);
    scripts_.push_back(std::move(script));
}

void FakeModelState::set_default_script(Script script) {
    const std::lock_guard lock(mutex_);
    default_script_ = std::move(script);
}

Script FakeModelState::next_script(Route route) {
    const std::lock_guard lock(mutex_);
    const auto match = std::find_if(scripts_.begin(), scripts_.end(),
                                    [route](const Script& script) { return !script.route || *script.route == route; });
    if (match == scripts_.end()) {
        return default_script_;
    }
    auto script = std::move(*match);
    scripts_.erase(match);
    return script;
}

std::size_t FakeModelState::pending_scripts() const {
    const std::lock_guard lock(mutex_);
    return scripts_.size();
}

void FakeModelState::clear_scripts() {
    const std::lock_guard lock(mutex_);
    scripts_.clear();
}

void FakeModelState::record(RecordedRequest request) {
    {
        const std::lock_guard lock(mutex_);
        requests_.push_back(std::move(request));
    }
    changed_.notify_all();
}

std::vector<RecordedRequest> FakeModelState::requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
}

std::size_t FakeModelState::request_count() const {
    const std::lock_guard lock(mutex_);
    return requests_.size();
}

void FakeModelState::clear_requests() {
    const std::lock_guard lock(mutex_);
    requests_.clear();
}

void FakeModelState::connection_opened() {
    {
        const std::lock_guard lock(mutex_);
        ++connections_accepted_;
        ++active_connections_;
    }
    changed_.notify_all();
}

void FakeModelState::connection_closed() {
    {
        const std::lock_guard lock(mutex_);
        --active_connections_;
    }
    changed_.notify_all();
}

std::uint64_t FakeModelState::connections_accepted() const {
    const std::lock_guard lock(mutex_);
    return connections_accepted_;
}

std::size_t FakeModelState::active_connections() const {
    const std::lock_guard lock(mutex_);
    return active_connections_;
}

std::uint64_t FakeModelState::next_response_number() {
    const std::lock_guard lock(mutex_);
    return ++responses_;
}

bool FakeModelState::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this, count] { return requests_.size() >= count; });
}

bool FakeModelState::wait_for_active_connections(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this, count] { return active_connections_ == count; });
}

}  // namespace parley::testing
