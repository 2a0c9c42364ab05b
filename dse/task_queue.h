// The order in which a sweep hands its pending tasks to its workers. Tasks are grouped by what a
// worker can reuse from one to the next (its mapping cache: points that differ only in buffer
// capacities, on the same workload datatype); a worker is handed the tasks of one group one after
// another, a group nobody holds when its own is done, and at the end tasks of the group with the
// most left. Which worker runs a task never changes the task's result, only how soon it comes.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace npusim::dse {

class TaskQueue {
 public:
  static constexpr std::size_t kNoGroup = ~std::size_t{0};
  // `tasks` in the order they should run where nothing else matters; `keys[i]` is the group key
  // of tasks[i] (tasks with equal keys form a group).
  TaskQueue(const std::vector<std::size_t>& tasks, const std::vector<std::string>& keys);

  bool empty() const { return left_ == 0; }
  std::size_t size() const { return left_; }
  // The next task for a worker whose last task was of group `group` (kNoGroup: none), while
  // other workers hold the groups `held`: {task, its group}. Needs !empty().
  std::pair<std::size_t, std::size_t> next(std::size_t group, const std::vector<std::size_t>& held);

 private:
  std::vector<std::deque<std::size_t>> groups_;  // pending tasks per group, groups in first-seen order
  std::size_t left_ = 0;
};

}  // namespace npusim::dse
