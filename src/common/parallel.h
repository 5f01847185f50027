// parallelFor(n, threads, fn): fn(0) .. fn(n-1) on up to `threads` threads; returns when all ran.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <future>
#include <vector>

namespace aotpack {

template <class F> void parallelFor(std::size_t n, unsigned threads, F fn) {
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i; (i = next++) < n;)
            fn(i);
    };
    std::vector<std::future<void>> workers;
    for (unsigned t = 1; t < std::max(1u, threads) && t < n; ++t)
        workers.push_back(std::async(std::launch::async, work));
    work();
    for (auto& w : workers)
        w.get();
}

} // namespace aotpack
