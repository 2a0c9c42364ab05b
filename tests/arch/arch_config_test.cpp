// arch/: the schema, validation with locations, overrides, presets and the effective dump.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "arch/loader.h"
#include "arch/schema.h"
#include "configs/embedded.h"

using namespace npusim;
using ::testing::HasSubstr;

namespace {

std::string preset(const char* name) {
  const EmbeddedText* p = find_arch_preset(name);
  EXPECT_NE(p, nullptr) << name;
  return p ? p->text : "";
}

std::vector<std::string> problems(const std::string& yaml, std::vector<Override> ov = {}) {
  std::vector<std::string> out;
  for (const auto& d : arch::check_arch(yaml, "tpu.yaml", ov)) out.push_back(d.str());
  return out;
}

// Replaces the first occurrence of `from` in `text`.
std::string edit(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

}  // namespace

TEST(Presets, AllValidate) {
  ASSERT_GE(arch_presets().size(), 4u);
  for (const auto& p : arch_presets()) {
    auto diags = arch::check_arch(p.text, p.file);
    EXPECT_TRUE(diags.empty()) << p.name << ": " << (diags.empty() ? "" : diags.front().str());
  }
  EXPECT_NE(find_arch_preset(kDefaultArchPreset), nullptr);
}

TEST(Presets, Tpuv1Figures) {
  auto c = arch::load_arch(preset("tpu-v1"), "tpu-v1.yaml");
  EXPECT_EQ(c->core.pe_array.rows, 256);
  EXPECT_EQ(c->core.pe_array.cols, 256);
  EXPECT_EQ(c->core.pe_array.dataflow, arch::Dataflow::WeightStationary);
  EXPECT_DOUBLE_EQ(c->clock_mhz, 700);
  EXPECT_DOUBLE_EQ(c->dram.bandwidth_gb_per_s, 34);
  EXPECT_EQ(c->core.scratchpad.inputs_bytes + c->core.scratchpad.outputs_bytes, 24 * 1024 * 1024);
  EXPECT_EQ(c->peak_macs_per_cycle(DType::Int8), 65536);
}

TEST(Validation, OutOfRangeNamesFileLineColumnAndPath) {
  std::string y = edit(preset("tpu-v1"), "    rows: 256", "    rows: 0");
  auto p = problems(y);
  ASSERT_EQ(p.size(), 1u);
  // the key sits at column 5 under core: / pe_array:
  EXPECT_THAT(p[0], ::testing::MatchesRegex(R"(tpu\.yaml:[0-9]+:5: core\.pe_array\.rows: must be >= 1, got 0)"));
}

TEST(Validation, UnknownKeyWithHint) {
  auto p = problems(edit(preset("edge-npu"), "    cols: 16", "    colz: 16"));
  ASSERT_FALSE(p.empty());
  EXPECT_THAT(p[0], HasSubstr("core.pe_array.colz: unknown key (did you mean 'cols'?)"));
  // and the key it replaced is now missing
  bool missing = false;
  for (const auto& s : p) missing |= s.find("core.pe_array.cols: missing required key") != std::string::npos;
  EXPECT_TRUE(missing);
}

TEST(Validation, WrongTypes) {
  EXPECT_THAT(problems(edit(preset("edge-npu"), "    rows: 16", "    rows: sixteen")).at(0),
              HasSubstr("core.pe_array.rows: expected an integer, got 'sixteen'"));
  EXPECT_THAT(problems(edit(preset("edge-npu"), "    rows: 16", "    rows: 16.5")).at(0),
              HasSubstr("expected an integer, got 16.5"));
  EXPECT_THAT(problems(edit(preset("edge-npu"), "dataflow: ws", "dataflow: xs")).at(0),
              HasSubstr("core.pe_array.dataflow: must be one of ws|os|is, got 'xs'"));
  EXPECT_THAT(problems(edit(preset("edge-npu"), "fold_overlap: true", "fold_overlap: maybe")).at(0),
              HasSubstr("expected true or false"));
  EXPECT_THAT(problems(edit(preset("edge-npu"), "  pe_array:\n", "  pe_array: 3\n  unused:\n")).at(0),
              HasSubstr("core.pe_array: expected a map, got a scalar"));
}

TEST(Validation, NegativeBandwidth) {
  auto p = problems(edit(preset("edge-npu"), "bandwidth_gb_per_s: 8", "bandwidth_gb_per_s: -8"));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0], HasSubstr("dram.bandwidth_gb_per_s: must be > 0, got -8"));
}

TEST(Validation, MissingRequiredKeyPointsAtParent) {
  auto p = problems(edit(preset("edge-npu"), "  latency_ns: 120", ""));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0], ::testing::MatchesRegex(R"(tpu\.yaml:[0-9]+:[0-9]+: dram\.latency_ns: missing required key \(a generic DRAM needs it; or name a dram\.standard\))"));
}

TEST(Validation, ScratchpadSmallerThanSmallestTile) {
  // a 256x256 int8 weight-stationary fold holds 64 KiB of weights: double-buffered 128 KiB
  auto p = problems(edit(preset("tpu-v1"), "weights_kib: 256", "weights_kib: 100"));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0], HasSubstr("core.scratchpad.partitions.weights_kib: must hold the smallest legal tile"));
}

