#include "server/parleyd.hpp"

#include <cstdio>
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "core/config_loader.hpp"
#include "core/config_store.hpp"
#include "core/logging.hpp"
#include "core/version.hpp"
#include "server/daemon.hpp"

namespace parley::server {
namespace {

void log_agents(const core::Config& config) {
    for (const auto& [name, agent] : config.agents) {
        const auto& provider = config.providers.at(agent.provider_chain.front());
        if (provider.kind == core::ProviderKind::mock) {
            spdlog::info("agent {}: built-in mock provider {} (deterministic replies, no network)", name,
                         provider.name);
        } else {
            spdlog::info("agent {}: provider {} ({}, {}), model {}", name, provider.name, to_string(provider.kind),
                         provider.base_url, agent.model);
        }
    }
}

}  // namespace

int run_parleyd(int argc, char** argv) {
    CLI::App app{"parleyd: a gateway that hosts AI agent conversations", "parleyd"};
    std::string config_path;
    bool check_only = false;
    app.add_option("-c,--config", config_path, "TOML configuration file (default: built-in defaults)")
        ->check(CLI::ExistingFile);
    app.add_flag("--check-config", check_only, "validate the configuration, print the problems found, and exit");
    app.set_version_flag("--version", std::string("parleyd ") + core::kVersion);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? kExitOk : kExitBadConfiguration;
    }

    const auto env = core::process_environment();
    core::LoadedConfig loaded;
    try {
        loaded = config_path.empty() ? core::load_config_string("", "<defaults>", env)
                                     : core::load_config_file(config_path, env);
    } catch (const core::ConfigError& error) {
        std::fprintf(stderr, "parleyd: invalid configuration%s:\n",
                     config_path.empty() ? "" : fmt::format(" in {}", config_path).c_str());
        for (const auto& problem : error.problems()) {
            std::fprintf(stderr, "  %s\n", problem.c_str());
        }
        return kExitBadConfiguration;
    }
    if (check_only) {
        for (const auto& warning : loaded.warnings) {
            std::fprintf(stdout, "warning: %s\n", warning.c_str());
        }
        std::fprintf(stdout, "configuration OK\n");
        return kExitOk;
    }

    core::configure_logging(loaded.config.log);
    spdlog::info("parleyd {} starting (configuration: {})", core::kVersion,
                 config_path.empty() ? "built-in defaults" : config_path);
    for (const auto& warning : loaded.warnings) {
        spdlog::warn("{}", warning);
    }
    if (loaded.config.open_mode()) {
        spdlog::warn("no [[auth.keys]] configured: open dev mode, loopback only, every request is tenant \"default\"");
    }
    log_agents(loaded.config);

    auto store = std::make_shared<core::ConfigStore>(config_path, env, std::move(loaded.config));
    Daemon daemon(std::move(store));
    return daemon.run();
}

}  // namespace parley::server
