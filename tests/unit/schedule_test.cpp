// The compile job order (compile/schedule.h): longest first, or a better split when one exists.
#include "compile/schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using aotpack::compile::listScheduleMakespan;
using aotpack::compile::scheduleOrder;

namespace {

// The best makespan over every way to split the jobs across the workers (small inputs only).
double bestMakespan(const std::vector<double>& seconds, unsigned slots) {
    std::size_t ways = 1;
    for (std::size_t i = 0; i < seconds.size(); ++i)
        ways *= slots;
    double best = 1e300;
    for (std::size_t code = 0; code < ways; ++code) {
        std::vector<double> loads(slots, 0.0);
        for (std::size_t i = 0, c = code; i < seconds.size(); ++i, c /= slots)
            loads[c % slots] += seconds[i];
        best = std::min(best, *std::max_element(loads.begin(), loads.end()));
    }
    return best;
}

// Longest first, ties in input order: the reference the search must beat by more than 1%.
std::vector<std::size_t> longestFirst(const std::vector<double>& seconds) {
    std::vector<std::pair<double, std::size_t>> keyed;
    for (std::size_t i = 0; i < seconds.size(); ++i)
        keyed.emplace_back(-seconds[i], i);
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::size_t> order;
    for (const auto& k : keyed)
        order.push_back(k.second);
    return order;
}

bool isPermutation(std::vector<std::size_t> order, std::size_t n) {
    std::sort(order.begin(), order.end());
    for (std::size_t i = 0; i < order.size(); ++i)
        if (order[i] != i) return false;
    return order.size() == n;
}

} // namespace

// A cold build measured here (3 hashcat modules x acm-g10, pvc on 2 cores): longest first leaves
// one core idle for 6.5 s at the end; the best split ends 1.66 s sooner.
TEST(Schedule, MeasuredHashcatBuildGetsTheBestSplit) {
    std::vector<double> seconds = {6.50, 19.69, 9.43, 9.68, 8.60, 7.38};
    EXPECT_NEAR(listScheduleMakespan(seconds, longestFirst(seconds), 2), 33.57, 1e-9);
    auto order = scheduleOrder(seconds, 2);
    ASSERT_TRUE(isPermutation(order, seconds.size()));
    EXPECT_NEAR(listScheduleMakespan(seconds, order, 2), 31.91, 1e-9);
    EXPECT_NEAR(bestMakespan(seconds, 2), 31.91, 1e-9);
    EXPECT_EQ(order.front(), 1u); // the longest job still starts first
}

// On random inputs the order is the best split when that beats longest first by more than 1%,
// and longest first otherwise.
TEST(Schedule, BestSplitOnlyWhenWorthIt) {
    std::mt19937 random(42);
    std::uniform_real_distribution<double> duration(1.0, 30.0);
    int improved = 0;
    for (int round = 0; round < 300; ++round) {
        unsigned slots = 2 + round % 2;
        std::vector<double> seconds(3 + round % 6);
        for (double& s : seconds)
            s = duration(random);
        auto lpt = longestFirst(seconds);
        double lptMakespan = listScheduleMakespan(seconds, lpt, slots);
        double best = bestMakespan(seconds, slots);
        auto order = scheduleOrder(seconds, slots);
        ASSERT_TRUE(isPermutation(order, seconds.size()));
        double got = listScheduleMakespan(seconds, order, slots);
        if (best < lptMakespan * 0.99) {
            EXPECT_NEAR(got, best, 1e-9) << "round " << round;
            ++improved;
        } else {
            EXPECT_EQ(order, lpt) << "round " << round;
        }
    }
    EXPECT_GT(improved, 10); // the search matters on inputs like these
}

TEST(Schedule, TiesKeepInputOrder) {
    EXPECT_EQ(scheduleOrder({5, 5, 5, 5, 5}, 2), (std::vector<std::size_t>{0, 1, 2, 3, 4}));
    EXPECT_EQ(scheduleOrder({1, 3, 2}, 4), (std::vector<std::size_t>{1, 2, 0}));
    EXPECT_EQ(scheduleOrder({}, 2), std::vector<std::size_t>{});
    EXPECT_EQ(scheduleOrder({2, 7}, 0), (std::vector<std::size_t>{1, 0})); // 0 workers: one
}

// Thousands of jobs: the search is bounded; the result is a permutation no worse than longest
// first.
TEST(Schedule, LargeBuildsStayCheapAndNoWorse) {
    std::mt19937 random(7);
    std::uniform_real_distribution<double> duration(0.1, 200.0);
    std::vector<double> seconds(5000);
    for (double& s : seconds)
        s = duration(random);
    auto order = scheduleOrder(seconds, 16);
    ASSERT_TRUE(isPermutation(order, seconds.size()));
    EXPECT_LE(listScheduleMakespan(seconds, order, 16),
              listScheduleMakespan(seconds, longestFirst(seconds), 16));
    // Many workers, few jobs each: the search's budget shrinks with the workers squared.
    seconds.resize(130);
    order = scheduleOrder(seconds, 64);
    ASSERT_TRUE(isPermutation(order, seconds.size()));
    EXPECT_LE(listScheduleMakespan(seconds, order, 64),
              listScheduleMakespan(seconds, longestFirst(seconds), 64));
}
