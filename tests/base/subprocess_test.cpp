// Child processes: answers come back whole, a death by a signal or an exception is reported, a
// child past its time limit is killed, a long-lived child answers message after message, and no
// child outlives its Subprocess.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "base/subprocess.h"

namespace npusim {
namespace {

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

TEST(Subprocess, RunInChildReturnsTheAnswerWhole) {
  const std::string big(3 << 20, 'x');  // larger than any pipe buffer
  const ChildResult r = run_in_child([&] { return big + std::to_string(::getpid()); }, {}, "test");
  ASSERT_TRUE(r.output);
  EXPECT_EQ(r.output->substr(0, big.size()), big);
  EXPECT_NE(r.output->substr(big.size()), std::to_string(::getpid()));  // it ran in another process
  EXPECT_FALSE(r.status.signaled);
  EXPECT_EQ(r.status.code, 0);
  EXPECT_FALSE(r.timed_out);
}

TEST(Subprocess, DeathBySignalAndExceptionsAreReported) {
  const ChildResult killed = run_in_child([]() -> std::string { ::raise(SIGTERM); return "never"; }, {}, "test");
  EXPECT_FALSE(killed.output);
  EXPECT_TRUE(killed.status.signaled);
  EXPECT_EQ(killed.status.signal, SIGTERM);
  EXPECT_EQ(killed.status.str().rfind("signal 15 (", 0), 0u) << killed.status.str();
  const ChildResult threw = run_in_child([]() -> std::string { throw std::runtime_error("boom"); }, {}, "test");
  EXPECT_FALSE(threw.output);
  EXPECT_FALSE(threw.status.signaled);
  EXPECT_EQ(threw.status.code, 1);
  EXPECT_EQ(threw.status.str(), "status 1");
}

TEST(Subprocess, AChildPastItsTimeLimitIsKilled) {
  const auto t0 = std::chrono::steady_clock::now();
  const ChildResult r = run_in_child([]() -> std::string { ::pause(); return "never"; }, {}, "test", 0.2);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.output);
  EXPECT_TRUE(r.status.signaled);
  EXPECT_EQ(r.status.signal, SIGKILL);
  EXPECT_GE(s, 0.2);
}

TEST(Subprocess, ALongLivedChildAnswersEachMessageAndEndsWhenTheParentCloses) {
  pid_t pid = -1;
  {
    Subprocess child(
        [](Channel& ch) {
          while (auto m = ch.receive()) {
            if (*m == "exit") return 7;
            ch.send("echo " + *m);
          }
          return 0;
        },
        {}, "test");
    pid = child.pid();
    for (const std::string& m : std::vector<std::string>{"one", "", std::string(100000, 'y')}) {
      ASSERT_TRUE(child.send(m));
      std::vector<std::string> got;
      while (got.empty()) {
        wait_readable({&child}, 1000);
        got = child.read_available();
      }
      ASSERT_EQ(got.size(), 1u);
      EXPECT_EQ(got[0], "echo " + m);
    }
    ASSERT_TRUE(child.send("exit"));
    while (!child.ended()) {
      wait_readable({&child}, 1000);
      EXPECT_TRUE(child.read_available().empty());
    }
    EXPECT_EQ(child.wait().code, 7);
    EXPECT_FALSE(child.send("after the end"));
  }
  EXPECT_FALSE(alive(pid));
}

TEST(Subprocess, DestroyingASubprocessKillsAndReapsItsChild) {
  pid_t pid = -1;
  {
    Subprocess child([](Channel&) { ::pause(); return 0; }, {}, "test");
    pid = child.pid();
    EXPECT_TRUE(alive(pid));
  }
  EXPECT_FALSE(alive(pid));  // reaped: not even a zombie
}

TEST(Subprocess, ASignalledChildEndsItsConnection) {
  Subprocess child([](Channel& ch) { ch.receive(); return 0; }, {}, "test");
  child.kill(SIGKILL);
  while (!child.ended()) {
    wait_readable({&child}, 1000);
    child.read_available();
  }
  const ExitStatus s = child.wait();
  EXPECT_TRUE(s.signaled);
  EXPECT_EQ(s.signal, SIGKILL);
  EXPECT_EQ(child.wait().signal, SIGKILL);  // reaped once, the status kept
}

}  // namespace
}  // namespace npusim
