// SCALE-Sim's own inputs (validate/scalesim: its .cfg files and topologies) through npusim's
// readers with the memory ideal: every layer's compute cycles against the numbers SCALE-Sim
// published for them (reference.csv). The bar: within 2% on layers of >= 10,000 cycles.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "arch/loader.h"
#include "arch/scalesim_cfg.h"
#include "compiler/compile.h"
#include "workloads/scalesim_csv.h"

using namespace npusim;

namespace {

const std::string kDir = std::string(NPUSIM_SOURCE_DIR) + "/validate/scalesim/";

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  EXPECT_TRUE(f) << "cannot read " << path;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Ref {
  std::string source, config, topology, layer;
  std::int64_t compute = 0;
};

std::vector<Ref> references() {
  std::vector<Ref> v;
  std::istringstream in(slurp(kDir + "reference.csv"));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, ',');) f.push_back(x);
    if (f.size() != 7) {
      ADD_FAILURE() << "bad reference row: " << line;
      continue;
    }
    v.push_back({f[0], f[1], f[2], f[3], std::stoll(f[6])});
  }
  return v;
}

// npusim's compute cycles per layer for (config, topology), memory ideal
std::map<std::string, std::int64_t> npusim_compute(const std::string& cfg, const std::string& topo) {
  auto arch = arch::load_arch(arch::scalesim_cfg_to_yaml(slurp(kDir + cfg), cfg), cfg);
  workloads::ModelParams p;
  p.dtype = arch->datatypes.default_dtype;
  workloads::Graph g = workloads::read_scalesim_csv(slurp(kDir + topo), topo, p);
  compiler::CompileOptions o;
  o.ideal_memory = true;
  const compiler::CompiledModel cm = compiler::compile(std::move(g), arch, o);
  std::map<std::string, std::int64_t> out;
  for (const auto& l : cm.layers) out[l.layer.name] = l.cost.compute_cycles;
  return out;
}

TEST(ScaleSimAgreement, ComputeCyclesWithinTwoPercentOnLongLayers) {
  const std::vector<Ref> refs = references();
  ASSERT_GE(refs.size(), 10u);
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::int64_t>> runs;
  int long_layers = 0;
  for (const Ref& r : refs) {
    auto key = std::make_pair(r.config, r.topology);
    if (!runs.contains(key)) runs[key] = npusim_compute(r.config, r.topology);
    const auto& layers = runs[key];
    auto it = layers.find(r.layer);
    ASSERT_NE(it, layers.end()) << r.topology << ": no layer " << r.layer;
    const double err = double(it->second - r.compute) / double(r.compute);
    RecordProperty(fmt::format("{}:{}", r.source, r.layer), fmt::format("{} vs {}", it->second, r.compute));
    fmt::print("{:<18} {:<10} scalesim {:>7} npusim {:>7} ({:+.3f}%)\n", r.source, r.layer, r.compute, it->second,
               100 * err);
    if (r.compute >= 10000) {
      ++long_layers;
      EXPECT_LE(std::abs(err), 0.02) << r.source << " " << r.layer << ": npusim " << it->second << ", SCALE-Sim "
                                     << r.compute;
    }
  }
  EXPECT_GE(long_layers, 8);
}

TEST(ScaleSimAgreement, ConfigSelectsScaleSimsArray) {
  auto a = arch::load_arch(arch::scalesim_cfg_to_yaml(slurp(kDir + "scale_32x32_os.cfg"), "x.cfg"), "x.cfg");
  EXPECT_EQ(a->core.pe_array.rows, 32);
  EXPECT_EQ(a->core.pe_array.cols, 32);
  EXPECT_EQ(a->core.pe_array.dataflow, arch::Dataflow::OutputStationary);
  EXPECT_FALSE(a->core.pe_array.stationary_double_buffer);
  EXPECT_FALSE(a->core.pe_array.fold_overlap);
  EXPECT_TRUE(a->core.scratchpad.partitioned);
  EXPECT_EQ(a->core.scratchpad.inputs_bytes, 64 * 1024);
  EXPECT_DOUBLE_EQ(a->dram.bandwidth_gb_per_s, 64.0);  // Bandwidth 64 words/cycle at 1 GHz, USER
}

TEST(ScaleSimCfg, ErrorsNameTheFileLineAndKey) {
  auto err = [](const std::string& text) {
    try {
      arch::scalesim_cfg_to_yaml(text, "g.cfg");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string ok = "[architecture_presets]\nArrayHeight: 8\nArrayWidth: 8\nIfmapSramSzkB: 1\nFilterSramSzkB: 1\n"
                         "OfmapSramSzkB: 1\nDataflow: ws\n";
  EXPECT_EQ(err(ok), "no error");
  EXPECT_NE(err(ok + "Arrayheigth: 3\n").find("g.cfg:8: [architecture_presets] Arrayheigth: unknown SCALE-Sim key"),
            std::string::npos);
  EXPECT_NE(err("[architecture_presets]\nArrayHeight: 0\n").find("g.cfg:2: ArrayHeight: must be >= 1"), std::string::npos);
  EXPECT_NE(err(ok + "[run_presets]\nInterfaceBandwidth: USER\n").find("Bandwidth: missing"), std::string::npos);
  EXPECT_NE(err("[architecture_presets]\nArrayHeight: 8\nArrayWidth: 8\nIfmapSramSzkB: 1\nFilterSramSzkB: 1\n"
                "OfmapSramSzkB: 1\nDataflow: rs\n")
                .find("g.cfg:7: Dataflow: expected ws, os or is"),
            std::string::npos);
  EXPECT_NE(err(ok + "[sparsity]\nSparsitySupport: true\n").find("does not model sparse"), std::string::npos);
  EXPECT_NE(err("[bogus]\n").find("g.cfg:1: unknown section [bogus]"), std::string::npos);
}

}  // namespace
