// npusim bench: timing of the compiler (mapping search) on fixed workloads. Figures for
// docs/PERFORMANCE.md come from here, never from tests.
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"

namespace npusim::cli {

namespace {

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

struct Case {
  const char* model;
  const char* arch;
};

}  // namespace

void register_bench_command(CLI::App& app) {
  struct Opts {
    int repeat = 5;
    std::vector<std::string> cases;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* bench = app.add_subcommand("bench", "Benchmark the mapping search (wall time, mappings scored, peak memory)");
  bench->add_option("--repeat", o->repeat, "Runs per case; the median is reported")->capture_default_str();
  bench->add_option("--case", o->cases, "MODEL@ARCH to run instead of the default suite (repeatable)");
  bench->callback([o] {
    std::vector<std::pair<std::string, std::string>> cases;
    for (const auto& c : o->cases) {
      auto at = c.find('@');
      if (at == std::string::npos) throw Error(fmt::format("--case {}: expected MODEL@ARCH", c));
      cases.emplace_back(c.substr(0, at), c.substr(at + 1));
    }
    if (cases.empty())
      cases = {{"resnet50", "tpu-v1"}, {"resnet50", "edge-npu"}, {"resnet50", "dc-npu"},
               {"bert-base", "tpu-v1"}, {"gpt2-decode", "dc-npu"}, {"mobilenetv2", "eyeriss"}};
    fmt::print("mapping benchmark: compile = lowering + mapping search + inter-layer reuse; median of {} runs\n\n",
               o->repeat);
    fmt::print("{:<14} {:<10} {:>7} {:>12} {:>11} {:>11} {:>10}\n", "model", "arch", "layers", "mappings", "median ms",
               "min ms", "peak MiB");
    for (const auto& [model, arch] : cases) {
      ModelOptions mo;
      mo.model = model;
      mo.arch = arch;
      std::vector<double> ms;
      std::int64_t evaluated = 0;
      std::size_t layers = 0;
      for (int r = 0; r < std::max(1, o->repeat); ++r) {
        auto t0 = std::chrono::steady_clock::now();
        auto cm = compile_from_options(mo);
        auto t1 = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        evaluated = 0;
        for (const auto& l : cm.layers) evaluated += l.evaluated;
        layers = cm.layers.size();
      }
      std::sort(ms.begin(), ms.end());
      fmt::print("{:<14} {:<10} {:>7} {:>12} {:>11.1f} {:>11.1f} {:>10.1f}\n", model, arch, layers, evaluated,
                 ms[ms.size() / 2], ms.front(), peak_rss_mib());
    }
  });
}

}  // namespace npusim::cli
