#include "dse/task_queue.h"

#include <algorithm>
#include <unordered_map>

#include "base/error.h"

namespace npusim::dse {

TaskQueue::TaskQueue(const std::vector<std::size_t>& tasks, const std::vector<std::string>& keys) {
  if (tasks.size() != keys.size()) throw Error("internal: TaskQueue with a key per task missing");
  std::unordered_map<std::string, std::size_t> id;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    auto [it, added] = id.try_emplace(keys[i], groups_.size());
    if (added) groups_.emplace_back();
    groups_[it->second].push_back(tasks[i]);
  }
  left_ = tasks.size();
}

std::pair<std::size_t, std::size_t> TaskQueue::next(std::size_t group, const std::vector<std::size_t>& held) {
  if (left_ == 0) throw Error("internal: TaskQueue::next on an empty queue");
  std::size_t g = group;
  if (g >= groups_.size() || groups_[g].empty()) {
    // a group nobody holds, in first-seen order; else the one with the most tasks left
    g = kNoGroup;
    for (std::size_t i = 0; i < groups_.size() && g == kNoGroup; ++i)
      if (!groups_[i].empty() && std::find(held.begin(), held.end(), i) == held.end()) g = i;
    if (g == kNoGroup)
      g = std::size_t(std::max_element(groups_.begin(), groups_.end(),
                                       [](const auto& a, const auto& b) { return a.size() < b.size(); }) -
                      groups_.begin());
  }
  const std::size_t task = groups_[g].front();
  groups_[g].pop_front();
  --left_;
  return {task, g};
}

}  // namespace npusim::dse
