#include "core/logging.hpp"

#include <ctime>
#include <iostream>
#include <iterator>
#include <memory>

#include <fmt/chrono.h>
#include <fmt/compile.h>
#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace parley::core {
namespace {

constexpr std::string_view kRedacted = "REDACTED";
constexpr std::string_view kSecretParameters[] = {"access_token", "api_key", "key", "token"};

// Fields a caller attaches to the line it is about to log (the access log);
// the formatter runs synchronously on the logging thread, so thread-local is exact.
thread_local const boost::json::object* tls_fields = nullptr;

class JsonFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        boost::json::object line;
        const auto since_epoch = msg.time.time_since_epoch();
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
        const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - seconds);
        const std::time_t whole = seconds.count();
        std::tm utc{};
        gmtime_r(&whole, &utc);
        line["time"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06}Z", utc, micros.count());
        line["level"] = std::string_view(spdlog::level::to_string_view(msg.level).data(),
                                         spdlog::level::to_string_view(msg.level).size());
        line["msg"] = std::string_view(msg.payload.data(), msg.payload.size());
        if (tls_fields != nullptr) {
            for (const auto& field : *tls_fields) {
                line[field.key()] = field.value();
            }
        }
        const auto text = boost::json::serialize(line);
        dest.append(text.data(), text.data() + text.size());
        dest.push_back('\n');
    }

    [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonFormatter>();
    }
};

LogFormat current_format = LogFormat::text;

// Access lines are many and routine: they go out with the next line that is
// flushed, or within kAccessFlushInterval, instead of one write(2) per request.
constexpr auto kAccessFlushInterval = std::chrono::seconds(1);
constexpr std::string_view kAccessLoggerName = "parley.access";
std::shared_ptr<spdlog::logger> access_logger;

}  // namespace

void configure_logging(const LogConfig& config) {
    // std::cout buffers (stdout is a pipe or a file in a deployment); each
    // logger decides when to flush it.
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(std::cout);
    auto logger = std::make_shared<spdlog::logger>("parley", sink);
    if (config.format == LogFormat::json) {
        logger->set_formatter(std::make_unique<JsonFormatter>());
    } else {
        logger->set_formatter(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%fZ %^%-5l%$ %v",
                                                                          spdlog::pattern_time_type::utc));
    }
    current_format = config.format;
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));

    spdlog::drop(std::string(kAccessLoggerName));
    access_logger = std::make_shared<spdlog::logger>(std::string(kAccessLoggerName), std::move(sink));
    access_logger->flush_on(spdlog::level::off);
    spdlog::register_logger(access_logger);
    spdlog::flush_every(kAccessFlushInterval);
    set_log_level(config.level);
}

bool set_log_level(std::string_view level) {
    const auto parsed = spdlog::level::from_str(std::string(level));
    if (parsed == spdlog::level::off && level != "off") {
        return false;
    }
    spdlog::set_level(parsed);
    return true;
}

std::string redact_target(std::string_view target) {
    const auto question = target.find('?');
    if (question == std::string_view::npos) {
        return std::string(target);
    }
    std::string out(target.substr(0, question + 1));
    std::string_view query = target.substr(question + 1);
    bool first = true;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto equals = pair.find('=');
        const std::string_view name = pair.substr(0, equals);
        if (!first) {
            out.push_back('&');
        }
        first = false;
        const bool secret =
            std::find(std::begin(kSecretParameters), std::end(kSecretParameters), name) != std::end(kSecretParameters);
        if (secret && equals != std::string_view::npos) {
            out.append(name).append("=").append(kRedacted);
        } else {
            out.append(pair);
        }
    }
    return out;
}

void log_access(const AccessRecord& record) {
    spdlog::logger& logger = access_logger ? *access_logger : *spdlog::default_logger_raw();
    if (!logger.should_log(spdlog::level::info)) {
        return;
    }
    const std::string target = redact_target(record.target);
    const double millis = static_cast<double>(record.duration.count()) / 1000.0;
    if (current_format == LogFormat::json) {
        const boost::json::object fields{{"kind", "access"},        {"method", record.method}, {"path", target},
                                         {"status", record.status}, {"bytes", record.bytes},   {"duration_ms", millis},
                                         {"remote", record.remote}};
        tls_fields = &fields;
        logger.info("{} {} {}", record.method, target, record.status);
        tls_fields = nullptr;
        return;
    }
    // Formatted with a compiled format and logged as it is: one line per
    // request, not worth parsing its format string each time.
    fmt::memory_buffer line;
    fmt::format_to(std::back_inserter(line), FMT_COMPILE("access {} {} {} {}B {:.3f}ms {}"), record.method, target,
                   record.status, record.bytes, millis, record.remote);
    logger.info(std::string_view(line.data(), line.size()));
}

}  // namespace parley::core
