#pragma once

#include "core/clock.hpp"

namespace parley::testing {

// A clock the test moves by hand.
class ManualClock final : public core::Clock {
public:
    [[nodiscard]] time_point now() const override { return now_; }
    void advance(std::chrono::steady_clock::duration by) { now_ += by; }

private:
    time_point now_{std::chrono::seconds(1000)};
};

}  // namespace parley::testing
