#include "server/websocket/client_frame.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/json/parse.hpp>

#include "server/json_body.hpp"

namespace parley::server::websocket {
namespace {

struct TypeName {
    std::string_view name;
    ClientFrameType type;
};

constexpr std::array kTypes{
    TypeName{"create_session", ClientFrameType::create_session}, TypeName{"subscribe", ClientFrameType::subscribe},
    TypeName{"unsubscribe", ClientFrameType::unsubscribe},       TypeName{"send", ClientFrameType::send},
    TypeName{"interrupt", ClientFrameType::interrupt},           TypeName{"ping", ClientFrameType::ping},
};

FrameError refuse(const ApiError& error) {
    return {error.code, error.message, std::nullopt, std::nullopt};
}

// `ref` may be any JSON value; it is kept as parsed so it echoes unchanged.
std::optional<boost::json::value> read_ref(const JsonBody& body) {
    simdjson::dom::element ref;
    if (body.root().at_key("ref").get(ref) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    boost::system::error_code ec;
    auto value = boost::json::parse(simdjson::minify(ref), ec);
    if (ec) {
        return std::nullopt;
    }
    return value;
}

// The fields of each type; the frame already has its type, ref and session_id.
boost::system::result<void, ApiError> read_fields(const JsonBody& body, ClientFrame& frame) {
    switch (frame.type) {
        case ClientFrameType::create_session: {
            auto agent = body.required_string("agent");
            if (!agent) {
                return agent.error();
            }
            frame.agent = std::move(*agent);
            auto title = body.optional_string("title");
            if (!title) {
                return title.error();
            }
            frame.title = std::move(*title);
            auto metadata = body.optional_object_text("metadata");
            if (!metadata) {
                return metadata.error();
            }
            if (*metadata) {
                frame.metadata = std::move(**metadata);
            }
            return {};
        }
        case ClientFrameType::subscribe: {
            auto after_seq = body.optional_integer("after_seq");
            if (!after_seq) {
                return after_seq.error();
            }
            if (*after_seq) {
                if (**after_seq < 0) {
                    return JsonBody::invalid("after_seq", "a non-negative integer");
                }
                frame.after_seq = static_cast<std::uint64_t>(**after_seq);
            }
            return {};
        }
        case ClientFrameType::send: {
            auto content = body.required_string("content");
            if (!content) {
                return content.error();
            }
            frame.content = std::move(*content);
            return {};
        }
        case ClientFrameType::unsubscribe:
        case ClientFrameType::interrupt:
        case ClientFrameType::ping: return {};
    }
    return {};
}

bool names_session(ClientFrameType type) {
    return type != ClientFrameType::create_session && type != ClientFrameType::ping;
}

}  // namespace

FrameParse parse_client_frame(std::string_view text) {
    auto body = JsonBody::parse(text);
    if (!body) {
        // JsonBody speaks of "the request body"; here it is a frame.
        constexpr std::string_view kBodyWords = "the request body";
        auto message = body.error().message;
        if (message.starts_with(kBodyWords)) {
            message.replace(0, kBodyWords.size(), "the frame");
        }
        return FrameError{body.error().code, std::move(message), std::nullopt, std::nullopt};
    }
    ClientFrame frame;
    frame.ref = read_ref(*body);
    auto session_id = body->optional_string("session_id");
    std::optional<std::string> named_session;
    if (session_id && *session_id) {
        named_session = **session_id;
    }
    auto fail = [&](const ApiError& error) {
        auto refused = refuse(error);
        refused.ref = frame.ref;
        refused.session_id = named_session;
        return refused;
    };

    auto type = body->required_string("type");
    if (!type) {
        return fail(type.error());
    }
    const auto* known =
        std::find_if(kTypes.begin(), kTypes.end(), [&](const TypeName& entry) { return entry.name == *type; });
    if (known == kTypes.end()) {
        return fail(ApiError::bad_request("unknown_type", fmt::format("unknown frame type '{}'", *type), "type"));
    }
    frame.type = known->type;
    if (names_session(frame.type)) {
        if (!session_id) {
            return fail(session_id.error());
        }
        if (!named_session || named_session->empty()) {
            return fail(JsonBody::missing("session_id"));
        }
        frame.session_id = *named_session;
    }
    if (auto fields = read_fields(*body, frame); !fields) {
        return fail(fields.error());
    }
    return frame;
}

}  // namespace parley::server::websocket
