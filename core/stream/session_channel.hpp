#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/stream/event.hpp"
#include "core/stream/subscriber.hpp"

namespace parley::core {

enum class AttachResult { subscribed, resync };

struct Attachment {
    AttachResult result = AttachResult::subscribed;
    std::uint64_t last_seq = 0;  // the last published seq when attached
};

// One session's event stream: its seq counter, the retained recent events for
// resume, and its subscribers. Events are published by the session's single
// producer (its session's executor) in seq order; subscribers attach from any thread.
class SessionChannel {
public:
    SessionChannel(std::string session_id, std::uint64_t last_seq, std::size_t retained);

    [[nodiscard]] const std::string& session_id() const { return session_id_; }

    // Allocates the next seq; the producer then publishes the event carrying it.
    [[nodiscard]] std::uint64_t next_seq();
    // Never lowers the counter: seqs are never reused.
    void raise_seq(std::uint64_t seq);
    [[nodiscard]] std::uint64_t last_published() const;
    [[nodiscard]] std::uint64_t last_allocated() const { return allocated_.load(); }

    // Retains the event and hands it to every subscriber (no copy of its
    // text). Events go out strictly in seq order: one published ahead of an
    // allocated but unpublished seq waits until that seq is published or skipped.
    void publish(const EventPtr& event);
    // Gives up an allocated seq that will carry no event (its write failed).
    void skip(std::uint64_t seq);

    // Without after_seq: live events after the current last seq. With it: the
    // retained events after it first, or resync when some are no longer retained.
    Attachment attach(const std::shared_ptr<Subscriber>& subscriber, std::optional<std::uint64_t> after_seq);
    void detach(const Subscriber& subscriber);
    void close_all(SubscriberClose reason);

    [[nodiscard]] std::size_t subscriber_count() const;
    // Who could see an event published now: nobody (no subscriber and nothing
    // retained for a later one: a stateless call nobody streams), only readers
    // of its fields (a stateless call streamed as chat completion chunks), or
    // someone who sends its JSON. Only a stateless call's channel retains
    // nothing (sessions retain at least 16 events), and it is in no hub: no
    // subscriber joins it after the one it was created with.
    enum class Audience { none, fields, json };
    [[nodiscard]] Audience audience() const;
    [[nodiscard]] std::size_t retained_count() const;

private:
    void release(const EventPtr& event);  // with mutex_ held
    void flush_waiting();                 // with mutex_ held

    const std::string session_id_;
    const std::size_t retained_capacity_;
    std::atomic<std::uint64_t> allocated_;
    mutable std::mutex mutex_;
    std::uint64_t published_;
    std::deque<EventPtr> retained_;
    std::map<std::uint64_t, EventPtr> waiting_;  // published ahead of their turn; null: skipped
    std::vector<std::shared_ptr<Subscriber>> subscribers_;
};

}  // namespace parley::core
