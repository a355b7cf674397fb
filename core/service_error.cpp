#include "core/service_error.hpp"

namespace parley::core {

std::string_view to_string(ServiceErrc code) {
    switch (code) {
        case ServiceErrc::session_not_found: return "session_not_found";
        case ServiceErrc::agent_not_found: return "agent_not_found";
        case ServiceErrc::invalid_argument: return "invalid_argument";
        case ServiceErrc::content_too_long: return "content_too_long";
        case ServiceErrc::turn_in_progress: return "turn_in_progress";
        case ServiceErrc::queue_full: return "queue_full";
        case ServiceErrc::invalid_query: return "invalid_query";
        case ServiceErrc::invalid_cursor: return "invalid_cursor";
        case ServiceErrc::unavailable: return "unavailable";
        case ServiceErrc::internal: return "internal_error";
    }
    return "internal_error";
}

}  // namespace parley::core