TEST(Validation, CrossFieldRules) {
  EXPECT_THAT(problems(edit(preset("edge-npu"), "stationary_double_buffer: true", "stationary_double_buffer: false")).at(0),
              HasSubstr("fold_overlap: requires core.pe_array.stationary_double_buffer"));
  EXPECT_THAT(problems(edit(preset("dc-npu"), "    cols: 2\n", "    cols: 3\n")).at(0),
              HasSubstr("mesh 2 x 3 has 6 routers but cores is 4"));
  EXPECT_THAT(problems(edit(preset("edge-npu"), "size_kib: 256", "size_kib: 256\n    partitions:\n      inputs_kib: 1")).at(0),
              HasSubstr("give either core.scratchpad.size_kib or core.scratchpad.partitions"));
  EXPECT_THAT(problems(edit(preset("edge-npu"), "  default: int8", "  default: bf16")).at(0),
              HasSubstr("datatypes.default: the PE does not support bf16"));
  EXPECT_THAT(problems(edit(preset("edge-npu"), "technology: 45nm", "technology: 3nm")).at(0),
              HasSubstr("energy.technology: unknown technology '3nm' (known: 45nm)"));
}

TEST(Validation, EveryProblemIsReported) {
  std::string y = edit(edit(edit(preset("edge-npu"), "    rows: 16", "    rows: 0"), "clock_mhz: 500", "clock_mhz: -1"),
                       "  channels: 1", "  channels: 0");
  EXPECT_EQ(problems(y).size(), 3u);
}

TEST(Validation, DuplicateKeyAndSyntaxErrors) {
  EXPECT_THAT(problems(edit(preset("edge-npu"), "cores: 1", "cores: 1\ncores: 2")).at(0), HasSubstr("cores: duplicate key"));
  EXPECT_THAT(problems("name: [unclosed").at(0), HasSubstr("YAML syntax error"));
}

TEST(Overrides, SetChangesValueAndOrigin) {
  std::vector<Override> ov = {parse_override("core.pe_array.rows=64"), parse_override("dram.bandwidth_gb_per_s=25.6")};
  auto c = arch::load_arch(preset("edge-npu"), "edge-npu.yaml", ov);
  EXPECT_EQ(c->core.pe_array.rows, 64);
  EXPECT_DOUBLE_EQ(c->dram.bandwidth_gb_per_s, 25.6);
  EXPECT_THAT(c->origin, HasSubstr("--set core.pe_array.rows=64"));
}

TEST(Overrides, BadValueNamesTheOverride) {
  auto p = problems(preset("edge-npu"), {parse_override("core.pe_array.rows=0")});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "--set core.pe_array.rows=0: core.pe_array.rows: must be >= 1, got 0");
}

TEST(Overrides, UnknownPathIsAnError) {
  std::vector<Override> ov = {parse_override("core.pe_array.rowz=64")};
  try {
    arch::load_arch(preset("edge-npu"), "edge-npu.yaml", ov);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown key path 'core.pe_array.rowz' (did you mean 'rows'?)"));
  }
  EXPECT_THROW(parse_override("no-equals-sign"), Error);
  EXPECT_THROW(parse_override("a..b=1"), Error);
  std::vector<Override> group = {parse_override("core.pe_array=3")};
  EXPECT_THROW(arch::load_arch(preset("edge-npu"), "x", group), Error);
}

TEST(Overrides, SetCanAddAnOptionalKey) {
  // energy keys may be given explicitly even where a technology default exists
  std::vector<Override> ov = {parse_override("energy.mac_pj.int8=0.5")};
  auto c = arch::load_arch(preset("edge-npu"), "x", ov);
  EXPECT_DOUBLE_EQ(c->energy.mac_pj[index_of(DType::Int8)], 0.5);
}

TEST(EffectiveConfig, RoundTripsAndFillsDefaults) {
  for (const auto& p : arch_presets()) {
    auto c = arch::load_arch(p.text, p.file);
    std::string y = arch::to_yaml(*c);
    auto c2 = arch::load_arch(y, "effective.yaml");
    EXPECT_EQ(arch::to_yaml(*c2), y) << p.name;
    EXPECT_THAT(y, HasSubstr("sram_read_pj_per_byte:")) << "technology defaults are written out";
  }
}

TEST(EffectiveConfig, TechnologyDefaultsApplyOnlyWhereAbsent) {
  auto c = arch::load_arch(preset("dc-npu"), "x");
  EXPECT_DOUBLE_EQ(c->energy.dram_pj_per_byte, 31);  // given in the preset
  EXPECT_DOUBLE_EQ(c->energy.sram_read_pj_per_byte, 2.5);  // from 45nm
  auto without = edit(preset("edge-npu"), "  technology: 45nm                  # docs/ENERGY_AREA.md\n", "");
  auto p = problems(without);
  ASSERT_FALSE(p.empty());
  EXPECT_THAT(p[0], HasSubstr("energy.mac_pj.int8: missing key (or name a node in energy.technology"));
}

TEST(Area, ModelSumsParts) {
  auto c = arch::load_arch(preset("edge-npu"), "x");
  auto a = c->area_breakdown();
  EXPECT_NEAR(a.pe_arrays_mm2, 256 * 0.001265, 1e-9);  // int16 is the widest supported datatype
  EXPECT_NEAR(a.sram_mm2, (256 + 32) * 0.004, 1e-9);
  EXPECT_NEAR(a.total_mm2(), a.pe_arrays_mm2 + a.sram_mm2 + 16 * 0.015 + 0.5, 1e-9);
}

TEST(Schema, EveryFieldDocumentedAndDocsUpToDate) {
  for (const auto& f : arch::arch_schema().fields()) {
    EXPECT_FALSE(f.doc.empty()) << f.path;
    EXPECT_TRUE(f.set && f.get) << f.path;
  }
  std::ifstream in(std::string(NPUSIM_SOURCE_DIR) + "/docs/CONFIG.md");
  ASSERT_TRUE(in) << "docs/CONFIG.md missing";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), arch::schema_markdown()) << "regenerate with: npusim schema --markdown > docs/CONFIG.md";
}
