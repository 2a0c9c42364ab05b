// Child processes: a function run in a forked child of its own, talking to its parent over a
// connected pair of sockets (a two-way pipe) in framed messages. SystemC elaborates once per
// process, and a task that crashes must cost one result, not the program: the simulator
// (sim::simulate) and the sweep's worker processes (dse::WorkerPool) run their work this way, and
// no other code forks, pipes or waits.
//
// The child leaves with _exit: nothing of the parent's (stdio buffers, atexit handlers, open
// databases) runs twice. It dies with its parent (PR_SET_PDEATHSIG) unless told otherwise.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace npusim {

// How a child ended.
struct ExitStatus {
  bool signaled = false;
  int signal = 0;  // when signaled
  int code = 0;    // the exit code otherwise
  std::string str() const;  // "signal 9 (Killed)" or "status 1"
};

// The child's end of the connection: framed messages from and to the parent.
class Channel {
 public:
  explicit Channel(int fd) : fd_(fd) {}
  // The next message from the parent, waiting for it; nullopt once the parent closed its end
  // (or died).
  std::optional<std::string> receive();
  // Sends one message; false when the parent is gone.
  bool send(std::string_view message);

 private:
  int fd_;
};

struct SpawnOptions {
  bool die_with_parent = true;    // PR_SET_PDEATHSIG(SIGKILL)
  bool stdout_to_stderr = false;  // the child's stdout goes to stderr (the parent's reports own stdout)
  std::vector<int> close_in_child;  // descriptors of the parent the child must not hold (other children's)
};

// A forked child running `body(channel)`; it exits with body's return value (1 when body throws,
// with the message on stderr).
class Subprocess {
 public:
  // Throws Error("WHAT: cannot fork: reason") when the child cannot be started.
  Subprocess(const std::function<int(Channel&)>& body, const SpawnOptions& options, std::string_view what);
  ~Subprocess();  // kills (SIGKILL) and reaps a child still running
  Subprocess(Subprocess&& o) noexcept;
  Subprocess& operator=(Subprocess&& o) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  int fd() const { return fd_; }  // readable when the child sent something or ended: for poll

  // Sends one message to the child; false when it is gone.
  bool send(std::string_view message);
  // Reads what has arrived without waiting and returns the complete messages; ended() turns true
  // once the child closed its end (it exited or died).
  std::vector<std::string> read_available();
  bool ended() const { return ended_; }
  void kill(int signal);
  // Waits for the child to end and reaps it (once; later calls return the same status).
  ExitStatus wait();

 private:
  void release();
  pid_t pid_ = -1;
  int fd_ = -1;
  bool ended_ = false;
  std::optional<ExitStatus> status_;
  std::string in_;  // bytes read, not yet a whole message
};

// Waits up to `timeout_ms` (-1: no limit) until one of `children` has something to read or has
// ended; returns their indices. Interrupted by a signal: returns what is ready (possibly none).
std::vector<std::size_t> wait_readable(const std::vector<const Subprocess*>& children, int timeout_ms);

// The one-shot use: runs `fn` in a forked child and returns what it returned.
struct ChildResult {
  std::optional<std::string> output;  // absent when the child ended without answering
  ExitStatus status;
  bool timed_out = false;  // killed after `timeout_s`
};
// `timeout_s` > 0: the child is killed (SIGKILL) when it has not answered in that time.
ChildResult run_in_child(const std::function<std::string()>& fn, const SpawnOptions& options, std::string_view what,
                         double timeout_s = 0);

}  // namespace npusim
