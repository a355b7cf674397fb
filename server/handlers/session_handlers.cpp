#include "server/handlers/session_handlers.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/message_json.hpp"
#include "server/json_body.hpp"
#include "server/query_params.hpp"
#include "server/response.hpp"
#include "storage/records.hpp"
#include "storage/timestamp.hpp"

namespace parley::server {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::uint64_t kMaxSearchResults = 100;

ParseResult<core::NewSession> parse_new_session(std::string_view body, const Principal& principal) {
    auto parsed = JsonBody::parse(body);
    if (!parsed) {
        return parsed.error();
    }
    core::NewSession session{principal.tenant, {}, {}, "{}"};
    auto agent = parsed->required_string("agent");
    if (!agent) {
        return agent.error();
    }
    session.agent = std::move(*agent);
    auto title = parsed->optional_string("title");
    if (!title) {
        return title.error();
    }
    session.title = std::move(*title);
    auto metadata = parsed->optional_object_text("metadata");
    if (!metadata) {
        return metadata.error();
    }
    if (*metadata) {
        session.metadata = std::move(**metadata);
    }
    return session;
}

ParseResult<storage::SessionPatch> parse_patch(std::string_view body) {
    auto parsed = JsonBody::parse(body);
    if (!parsed) {
        return parsed.error();
    }
    storage::SessionPatch patch;
    if (parsed->has("title")) {
        auto title = parsed->optional_string("title");
        if (!title) {
            return title.error();
        }
        patch.title = std::move(*title);
    }
    if (parsed->has("metadata")) {
        auto metadata = parsed->optional_object_text("metadata");
        if (!metadata) {
            return metadata.error();
        }
        if (!*metadata) {
            return JsonBody::invalid("metadata", "an object");
        }
        patch.metadata = std::move(**metadata);
    }
    return patch;
}

json::object session_list_json(const storage::SessionPage& page) {
    json::array data;
    data.reserve(page.data.size());
    for (const auto& session : page.data) {
        data.push_back(core::session_json(session, session.last_seq));
    }
    return {{"data", std::move(data)}, {"has_more", page.has_more}};
}

}  // namespace

SessionHandlers::SessionHandlers(core::SessionService& sessions, std::shared_ptr<core::ConfigStore> config)
    : sessions_(sessions), config_(std::move(config)) {}

void SessionHandlers::add_routes(Router& router) {
    router.add(http::verb::get, "/v1/agents", [this](RequestContext& context) { return list_agents(context); });
    router.add(http::verb::post, "/v1/sessions", [this](RequestContext& context) { return create(context); });
    router.add(http::verb::get, "/v1/sessions", [this](RequestContext& context) { return list(context); });
    router.add(http::verb::get, "/v1/sessions/{id}", [this](RequestContext& context) { return get(context); });
    router.add(http::verb::patch, "/v1/sessions/{id}", [this](RequestContext& context) { return patch(context); });
    router.add(http::verb::delete_, "/v1/sessions/{id}", [this](RequestContext& context) { return remove(context); });
    router.add(http::verb::get, "/v1/sessions/{id}/todos", [this](RequestContext& context) { return todos(context); });
    router.add(http::verb::get, "/v1/search", [this](RequestContext& context) { return search(context); });
}

asio::awaitable<Response> SessionHandlers::list_agents(RequestContext& context) {
    const auto snapshot = config_->current();
    json::array data;
    for (const auto& [name, agent] : snapshot->config.agents) {
        json::array tools;
        for (const auto& tool : agent.tools) {
            tools.emplace_back(tool);
        }
        data.push_back(json::object{{"name", name},
                                    {"description", agent.description},
                                    {"provider", agent.provider},
                                    {"model", agent.model},
                                    {"tools", std::move(tools)}});
    }
    co_return reply_json(context, http::status::ok, json::object{{"data", std::move(data)}});
}

