// The order compile jobs are handed to the pool, which gives the next job to whichever worker
// frees first. A build is a few long indivisible jobs, so the order decides how long the last
// worker runs alone.
#pragma once

#include <cstddef>
#include <vector>

namespace aotpack::compile {

// Returns job indices in the order to start them, given each job's expected seconds and the
// number of jobs that run at once. Longest first (LPT) unless a bounded search finds a split
// across the workers that ends more than 1% sooner; that split is returned as the order that
// reproduces it (jobs by planned start time). Ties keep the input order.
std::vector<std::size_t> scheduleOrder(const std::vector<double>& expectedSeconds, unsigned slots);

// The makespan of list scheduling: each job in `order` starts on the first worker to free up.
double listScheduleMakespan(const std::vector<double>& expectedSeconds,
                            const std::vector<std::size_t>& order, unsigned slots);

} // namespace aotpack::compile
