#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace parley::core {

// One dispatched server-sent event. The views point into the parser and stay
// valid until the next append() or next() call.
struct SseEvent {
    std::string_view event;  // "message" unless an `event:` field named it
    std::string_view data;   // data lines joined with '\n'
    std::string_view id;     // the last `id:` seen (sticky, as the spec says)
};

// An incremental text/event-stream parser (WHATWG HTML, "server-sent events"):
// bytes are appended as they arrive, split anywhere (inside a line, a CRLF, a
// UTF-8 sequence), and complete events are pulled with next(). Lines end with
// CRLF, LF or CR; comments (`:`) and unknown fields are ignored; `retry:` is
// ignored. A single-line `data:` (the common case) is handed out as a view into
// the receive buffer without a further copy.
class SseParser {
public:
    // Buffered bytes of an incomplete line beyond this are an error (a broken upstream).
    static constexpr std::size_t kDefaultMaxLineBytes = 8 * 1024 * 1024;

    explicit SseParser(std::size_t max_line_bytes = kDefaultMaxLineBytes) : max_line_bytes_(max_line_bytes) {}

    // Adds received bytes. Invalidates the views of the last event.
    void append(std::string_view bytes);

    // The next complete event, if the buffered bytes hold one.
    [[nodiscard]] std::optional<SseEvent> next();

    // True when an incomplete line grew past the limit; the stream should be abandoned.
    [[nodiscard]] bool overflowed() const { return overflowed_; }

    // Bytes held for an incomplete line or event (0 at a clean event boundary).
    [[nodiscard]] std::size_t buffered() const { return buffer_.size() - consumed_; }

private:
    // One complete line starting at consumed_, without its terminator; nullopt when incomplete.
    std::optional<std::string_view> next_line();
    void process_field(std::string_view line);
    void reset_event();

    std::size_t max_line_bytes_;
    std::string buffer_;
    std::size_t consumed_ = 0;
    std::size_t scanned_ = 0;  // no terminator in [consumed_, scanned_)
    bool skip_lf_ = false;     // the last line ended with CR: a following LF belongs to it
    bool at_stream_start_ = true;
    bool overflowed_ = false;

    // The event being assembled.
    std::string event_type_;
    std::string_view data_view_;  // the only data line so far, still inside buffer_
    std::string data_joined_;     // two or more data lines
    std::size_t data_lines_ = 0;
    std::string last_id_;
    std::string event_type_out_;  // the dispatched event's type, stable until the next call
};

}  // namespace parley::core