asio::awaitable<Response> SessionHandlers::create(RequestContext& context) {
    auto request = parse_new_session(context.request.body(), context.principal);
    if (!request) {
        co_return reply_error(context, request.error());
    }
    auto created = co_await sessions_.create(std::move(*request));
    if (!created) {
        co_return reply_error(context, created.error());
    }
    co_return reply_json(context, http::status::created, core::session_json(*created, created->last_seq));
}

asio::awaitable<Response> SessionHandlers::list(RequestContext& context) {
    const QueryParams params(context.query);
    const auto limit = params.unsigned_integer("limit", 1, storage::kMaxPageSize);
    if (!limit) {
        co_return reply_error(context, limit.error());
    }
    storage::SessionQuery query;
    query.limit = static_cast<unsigned>(limit->value_or(query.limit));
    query.after = params.text("after");
    auto page = co_await sessions_.list(context.principal.tenant, query);
    if (!page) {
        co_return reply_error(context, page.error());
    }
    co_return reply_json(context, http::status::ok, session_list_json(*page));
}

asio::awaitable<Response> SessionHandlers::get(RequestContext& context) {
    auto tenant = context.principal.tenant;
    auto session_id = std::string(context.params.get("id"));
    auto session = co_await sessions_.get(std::move(tenant), std::move(session_id));
    if (!session) {
        co_return reply_error(context, session.error());
    }
    co_return reply_json(context, http::status::ok, core::session_json(*session, session->last_seq));
}

asio::awaitable<Response> SessionHandlers::patch(RequestContext& context) {
    auto patch = parse_patch(context.request.body());
    if (!patch) {
        co_return reply_error(context, patch.error());
    }
    auto tenant = context.principal.tenant;
    auto session_id = std::string(context.params.get("id"));
    auto session = co_await sessions_.patch(std::move(tenant), std::move(session_id), std::move(*patch));
    if (!session) {
        co_return reply_error(context, session.error());
    }
    co_return reply_json(context, http::status::ok, core::session_json(*session, session->last_seq));
}

asio::awaitable<Response> SessionHandlers::remove(RequestContext& context) {
    auto tenant = context.principal.tenant;
    auto session_id = std::string(context.params.get("id"));
    auto removed = co_await sessions_.remove(std::move(tenant), std::move(session_id));
    if (!removed) {
        co_return reply_error(context, removed.error());
    }
    co_return reply_no_content(context);
}

asio::awaitable<Response> SessionHandlers::todos(RequestContext& context) {
    auto tenant = context.principal.tenant;
    auto session_id = std::string(context.params.get("id"));
    auto todos = co_await sessions_.todos(std::move(tenant), std::move(session_id));
    if (!todos) {
        co_return reply_error(context, todos.error());
    }
    json::array data;
    data.reserve(todos->size());
    for (const auto& todo : *todos) {
        data.push_back(core::todo_json(todo));
    }
    co_return reply_json(context, http::status::ok, json::object{{"data", std::move(data)}});
}

asio::awaitable<Response> SessionHandlers::search(RequestContext& context) {
    const QueryParams params(context.query);
    auto text = params.text("q");
    if (!text || text->empty()) {
        co_return reply_error(context, ApiError::bad_request("missing_query_parameter", "'q' is required", "q"));
    }
    const auto limit = params.unsigned_integer("limit", 1, kMaxSearchResults);
    if (!limit) {
        co_return reply_error(context, limit.error());
    }
    auto tenant = context.principal.tenant;
    auto hits =
        co_await sessions_.search(std::move(tenant), std::move(*text), static_cast<unsigned>(limit->value_or(20)));
    if (!hits) {
        co_return reply_error(context, hits.error());
    }
    json::array data;
    data.reserve(hits->size());
    for (const auto& hit : *hits) {
        data.push_back(json::object{{"session_id", hit.session_id},
                                    {"message_id", hit.message_id},
                                    {"seq", hit.seq},
                                    {"snippet", hit.snippet},
                                    {"created_at", storage::format_rfc3339(hit.created_at)}});
    }
    co_return reply_json(context, http::status::ok, json::object{{"data", std::move(data)}});
}

}  // namespace parley::server
