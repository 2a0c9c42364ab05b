// npusim-golden: runs the golden runs (tests/golden/runs.txt) with the built npusim and either
// checks them against the pinned numbers (tests/golden/golden.json; CTest runs one check per run)
// or writes the file anew (scripts/regen-golden.sh). docs/GOLDEN.md says when and how.
//
//   npusim-golden --npusim BUILD/npusim --runs runs.txt --golden golden.json --check ID [ID...]
//   npusim-golden --npusim BUILD/npusim --runs runs.txt --golden golden.json --write
#include <fmt/format.h>
#include <sys/wait.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/golden/golden.h"

using namespace npusim::tests::golden;

namespace {

constexpr std::size_t kShown = 40;  // differences printed per run

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// `npusim run ARGS --engine both --format json`, parsed
nlohmann::json run_npusim(const std::string& npusim, const Run& run) {
  std::string cmd = quoted(npusim) + " run";
  for (const auto& a : run.args) cmd += " " + quoted(a);
  cmd += " --engine both --format json";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot start " + cmd);
  std::string out;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  if (status != 0) throw std::runtime_error(fmt::format("{}: `{}` failed (status {})", run.id, cmd, status));
  return nlohmann::json::parse(out);
}

const Run& find_run(const std::vector<Run>& runs, const std::string& id) {
  for (const Run& r : runs)
    if (r.id == id) return r;
  throw std::runtime_error(fmt::format("no run '{}' in runs.txt", id));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"npusim's golden whole-model numbers: check a run against tests/golden/golden.json, or write it anew"};
  std::string npusim, runs_file, golden_file;
  std::vector<std::string> check;
  bool write = false;
  app.add_option("--npusim", npusim, "The npusim program")->required();
  app.add_option("--runs", runs_file, "The runs (tests/golden/runs.txt)")->required();
  app.add_option("--golden", golden_file, "The pinned numbers (tests/golden/golden.json)")->required();
  auto* c = app.add_option("--check", check, "Check these runs against the pinned numbers");
  auto* w = app.add_flag("--write", write, "Run every run and write the golden file anew");
  c->excludes(w);
  CLI11_PARSE(app, argc, argv);
  try {
    const std::vector<Run> runs = parse_runs(read(runs_file));
    if (write) {
      nlohmann::json all = nlohmann::json::object();
      for (const Run& r : runs) {
        std::cerr << "npusim-golden: " << r.id << "\n";
        all[r.id] = pin(r, run_npusim(npusim, r));
      }
      std::ofstream(golden_file, std::ios::binary) << golden_text(all);
      std::cerr << fmt::format("npusim-golden: wrote {} runs to {}\n", runs.size(), golden_file);
      return 0;
    }
    if (check.empty()) throw std::runtime_error("give --check ID... or --write");
    const nlohmann::json golden = nlohmann::json::parse(read(golden_file));
    int failed = 0;
    for (const std::string& id : check) {
      const Run& r = find_run(runs, id);
      const nlohmann::json now = pin(r, run_npusim(npusim, r));
      std::vector<std::string> d;
      if (!golden.at("runs").contains(id))
        d.push_back(fmt::format("{}: not in {} (a new run?)", id, golden_file));
      else
        d = differences(id, golden["runs"][id], now);
      if (d.empty()) {
        std::cout << fmt::format("{}: the golden numbers hold (total cycles analytic {}, systemc {})\n", id,
                                 now["analytic"]["total"]["cycles"].dump(), now["systemc"]["total"]["cycles"].dump());
        continue;
      }
      ++failed;
      std::cout << fmt::format("{}: {} golden number(s) changed (pinned -> now):\n", id, d.size());
      for (std::size_t i = 0; i < d.size() && i < kShown; ++i) std::cout << "  " << d[i] << "\n";
      if (d.size() > kShown) std::cout << fmt::format("  ... and {} more\n", d.size() - kShown);
    }
    if (failed)
      std::cout << "If the change is intended, regenerate with scripts/regen-golden.sh and commit tests/golden/golden.json "
                   "in the same commit, saying why the numbers moved (docs/GOLDEN.md).\n";
    return failed ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "npusim-golden: " << e.what() << "\n";
    return 2;
  }
}
