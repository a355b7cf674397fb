#pragma once

namespace parley::server {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadConfiguration = 2;

// The whole program behind main(): command line, configuration, logging, daemon.
int run_parleyd(int argc, char** argv);

}  // namespace parley::server
