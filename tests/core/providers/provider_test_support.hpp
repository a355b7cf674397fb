#pragma once

#include <string>
#include <variant>
#include <vector>

#include "core/providers/model_types.hpp"
#include "core/providers/provider.hpp"

namespace parley::core::test {

// What a provider streamed, reassembled: the text, the tool calls by index, the events in order.
class RecordedStream {
public:
    ModelEventSink sink() {
        return [this](ModelEvent&& event) { record(std::move(event)); };
    }

    void record(ModelEvent&& event) {
        if (const auto* text = std::get_if<TextDelta>(&event)) {
            text_ += text->text;
            ++text_deltas_;
        } else if (const auto* started = std::get_if<ToolCallStarted>(&event)) {
            if (tool_calls_.size() <= started->index) {
                tool_calls_.resize(started->index + 1);
                finished_.resize(started->index + 1);
            }
            tool_calls_[started->index].id = started->id;
            tool_calls_[started->index].name = started->name;
        } else if (const auto* fragment = std::get_if<ToolCallArgumentsDelta>(&event)) {
            tool_calls_.at(fragment->index).arguments_json += fragment->fragment;
            ++fragments_;
        } else if (const auto* finished = std::get_if<ToolCallFinished>(&event)) {
            finished_.at(finished->index) = true;
        } else if (const auto* usage = std::get_if<UsageReported>(&event)) {
            usage_ = usage->usage;
            ++usage_reports_;
        }
        events_.push_back(std::move(event));
    }

    [[nodiscard]] const std::string& text() const { return text_; }
    [[nodiscard]] std::size_t text_deltas() const { return text_deltas_; }
    [[nodiscard]] const std::vector<ToolCall>& tool_calls() const { return tool_calls_; }
    [[nodiscard]] bool tool_call_finished(std::size_t index) const { return finished_.at(index); }
    [[nodiscard]] std::size_t fragments() const { return fragments_; }
    [[nodiscard]] const TokenUsage& usage() const { return usage_; }
    [[nodiscard]] std::size_t usage_reports() const { return usage_reports_; }
    [[nodiscard]] const std::vector<ModelEvent>& events() const { return events_; }

private:
    std::string text_;
    std::size_t text_deltas_ = 0;
    std::vector<ToolCall> tool_calls_;
    std::vector<bool> finished_;
    std::size_t fragments_ = 0;
    TokenUsage usage_;
    std::size_t usage_reports_ = 0;
    std::vector<ModelEvent> events_;
};

inline ModelRequest user_request(std::string text) {
    ModelRequest request;
    request.model = "fake-model";
    request.messages.push_back(ChatMessage{.role = ChatRole::user, .content = std::move(text)});
    return request;
}

}  // namespace parley::core::test
