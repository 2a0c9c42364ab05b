// System descriptions: presets load, keys are validated like architecture files, overrides.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "configs/embedded.h"
#include "system/network.h"
#include "system/system_config.h"
#include "tests/error_of.h"

using namespace npusim;
using namespace npusim::system;
using ::testing::HasSubstr;

namespace {

std::string problems(std::string_view yaml) {
  std::string out;
  for (const auto& d : check_system(yaml, "sys.yaml")) out += d.str() + "\n";
  return out;
}

const char* kGood = R"(name: t
chip: dc-npu
nodes: 2
chips_per_node: 4
intra_node:
  fabric: switch
  bandwidth_gb_per_s: 100
  latency_us: 1
inter_node:
  topology: fat_tree
  nics_per_node: 2
  bandwidth_gb_per_s: 50
  latency_us: 2
)";

}  // namespace

TEST(SystemConfig, EveryPresetLoads) {
  ASSERT_GE(system_presets().size(), 4u);
  for (const auto& p : system_presets()) {
    SystemRequest r;
    r.system = p.name;
    const SystemConfigPtr s = load_system(r);
    EXPECT_EQ(s->name, p.name);
    EXPECT_GT(s->chips(), 0);
    EXPECT_TRUE(s->arch) << p.name;
    const Network net(*s);
    EXPECT_EQ(net.chips(), s->chips());
    // The effective description loads again to the same.
    SystemRequest again;
    EXPECT_EQ(to_yaml(*load_system(to_yaml(*s), "again.yaml", again)), to_yaml(*s));
  }
}

TEST(SystemConfig, BadKeysAndValuesNameFileLineAndKey) {
  EXPECT_EQ(problems(kGood), "");
  std::string y = kGood;
  EXPECT_THAT(problems(std::string(y).replace(y.find("nics_per_node: 2"), 16, "nics_per_node: 0")),
              HasSubstr("sys.yaml:11:3: inter_node.nics_per_node: must be >= 1, got 0"));
  EXPECT_THAT(problems(std::string(y).replace(y.find("bandwidth_gb_per_s: 100"), 23, "bandwidth_gb_per_s: 0")),
              HasSubstr("intra_node.bandwidth_gb_per_s: must be > 0, got 0"));
  EXPECT_THAT(problems(std::string(y) + "nodez: 3\n"), HasSubstr("nodez: unknown key (did you mean 'nodes'?)"));
  EXPECT_THAT(problems(std::string(y).replace(y.find("fabric: switch"), 14, "fabric: torus")),
              HasSubstr("intra_node.shape: missing key (required for a torus)"));
  EXPECT_THAT(problems(std::string(y).replace(y.find("fabric: switch"), 14, "fabric: torus\n  shape: 2x3")),
              HasSubstr("intra_node.shape: 2x3 has 6 positions but chips_per_node is 4"));
  EXPECT_THAT(problems(std::string(y).replace(y.find("chip: dc-npu"), 12, "chip: npu9000")), HasSubstr("npu9000"));
}

TEST(SystemConfig, OverridesAndArchOverride) {
  SystemRequest r;
  r.system = "dgx-a100";
  r.sets = {"nodes=4", "inter_node.bandwidth_gb_per_s=400"};
  r.arch = "h100_sxm";
  const SystemConfigPtr s = load_system(r);
  EXPECT_EQ(s->nodes, 4);
  EXPECT_EQ(s->inter_node.bandwidth_gb_per_s, 400);
  EXPECT_EQ(s->arch->name, "h100_sxm");
  EXPECT_THAT(s->origin, HasSubstr("--set system.nodes=4"));
  r.sets = {"inter_node.bandwith_gb_per_s=1"};
  EXPECT_THAT(testing_support::error_of([&] { load_system(r); }),
              HasSubstr("--set system.inter_node.bandwith_gb_per_s=1: unknown key path"));
  r.sets = {"nodes=0"};
  try {
    load_system(r);
    ADD_FAILURE();
  } catch (const ValidationError& e) {
    EXPECT_THAT(e.all().front().str(), HasSubstr("--set nodes=0: nodes: must be >= 1, got 0"));
  }
}

TEST(SystemConfig, DocsListEveryKey) {
  std::ifstream f(std::string(NPUSIM_SOURCE_DIR) + "/docs/MULTICHIP.md");
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_THAT(ss.str(), HasSubstr(system_schema_markdown())) << "regenerate with npusim systems --schema";
}

TEST(SystemConfig, ShapesParse) {
  EXPECT_EQ(parse_shape("4x4x8"), (std::vector<std::int32_t>{4, 4, 8}));
  EXPECT_EQ(parse_shape("16"), (std::vector<std::int32_t>{16}));
  EXPECT_FALSE(parse_shape("4x"));
  EXPECT_FALSE(parse_shape("0x2"));
  EXPECT_FALSE(parse_shape("axb"));
}
