// A ProcessRunner for unit tests (common/subprocess.h): records every command line and answers
// as the test decides - a missing tool, a failing one, or output of its choosing - or runs the
// command for real when the test does not answer it. Single runs are sequential: no locking.
#pragma once

#include "common/file_io.h"
#include "common/subprocess.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace aotpack::fakes {

struct FakeAnswer {
    int exitCode = 0;
    std::string output; // what the child "prints": written to the spec's output file
};

class FakeProcessRunner final : public ProcessRunner {
  public:
    // The test's answer to a command line; std::nullopt runs it for real.
    std::function<std::optional<FakeAnswer>(const ProcessSpec&)> answer;
    std::vector<ProcessSpec> calls;

    Expected<ProcessResult> run(const ProcessSpec& spec, double timeoutSeconds) override {
        calls.push_back(spec);
        auto given = answer ? answer(spec) : std::nullopt;
        if (!given) return systemProcesses().run(spec, timeoutSeconds);
        if (!spec.outputFile.empty())
            if (auto st = writeFileAtomic(spec.outputFile, given->output); !st) return st.error();
        ProcessResult r;
        r.exitCode = given->exitCode;
        return r;
    }

    // The calls whose program (argv[0]) is `program`, in order.
    std::vector<ProcessSpec> callsOf(const std::string& program) const {
        std::vector<ProcessSpec> out;
        for (const auto& c : calls)
            if (!c.argv.empty() && c.argv[0] == program) out.push_back(c);
        return out;
    }
};

// The shell's answer for a program that is not installed.
inline FakeAnswer notInstalled(const std::string& program) {
    return {127, "sh: 1: " + program + ": not found\n"};
}

} // namespace aotpack::fakes
