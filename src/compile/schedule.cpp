#include "compile/schedule.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <queue>
#include <utility>

namespace aotpack::compile {
namespace {

// Longest first is within 4/3 of the best makespan and forgiving when the expected durations are
// off; a planned split replaces it only when it saves more than this, since the plan is only as
// good as the durations it was made from (remembered ones drift 10-25% on a busy machine).
constexpr double kWorthwhileGain = 0.01;
// Bounds the search's work: a node costs about workers^2 steps (each worker, checked against the
// ones before it), so this is a few milliseconds for any number of jobs and workers.
constexpr std::size_t kSearchWorkBudget = 4000000;

std::vector<std::size_t> longestFirst(const std::vector<double>& seconds) {
    std::vector<std::size_t> order(seconds.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return seconds[a] > seconds[b]; });
    return order;
}

// Branch and bound over the workers each job (longest first) could go to, looking for a split
// whose busiest worker finishes before `target`.
class SplitSearch {
  public:
    SplitSearch(const std::vector<double>& seconds, const std::vector<std::size_t>& order,
                unsigned slots, double target)
        : seconds_(seconds), order_(order), loads_(slots, 0.0), worker_(order.size()),
          best_(target), perfect_(std::accumulate(seconds.begin(), seconds.end(), 0.0) / slots) {}

    // The worker of each job (by position in the order), or empty if nothing beats the target.
    std::vector<unsigned> run() {
        place(0);
        return found_;
    }

  private:
    void place(std::size_t i) {
        work_ += loads_.size() * loads_.size();
        if (work_ > kSearchWorkBudget) return;
        double busiest = *std::max_element(loads_.begin(), loads_.end());
        if (std::max(busiest, perfect_) >= best_) return; // cannot beat what is known
        if (i == order_.size()) {
            best_ = busiest;
            found_ = worker_;
            return;
        }
        double job = seconds_[order_[i]];
        for (unsigned w = 0; w < loads_.size(); ++w) {
            auto begin = loads_.begin();
            if (std::find(begin, begin + w, loads_[w]) != begin + w)
                continue; // workers with equal loads are interchangeable: try one
            double before = loads_[w];
            if (before + job >= best_) continue;
            loads_[w] = before + job;
            worker_[i] = w;
            place(i + 1);
            loads_[w] = before; // restored exactly, so equal loads still compare equal
        }
    }

    const std::vector<double>& seconds_;
    const std::vector<std::size_t>& order_;
    std::vector<double> loads_;
    std::vector<unsigned> worker_;
    std::vector<unsigned> found_;
    double best_;
    double perfect_; // no split can beat the total divided by the workers
    std::size_t work_ = 0;
};

// The order that makes a pool reproduce a split: each worker runs its jobs longest first, and
// jobs are handed out by planned start time, so the next job always goes to the worker that
// frees up at that moment.
std::vector<std::size_t> orderForSplit(const std::vector<double>& seconds,
                                       const std::vector<std::size_t>& order,
                                       const std::vector<unsigned>& worker, unsigned slots) {
    std::vector<double> clock(slots, 0.0);
    std::vector<std::pair<double, std::size_t>> starts; // (planned start, job)
    for (std::size_t i = 0; i < order.size(); ++i) {
        starts.emplace_back(clock[worker[i]], order[i]);
        clock[worker[i]] += seconds[order[i]];
    }
    std::stable_sort(starts.begin(), starts.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::size_t> result;
    for (const auto& s : starts)
        result.push_back(s.second);
    return result;
}

} // namespace

double listScheduleMakespan(const std::vector<double>& expectedSeconds,
                            const std::vector<std::size_t>& order, unsigned slots) {
    std::priority_queue<double, std::vector<double>, std::greater<>> freeAt;
    for (unsigned w = 0; w < std::max(slots, 1u); ++w)
        freeAt.push(0.0);
    double makespan = 0;
    for (std::size_t job : order) {
        double end = freeAt.top() + expectedSeconds[job];
        freeAt.pop();
        freeAt.push(end);
        makespan = std::max(makespan, end);
    }
    return makespan;
}

std::vector<std::size_t> scheduleOrder(const std::vector<double>& expectedSeconds, unsigned slots) {
    slots = std::max(slots, 1u);
    std::vector<std::size_t> lpt = longestFirst(expectedSeconds);
    if (expectedSeconds.size() <= slots) return lpt; // every job starts at once
    double lptMakespan = listScheduleMakespan(expectedSeconds, lpt, slots);
    SplitSearch search(expectedSeconds, lpt, slots, lptMakespan * (1 - kWorthwhileGain));
    std::vector<unsigned> worker = search.run();
    return worker.empty() ? lpt : orderForSplit(expectedSeconds, lpt, worker, slots);
}

} // namespace aotpack::compile
