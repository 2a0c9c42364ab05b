// The order in which a sweep hands tasks to workers: a worker keeps to one group (what its
// mapping cache can reuse), takes a group nobody holds next, and helps with the largest rest at
// the end; every task comes out exactly once.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "dse/task_queue.h"

namespace npusim::dse {
namespace {

TEST(TaskQueue, AWorkerKeepsToItsGroupThenTakesOneNobodyHoldsThenHelps) {
  // tasks 10..17 in groups a a a b b b c c
  TaskQueue q({10, 11, 12, 13, 14, 15, 16, 17}, {"a", "a", "a", "b", "b", "b", "c", "c"});
  EXPECT_EQ(q.size(), 8u);
  const std::size_t none = TaskQueue::kNoGroup;
  auto [t1, g1] = q.next(none, {});    // worker 1: the first group
  EXPECT_EQ(t1, 10u);
  auto [t2, g2] = q.next(none, {g1});  // worker 2: a group worker 1 does not hold
  EXPECT_EQ(t2, 13u);
  EXPECT_NE(g2, g1);
  EXPECT_EQ(q.next(g1, {g1, g2}).first, 11u);  // each keeps to its own
  EXPECT_EQ(q.next(g2, {g1, g2}).first, 14u);
  EXPECT_EQ(q.next(g1, {g1, g2}).first, 12u);
  auto [t6, g3] = q.next(g1, {g1, g2});  // a is done: c, which nobody holds, not b
  EXPECT_EQ(t6, 16u);
  EXPECT_EQ(q.next(g2, {g3, g2}).first, 15u);
  // b is done and c is held: worker 2 helps with the largest rest
  EXPECT_EQ(q.next(g2, {g3, g2}).first, 17u);
  EXPECT_TRUE(q.empty());
}

TEST(TaskQueue, EveryTaskComesOutOnce) {
  std::vector<std::size_t> tasks;
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < 100; ++i) tasks.push_back(i), keys.push_back(std::to_string(i % 7));
  TaskQueue q(tasks, keys);
  std::set<std::size_t> seen;
  std::map<std::size_t, std::string> key_of_group;
  std::vector<std::size_t> last(3, TaskQueue::kNoGroup);
  for (std::size_t w = 0; !q.empty(); w = (w + 1) % 3) {
    auto [t, g] = q.next(last[w], last);
    EXPECT_TRUE(seen.insert(t).second);
    EXPECT_EQ(key_of_group.emplace(g, keys[t]).first->second, keys[t]);  // a group is one key
    last[w] = g;
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace npusim::dse
