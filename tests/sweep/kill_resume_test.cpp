// A sweep killed with SIGKILL at random moments, then rerun, ends with every row present exactly
// once and no partial row. The sweep runs as the real `npusim sweep` in a subprocess; the
// database is checked with SQLite directly, not through npusim's own code.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

namespace {

const std::string kSpec = std::string(NPUSIM_SOURCE_DIR) + "/tests/sweep/data/kill.yaml";
constexpr int kTasks = 64 * 2;  // kill.yaml: 64 points x 2 workloads

pid_t start_sweep(const std::string& db) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1), ::dup2(null, 2);
    ::execl(NPUSIM_BINARY, "npusim", "sweep", kSpec.c_str(), "--db", db.c_str(), "-j", "2", "--quiet",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

int wait_for(pid_t pid) {
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return st;
}

// Processes whose command line contains `text`.
int processes_naming(const std::string& text) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream f(e.path() / "cmdline", std::ios::binary);
    std::string cmd((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    if (cmd.find(text) != std::string::npos) ++n;
  }
  return n;
}

struct DbState {
  long rows = 0, distinct = 0, incomplete = 0, failed = 0;
};

// Reads the database with SQLite: rows, distinct keys, rows missing what a finished row has.
DbState inspect(const std::string& db) {
  DbState s;
  if (!std::filesystem::exists(db)) return s;
  sqlite3* h = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_busy_timeout(h, 10000);
  auto scalar = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    long v = -1;
    if (sqlite3_prepare_v2(h, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  };
  const bool has_table = scalar("SELECT count(*) FROM sqlite_master WHERE name = 'results'") == 1;
  if (has_table) {
    s.rows = scalar("SELECT count(*) FROM results");
    s.distinct = scalar("SELECT count(*) FROM (SELECT DISTINCT config_hash, workload, engine FROM results)");
    s.incomplete = scalar(
        "SELECT count(*) FROM results WHERE status <> 'done' OR config IS NULL OR result IS NULL OR "
        "json_valid(result) = 0 OR json_extract(result, '$.total.cycles') IS NULL OR latency_s IS NULL OR "
        "energy_j IS NULL OR area_mm2 IS NULL OR cycles IS NULL OR finished_at IS NULL");
    s.failed = scalar("SELECT count(*) FROM results WHERE status = 'failed'");
  }
  sqlite3_close(h);
  return s;
}

TEST(SweepKill, SigkillAtRandomMomentsThenRerunLeavesEveryRowExactlyOnce) {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("npusim_kill_{}", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // How long an uninterrupted sweep takes here, to spread the kills over a run.
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(wait_for(start_sweep((dir / "calibrate.db").string())), 0);
  const double full_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const DbState ref = inspect((dir / "calibrate.db").string());
  ASSERT_EQ(ref.rows, kTasks);
  ASSERT_EQ(ref.incomplete, 0);

  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  SCOPED_TRACE(fmt::format("seed {}, an uninterrupted run takes {:.0f} ms", seed, full_ms));
  const std::string db = (dir / "killed.db").string();
  int partial = 0, kills = 0, rounds = 0;
  // Until the sweep has been killed while running often enough, and at least twice with some
  // rows written and some not; a database that got complete starts over.
  while ((kills < 6 || partial < 2) && rounds < 80) {
    ++rounds;
    DbState before = inspect(db);
    if (before.rows == kTasks) {
      for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(db + ext);
      before = DbState{};
    }
    // A moment within what is left of the run (the start included: opening, creating the schema),
    // or, every other round, a moment after this run has written its first row: on a loaded
    // machine the start can take longer than the calibration run did, and kills that all land
    // before the first row would never test a database that is partly written.
    const bool after_a_row = rounds % 2 == 0;
    const double left_ms = 10 + full_ms * double(kTasks - before.rows) / kTasks;
    const int at_us = std::uniform_int_distribution<int>(0, int(left_ms * 1000 / (after_a_row ? 4 : 1)))(rng);
    const pid_t pid = start_sweep(db);
    int st = 0;
    bool ended = false;
    if (after_a_row) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(pid, &st, WNOHANG) == pid) {
          ended = true;
          break;
        }
        if (inspect(db).rows > before.rows) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    if (!ended) {
      std::this_thread::sleep_for(std::chrono::microseconds(at_us));
      ::kill(pid, SIGKILL);
      st = wait_for(pid);
    }
    const bool killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
    if (!killed) {
      EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "the sweep failed on its own";
    }
    const DbState s = inspect(db);
    EXPECT_EQ(s.rows, s.distinct) << "duplicate rows after a kill at " << at_us << " us";
    EXPECT_EQ(s.incomplete, 0) << "a partial row after a kill at " << at_us << " us";
    EXPECT_GE(s.rows, before.rows);
    if (killed) ++kills;
    if (killed && s.rows > before.rows && s.rows < kTasks) ++partial;
  }
  fmt::print("{} rounds: killed {} times, {} of them with the sweep partly written\n", rounds, kills, partial);
  // workers die with their parent: no process started for this database is left (a worker is a
  // fork of the sweep, so its command line names the database)
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(processes_naming(db), 0);
  const DbState settled = inspect(db);
  // the rerun finishes the sweep
  ASSERT_EQ(wait_for(start_sweep(db)), 0);
  const DbState end = inspect(db);
  EXPECT_EQ(end.rows, kTasks);
  EXPECT_EQ(end.distinct, kTasks);
  EXPECT_EQ(end.incomplete, 0);
  EXPECT_EQ(end.failed, 0);
  EXPECT_GE(end.rows, settled.rows);
  EXPECT_GE(kills, 6) << "the sweep was hardly ever killed while running";
  EXPECT_GE(partial, 2) << "kills hardly ever landed in the middle of the sweep";
  std::filesystem::remove_all(dir);
}

}  // namespace
