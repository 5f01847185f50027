// The aotpack command-line tool. All logic lives in the libraries under src/; see src/cli.
#include "cli/commands.h"

int main(int argc, char** argv) {
    return aotpack::cli::run(argc, argv);
}
