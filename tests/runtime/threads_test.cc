// threads_test.cc — the runners' thread pool (runtime/src/threads.c) against aoti/abi.h's contract
// for parallel_for: every index once, the static partition, range 0 on the caller, range i always
// on the same worker, wake-up after the workers went to sleep, and start/stop without leaks.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "internal.h"

namespace {

struct Record {
  std::mutex lock;
  std::vector<std::atomic<int>> hits;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  std::vector<std::thread::id> threads;
  std::vector<int32_t> thread_numbers;
  explicit Record(int64_t n) : hits(size_t(n)) {}
};

void RecordRange(void *task, int32_t thread, int64_t begin, int64_t end) {
  auto *r = static_cast<Record *>(task);
  for (int64_t i = begin; i < end; ++i) r->hits[size_t(i)]++;
  std::lock_guard<std::mutex> guard(r->lock);
  r->thread_numbers.push_back(thread);
  r->ranges.emplace_back(begin, end);
  r->threads.push_back(std::this_thread::get_id());
}

class Pool {
 public:
  explicit Pool(int32_t count, uint64_t scratch = 0) {
    EXPECT_EQ(aoti_thread_pool_create(count, scratch, &pool_), AOTI_OK) << aoti_last_error();
  }
  ~Pool() { aoti_thread_pool_destroy(pool_); }
  const aoti_abi_threads *abi() const { return aoti_thread_pool_abi(pool_); }
  void Run(int64_t n, Record *r) const { abi()->parallel_for(abi()->ctx, n, RecordRange, r); }

 private:
  aoti_thread_pool *pool_ = nullptr;
};

TEST(ThreadPool, EveryIndexOnceInTheStaticPartition) {
  for (int32_t count : {1, 2, 3, 5}) {
    Pool pool(count);
    ASSERT_EQ(pool.abi()->count, count);
    for (int64_t n : {0, 1, 2, 3, 4, 7, 1000}) {
      Record r(n);
      pool.Run(n, &r);
      for (int64_t i = 0; i < n; ++i) EXPECT_EQ(r.hits[size_t(i)], 1) << "count " << count << " n " << n << " i " << i;
      // Each non-empty range is exactly [n*i/count, n*(i+1)/count) for some i.
      size_t expected_ranges = 0;
      for (int32_t i = 0; i < count; ++i) {
        const int64_t b = n * i / count, e = n * (i + 1) / count;
        if (b >= e) continue;
        ++expected_ranges;
        bool found = false;
        for (auto &range : r.ranges) found = found || (range.first == b && range.second == e);
        EXPECT_TRUE(found) << "count " << count << " n " << n << " range " << i;
      }
      EXPECT_EQ(r.ranges.size(), expected_ranges) << "count " << count << " n " << n;
    }
  }
}

TEST(ThreadPool, RangeZeroOnTheCallerAndEachRangeOnOneWorker) {
  Pool pool(3);
  std::vector<std::thread::id> first(3);
  for (int call = 0; call < 200; ++call) {
    Record r(3);
    pool.Run(3, &r);
    ASSERT_EQ(r.ranges.size(), 3u);
    for (size_t k = 0; k < 3; ++k) {
      const int64_t range = r.ranges[k].first;
      if (range == 0) EXPECT_EQ(r.threads[k], std::this_thread::get_id());
      EXPECT_EQ(r.thread_numbers[k], int32_t(range)) << "the thread number is the range's";
      if (call == 0) first[size_t(range)] = r.threads[k];
      EXPECT_EQ(r.threads[k], first[size_t(range)]) << "range " << range << " moved to another thread";
    }
  }
  EXPECT_NE(first[1], first[2]);
  EXPECT_NE(first[1], std::this_thread::get_id());
}

TEST(ThreadPool, WakesWorkersThatWentToSleep) {
  Pool pool(2);
  for (int call = 0; call < 3; ++call) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // far past the spin period
    Record r(100);
    pool.Run(100, &r);
    for (int64_t i = 0; i < 100; ++i) ASSERT_EQ(r.hits[size_t(i)], 1);
  }
}

TEST(ThreadPool, ManyShortTasksInARow) {
  Pool pool(2);
  std::atomic<int64_t> total{0};
  auto add = [](void *task, int32_t, int64_t begin, int64_t end) {
    static_cast<std::atomic<int64_t> *>(task)->fetch_add(end - begin);
  };
  for (int call = 0; call < 20000; ++call) pool.abi()->parallel_for(pool.abi()->ctx, 5, add, &total);
  EXPECT_EQ(total.load(), 5 * 20000);
}

// Each thread writes its whole scratch block at once with the others: blocks are aligned, as
// large as asked, and disjoint (a final check finds every thread's own pattern intact).
TEST(ThreadPool, ScratchPerThreadIsAlignedAndDisjoint) {
  const uint64_t bytes = 1000;
  Pool pool(3, bytes);
  const aoti_abi_threads *abi = pool.abi();
  ASSERT_GE(abi->scratch_stride, bytes);
  auto fill = [](void *task, int32_t thread, int64_t, int64_t) {
    const aoti_abi_threads *t = static_cast<const aoti_abi_threads *>(task);
    unsigned char *mine = static_cast<unsigned char *>(t->scratch) + uint64_t(thread) * t->scratch_stride;
    for (uint64_t i = 0; i < 1000; ++i) mine[i] = static_cast<unsigned char>(thread + 1);
  };
  abi->parallel_for(abi->ctx, 3, fill, const_cast<aoti_abi_threads *>(abi));
  for (int32_t thread = 0; thread < 3; ++thread) {
    const unsigned char *mine = static_cast<const unsigned char *>(abi->scratch) + uint64_t(thread) * abi->scratch_stride;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(mine) % AOTI_ABI_ALIGNMENT, 0u);
    for (uint64_t i = 0; i < bytes; ++i) ASSERT_EQ(mine[i], thread + 1) << "thread " << thread << " byte " << i;
  }
}

TEST(ThreadPool, RejectsZeroThreads) {
  aoti_thread_pool *pool = nullptr;
  EXPECT_EQ(aoti_thread_pool_create(0, 0, &pool), AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(aoti_last_error(), "thread pool: need at least 1 thread, got 0");
  EXPECT_EQ(pool, nullptr);
}

TEST(ThreadPool, DefaultIsTheOnlineCpus) {
  EXPECT_EQ(aoti_threads_default(), int32_t(std::thread::hardware_concurrency()));
}

}  // namespace
