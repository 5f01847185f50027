#include "cli/progress.h"

#include "common/diagnostics.h"
#include "common/text.h"

#include <cstdio>

namespace aotpack::cli {

ProgressPrinter::ProgressPrinter(bool quiet, bool explain)
    : quiet_(quiet), explain_(explain), tty_(diag::stderrIsTerminal()) {}

void ProgressPrinter::planned(std::size_t compileJobs, std::size_t cacheHits) {
    total_ = compileJobs;
    if (explain_) // otherwise the final note has the counts, and errors come first
        diag::note(std::to_string(compileJobs) + " compile job(s), " + std::to_string(cacheHits) +
                   " cache hit(s)");
}

void ProgressPrinter::jobStarted(const compile::JobReport& job) {
    ++running_;
    if (explain_) diag::note("compiling " + job.module + " for " + job.target + ": " + job.why);
    if (tty_ && !quiet_) drawBar();
}

void ProgressPrinter::drawBar() {
    const int width = 30;
    int filled = total_ ? static_cast<int>(width * finished_ / total_) : width;
    std::string bar(filled, '=');
    bar += std::string(width - filled, ' ');
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string eta = "?";
    if (finished_)
        eta = std::to_string(static_cast<long>(elapsed / finished_ * (total_ - finished_))) + "s";
    std::fprintf(stderr, "\r\033[K[%s] %zu/%zu jobs, %zu running, ETA %s", bar.c_str(), finished_,
                 total_, running_, eta.c_str());
    std::fflush(stderr);
}

void ProgressPrinter::jobFinished(const compile::JobReport& job) {
    --running_;
    ++finished_;
    workSeconds_ += job.seconds;
    if (tty_ && !quiet_) std::fprintf(stderr, "\r\033[K");
    if (job.outcome == compile::JobOutcome::Failed) {
        diag::error(job.error);
        if (!job.log.empty()) diag::printCompilerLog(job.log);
    } else if (!quiet_ && !tty_) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.1f", job.seconds);
        diag::log("[" + std::to_string(finished_) + "/" + std::to_string(total_) + "] " +
                  job.module + " for " + job.target + " (" + seconds + " s)");
    }
    for (const auto& k : job.droppedKernels)
        diag::warning("module '" + job.module + "': fp64 kernel '" + k + "' dropped for " +
                      job.target);
    if (tty_ && !quiet_) drawBar();
}

void ProgressPrinter::warning(const std::string& message) {
    diag::warning(message);
}

void ProgressPrinter::done() {
    if (tty_ && !quiet_) std::fprintf(stderr, "\r\033[K");
}

} // namespace aotpack::cli
