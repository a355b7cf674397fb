#pragma once

#include <cstdint>

#include <boost/json/object.hpp>

#include "storage/records.hpp"

// The API's JSON shapes of stored records (API.md), shared by events and REST.
namespace parley::core {

[[nodiscard]] boost::json::object message_json(const storage::Message& message);

// last_seq: the live value when the session's channel is ahead of storage.
[[nodiscard]] boost::json::object session_json(const storage::Session& session, std::int64_t last_seq);

[[nodiscard]] boost::json::object todo_json(const storage::Todo& todo);

}  // namespace parley::core
