// Build progress on stderr: a redrawn bar on a terminal, one line per finished job otherwise
// (CI logs), nothing with --quiet. Failures always print, with the compiler's log.
#pragma once

#include "compile/driver.h"

#include <chrono>
#include <cstddef>

namespace aotpack::cli {

class ProgressPrinter : public compile::BuildObserver {
  public:
    ProgressPrinter(bool quiet, bool explain);
    void planned(std::size_t compileJobs, std::size_t cacheHits) override;
    void jobStarted(const compile::JobReport& job) override;
    void jobFinished(const compile::JobReport& job) override;
    void warning(const std::string& message) override;
    void done();

  private:
    void drawBar();
    bool quiet_, explain_, tty_;
    std::size_t total_ = 0, finished_ = 0, running_ = 0;
    double workSeconds_ = 0;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

} // namespace aotpack::cli
