// The aotpack command-line tool. All logic lives in the libraries under src/; see src/cli.
#include "cli/commands.h"

#include <malloc.h>

int main(int argc, char** argv) {
    // A build allocates and frees many large buffers (zstd contexts of tens of MB, payloads,
    // SPIR-V) while its compilers run; glibc's dynamic threshold would soon serve them from the
    // heap and keep their pages. A fixed threshold maps each one and gives it back when freed,
    // so the build's peak memory is what it holds, not its history (bench/run.py: the driver).
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    return aotpack::cli::run(argc, argv);
}
