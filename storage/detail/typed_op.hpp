#pragma once

#include <optional>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include "storage/detail/op.hpp"
#include "storage/result.hpp"

namespace parley::storage::detail {

// An Op whose work is fn(Connection&) -> Result<T> and whose completion is an
// Asio handler with signature void(Result<T>). Holds outstanding work on the
// handler's executor so its io_context stays alive until the result arrives.
template <class T, class Fn, class Handler>
class TypedOp final : public Op {
public:
    TypedOp(Fn fn, Handler handler)
        : fn_(std::move(fn)),
          handler_(std::move(handler)),
          work_(boost::asio::prefer(boost::asio::get_associated_executor(handler_),
                                    boost::asio::execution::outstanding_work.tracked)) {}

    bool run(Connection& connection) override {
        result_.emplace(fn_(connection));
        return result_->has_value();
    }

    void fail(boost::system::error_code error) override { result_.emplace(error); }

    void complete() override { boost::asio::dispatch(work_, Completion{std::move(handler_), take_result()}); }

    void complete_later() override { boost::asio::post(work_, Completion{std::move(handler_), take_result()}); }

private:
    struct Completion {
        Handler handler;
        Result<T> result;
        void operator()() { std::move(handler)(std::move(result)); }
    };

    Result<T> take_result() {
        if (!result_) {
            return StoreErrc::internal;
        }
        return std::move(*result_);
    }

    using WorkExecutor =
        std::decay_t<decltype(boost::asio::prefer(std::declval<boost::asio::associated_executor_t<Handler>>(),
                                                  boost::asio::execution::outstanding_work.tracked))>;

    Fn fn_;
    Handler handler_;
    WorkExecutor work_;
    std::optional<Result<T>> result_;
};

}  // namespace parley::storage::detail
