// The golden-number tool itself: runs.txt, what a run pins, the golden file's text, and the
// differences it reports (which run, engine, layer, statistic, pinned -> now).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/golden/golden.h"

using namespace npusim::tests::golden;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

// npusim's `run --engine both --format json`, cut down to what a pin reads
nlohmann::json output(std::int64_t conv_cycles, double energy) {
  auto result = [&](std::int64_t cycles) {
    nlohmann::json layer = {{"name", "conv1"},         {"cycles", cycles},      {"compute_cycles", 80},
                            {"dram_read_bytes", 1000}, {"dram_write_bytes", 10}, {"sram_read_bytes", 500},
                            {"sram_write_bytes", 50},  {"accumulator_bytes", 7}, {"noc_byte_hops", 1010.0},
                            {"energy_pj", energy}};
    layer["stalls"] = {{"dram", cycles - 80}, {"interconnect", 0}, {"sram_bank", 0}, {"sync", 0}, {"vector_unit", 0}};
    nlohmann::json total = layer;
    total.erase("name");
    total["sram_bytes"] = 550;
    total["macs"] = 4096;
    total["energy"] = {{"mac", 1.0}, {"vector", 2.0}, {"sram", 3.0}, {"accumulator", 4.0},
                       {"noc", 5.0}, {"dram", 6.0},   {"leakage", energy - 21.0}};
    return nlohmann::json{{"total", total}, {"layers", {layer}}};
  };
  return {{"analytic", result(100)}, {"systemc", result(conv_cycles)}};
}

const Run kRun{"edge-npu/tiny", {"--arch", "edge-npu", "--model", "tiny"}};

}  // namespace

TEST(Golden, RunsAreReadWithTheirArguments) {
  const auto runs = parse_runs("# comment\n\nedge-npu/resnet50  --arch edge-npu --model resnet50  # the CNN\n"
                               "eyeriss/bert-base --arch eyeriss --model bert-base --seq 64\n");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, "edge-npu/resnet50");
  EXPECT_THAT(runs[1].args, ElementsAre("--arch", "eyeriss", "--model", "bert-base", "--seq", "64"));
  EXPECT_EQ(runs[1].args_text(), "--arch eyeriss --model bert-base --seq 64");
  EXPECT_THROW(parse_runs("a --x\na --y\n"), std::runtime_error);
  EXPECT_THROW(parse_runs("lonely\n"), std::runtime_error);
}

TEST(Golden, APinHoldsEveryStatisticOfEveryLayerAndTheTotals) {
  const nlohmann::json p = pin(kRun, output(120, 2000.5));
  EXPECT_EQ(p["args"], "--arch edge-npu --model tiny");
  const auto& row = p["systemc"]["layers"][0];
  ASSERT_EQ(row.size(), layer_stats().size() + 1);
  EXPECT_EQ(row[0], "conv1");
  EXPECT_EQ(row[1], 120);                 // cycles
  EXPECT_EQ(row[3], 40);                  // stalls.dram
  EXPECT_EQ(p["systemc"]["total"]["energy.leakage"], 1979.5);
  EXPECT_EQ(p["analytic"]["total"]["cycles"], 100);
}

TEST(Golden, AStatisticNpusimNoLongerWritesIsNamed) {
  nlohmann::json out = output(120, 2000.5);
  out["systemc"]["layers"][0].erase("sram_read_bytes");
  try {
    pin(kRun, out);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("edge-npu/tiny systemc layer conv1: npusim's JSON has no number 'sram_read_bytes'"));
  }
}

TEST(Golden, TheFileReadsBackAsWhatWasPinnedOneLinePerLayer) {
  nlohmann::json runs = {{kRun.id, pin(kRun, output(120, 2000.5))}};
  const std::string text = golden_text(runs);
  const nlohmann::json back = nlohmann::json::parse(text);
  EXPECT_EQ(back["runs"], runs);
  EXPECT_THAT(text, HasSubstr("\n          [\"conv1\",120,80,40,"));
  EXPECT_TRUE(differences(kRun.id, back["runs"][kRun.id], runs[kRun.id]).empty());
}

TEST(Golden, ADifferenceNamesRunEngineLayerStatisticAndBothValues) {
  const nlohmann::json pinned = pin(kRun, output(120, 2000.5)), now = pin(kRun, output(126, 2000.5));
  const auto d = differences(kRun.id, pinned, now);
  EXPECT_THAT(d, ::testing::Contains("edge-npu/tiny systemc layer 0 'conv1': cycles 120 -> 126 (+5%)"));
  EXPECT_THAT(d, ::testing::Contains("edge-npu/tiny systemc layer 0 'conv1': stalls.dram 40 -> 46 (+15%)"));
  EXPECT_THAT(d, ::testing::Contains("edge-npu/tiny systemc total: cycles 120 -> 126 (+5%)"));
  for (const auto& line : d) EXPECT_THAT(line, ::testing::Not(HasSubstr("analytic"))) << line;
}

TEST(Golden, EnergyMayDifferOnlyInTheLastBits) {
  const nlohmann::json pinned = pin(kRun, output(120, 2000.5));
  EXPECT_TRUE(differences(kRun.id, pinned, pin(kRun, output(120, 2000.5 * (1 + 1e-12)))).empty());
  const auto d = differences(kRun.id, pinned, pin(kRun, output(120, 2000.5 * (1 + 1e-6))));
  EXPECT_THAT(d, ::testing::Contains(HasSubstr("systemc layer 0 'conv1': energy_pj 2000.5 -> 2000.5")));
}

TEST(Golden, OtherArgumentsOrOtherLayersAreDifferences) {
  nlohmann::json pinned = pin(kRun, output(120, 2000.5));
  nlohmann::json now = pinned;
  now["args"] = "--arch edge-npu --model tiny --seq 64";
  now["analytic"]["layers"][0][0] = "conv2";
  const auto d = differences(kRun.id, pinned, now);
  EXPECT_THAT(d, ::testing::Contains(HasSubstr("pinned with the arguments '--arch edge-npu --model tiny', runs.txt now says")));
  EXPECT_THAT(d, ::testing::Contains("edge-npu/tiny analytic layer 0: 'conv1' -> 'conv2'"));
}
