#include "core/config_store.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

namespace {

std::filesystem::path write_temp(const std::string& name, std::string_view text) {
    const auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream(path) << text;
    return path;
}

}  // namespace

TEST_CASE("reload installs a valid file as the next generation", "[core][config]") {
    const auto path = write_temp("parley-config-store-test.toml", "[log]\nlevel = \"info\"\n");
    const auto env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    auto loaded = parley::core::load_config_file(path, env);
    parley::core::ConfigStore store(path, env, loaded.config);
    const auto first = store.current();
    CHECK(first->generation == 1);

    std::ofstream(path) << "[log]\nlevel = \"debug\"\n[server]\nlisten = \"127.0.0.1:1234\"\n";
    store.reload();
    const auto second = store.current();
    CHECK(second->generation == 2);
    CHECK(second->config.log.level == "debug");
    // The listening address is fixed for the daemon's lifetime.
    CHECK(second->config.server.listen_port == 8080);
    // A snapshot taken before the reload is unchanged.
    CHECK(first->config.log.level == "info");

    std::ofstream(path) << "[log]\nlevel = \"shout\"\n";
    CHECK_THROWS_AS(store.reload(), parley::core::ConfigError);
    CHECK(store.current()->generation == 2);
    CHECK(store.current()->config.log.level == "debug");
    std::filesystem::remove(path);
}

TEST_CASE("reload refuses to drop every key while listening beyond loopback", "[core][config]") {
    const auto path = write_temp("parley-config-store-open.toml",
                                 "[server]\nlisten = \"0.0.0.0:8080\"\n[[auth.keys]]\nname = \"k\"\ntenant = \"t\"\n"
                                 "key_env = \"K\"\n");
    const auto env = [](std::string_view name) -> std::optional<std::string> {
        return name == "K" ? std::optional<std::string>("secret") : std::nullopt;
    };
    parley::core::ConfigStore store(path, env, parley::core::load_config_file(path, env).config);
    std::ofstream(path) << "[server]\nlisten = \"127.0.0.1:8080\"\n";
    CHECK_THROWS_WITH(store.reload(), Catch::Contains("not a loopback address"));
    CHECK(store.current()->generation == 1);
    std::filesystem::remove(path);
}
