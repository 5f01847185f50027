/* Fault injection for compile workers: a libocloc that forwards to the real one, except for
 * compiles whose -device is $FAIL_IP, which it breaks the way $FAULT says: crash (SIGSEGV), exit1
 * (exit(1), as IGC does on bad SPIR-V) or hang. Loaded by `aotpack build` through
 * AOTPACK_LIBOCLOC. */
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int (*invoke_fn)(unsigned, const char**, uint32_t, const uint8_t**, const uint64_t*,
                         const char**, uint32_t, const uint8_t**, const uint64_t*, const char**,
                         uint32_t*, uint8_t***, uint64_t**, char***);
typedef int (*free_fn)(uint32_t*, uint8_t***, uint64_t**, char***);

static void* real(const char* name) {
    static void* lib;
    if (!lib) lib = dlopen("libocloc.so", RTLD_NOW | RTLD_LOCAL);
    return lib ? dlsym(lib, name) : NULL;
}

static void say(const char* text) { /* unbuffered: it must survive the crash that follows */
    ssize_t ignored = write(1, text, strlen(text));
    (void)ignored;
}

int oclocInvoke(unsigned numArgs, const char** argv, uint32_t numSources, const uint8_t** sources,
                const uint64_t* sourceLens, const char** sourceNames, uint32_t numHeaders,
                const uint8_t** headers, const uint64_t* headerLens, const char** headerNames,
                uint32_t* numOutputs, uint8_t*** outputs, uint64_t** outputLens,
                char*** outputNames) {
    const char* failIp = getenv("FAIL_IP");
    const char* fault = getenv("FAULT");
    for (unsigned i = 0; failIp && fault && i + 1 < numArgs; ++i)
        if (strcmp(argv[i], "-device") == 0 && strcmp(argv[i + 1], failIp) == 0) {
            if (strcmp(fault, "crash") == 0) {
                say("fake libocloc: segfaulting\n");
                raise(SIGSEGV);
            } else if (strcmp(fault, "exit1") == 0) {
                say("fake libocloc: error: something is wrong\n");
                exit(1);
            } else if (strcmp(fault, "hang") == 0) {
                sleep(600);
            }
        }
    invoke_fn invoke = (invoke_fn)real("oclocInvoke");
    if (!invoke) return -1;
    return invoke(numArgs, argv, numSources, sources, sourceLens, sourceNames, numHeaders, headers,
                  headerLens, headerNames, numOutputs, outputs, outputLens, outputNames);
}

int oclocFreeOutput(uint32_t* numOutputs, uint8_t*** outputs, uint64_t** outputLens,
                    char*** outputNames) {
    free_fn release = (free_fn)real("oclocFreeOutput");
    return release ? release(numOutputs, outputs, outputLens, outputNames) : -1;
}
