#include "server/parleyd.hpp"

int main(int argc, char** argv) {
    return parley::server::run_parleyd(argc, argv);
}
