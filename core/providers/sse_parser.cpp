#include "core/providers/sse_parser.hpp"

#include <algorithm>
#include <cstring>

namespace parley::core {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kDefaultEventType = "message";

// The first CR or LF in [from, end), or end. Two memchr passes (vectorised by
// libc) instead of a byte loop: the line scan was SseParser's largest cost.
const char* find_line_end(const char* from, const char* end) {
    const auto* lf = static_cast<const char*>(std::memchr(from, '\n', static_cast<std::size_t>(end - from)));
    const char* stop = lf != nullptr ? lf : end;
    const auto* cr = static_cast<const char*>(std::memchr(from, '\r', static_cast<std::size_t>(stop - from)));
    return cr != nullptr ? cr : stop;
}

}  // namespace

void SseParser::append(std::string_view bytes) {
    // Drop what was consumed before growing, so the buffer stays the size of one pending event.
    // A pending single data line is a view into the buffer: keep it valid by moving it too.
    if (consumed_ > 0) {
        if (data_lines_ == 1 && !data_view_.empty()) {
            data_joined_.assign(data_view_);
            data_view_ = {};
        }
        buffer_.erase(0, consumed_);
        scanned_ -= consumed_;
        consumed_ = 0;
    }
    buffer_.append(bytes);
}

std::optional<std::string_view> SseParser::next_line() {
    if (skip_lf_ && consumed_ < buffer_.size()) {
        if (buffer_[consumed_] == '\n') {
            ++consumed_;
        }
        skip_lf_ = false;
        scanned_ = std::max(scanned_, consumed_);
    }
    const char* begin = buffer_.data();
    const char* from = begin + std::max(scanned_, consumed_);
    const char* end = begin + buffer_.size();
    const char* found = find_line_end(from, end);
    if (found == end) {
        scanned_ = buffer_.size();
        if (buffered() > max_line_bytes_) {
            overflowed_ = true;
        }
        return std::nullopt;
    }
    const auto line_end = static_cast<std::size_t>(found - begin);
    std::string_view line(begin + consumed_, line_end - consumed_);
    consumed_ = line_end + 1;
    scanned_ = consumed_;
    if (*found == '\r') {
        skip_lf_ = true;
        // The LF of a CRLF may already be here; if not, the next call skips it.
        if (consumed_ < buffer_.size()) {
            if (buffer_[consumed_] == '\n') {
                ++consumed_;
                scanned_ = consumed_;
            }
            skip_lf_ = false;
        }
    }
    return line;
}

std::optional<SseEvent> SseParser::next() {
    while (!overflowed_) {
        if (at_stream_start_) {
            // A BOM may only start the stream; wait until three bytes are here to decide.
            if (buffered() < kUtf8Bom.size() &&
                std::string_view(buffer_).substr(consumed_) == kUtf8Bom.substr(0, buffered())) {
                return std::nullopt;
            }
            if (std::string_view(buffer_).substr(consumed_, kUtf8Bom.size()) == kUtf8Bom) {
                consumed_ += kUtf8Bom.size();
                scanned_ = std::max(scanned_, consumed_);
            }
            at_stream_start_ = false;
        }
        const auto line = next_line();
        if (!line) {
            return std::nullopt;
        }
        if (!line->empty()) {
            process_field(*line);
            continue;
        }
        // A blank line dispatches the event, if it had data.
        if (data_lines_ == 0) {
            event_type_.clear();
            continue;
        }
        event_type_out_.swap(event_type_);
        SseEvent event;
        event.event = event_type_out_.empty() ? kDefaultEventType : std::string_view(event_type_out_);
        event.data = data_lines_ == 1 && !data_view_.empty() ? data_view_ : std::string_view(data_joined_);
        event.id = last_id_;
        reset_event();
        return event;
    }
    return std::nullopt;
}

void SseParser::process_field(std::string_view line) {
    if (line.front() == ':') {
        return;  // a comment, often a keep-alive
    }
    std::string_view field = line;
    std::string_view value;
    if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
    }
    if (field == "data") {
        if (data_lines_ == 0) {
            // Usually the only data line: keep a view, copy only if a second line or an append() comes.
            data_joined_.clear();
            data_view_ = value;
            if (value.empty()) {
                data_view_ = {};
            }
        } else {
            if (data_lines_ == 1 && !data_view_.empty()) {
                data_joined_.assign(data_view_);
                data_view_ = {};
            }
            data_joined_ += '\n';
            data_joined_ += value;
        }
        ++data_lines_;
    } else if (field == "event") {
        event_type_.assign(value);
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) {
            last_id_.assign(value);
        }
    }
}

void SseParser::reset_event() {
    event_type_.clear();
    data_lines_ = 0;
    // data_view_ and data_joined_ still back the event being returned; they are reset
    // when the next event's first data line arrives.
}

}  // namespace parley::core
