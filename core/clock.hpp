#pragma once

#include <chrono>

namespace parley::core {

// Time where tests must control it (the agent cache's TTL).
class Clock {
public:
    using time_point = std::chrono::steady_clock::time_point;
    virtual ~Clock() = default;
    [[nodiscard]] virtual time_point now() const = 0;
};

class SteadyClock final : public Clock {
public:
    [[nodiscard]] time_point now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace parley::core
