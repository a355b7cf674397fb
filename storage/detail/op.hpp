#pragma once

#include <chrono>

#include <boost/system/error_code.hpp>

namespace parley::storage {
class Connection;
}

namespace parley::storage::detail {

// One queued unit of database work and the completion waiting for it; the
// BatchWriter and the ReadPool run these on their own threads.
class Op {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    Op() = default;
    virtual ~Op() = default;
    Op(const Op&) = delete;
    Op& operator=(const Op&) = delete;
    Op(Op&&) = delete;
    Op& operator=(Op&&) = delete;

    // Runs the work; true if it produced a value, false if it produced an
    // error value. Throws SqliteError for database failures.
    virtual bool run(Connection& connection) = 0;
    // Replaces the outcome by an error (the work threw, or its commit failed).
    virtual void fail(boost::system::error_code error) = 0;
    // Delivers the outcome on the completion handler's executor; may run the
    // handler inline when the caller is already there.
    virtual void complete() = 0;
    // Delivers the outcome, never inline: for rejections inside the initiating call.
    virtual void complete_later() = 0;

    void set_enqueued_at(TimePoint when) noexcept { enqueued_at_ = when; }
    [[nodiscard]] TimePoint enqueued_at() const noexcept { return enqueued_at_; }

private:
    TimePoint enqueued_at_{};
};

}  // namespace parley::storage::detail
