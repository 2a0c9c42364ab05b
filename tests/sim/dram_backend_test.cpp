// The detailed DRAM backend (Ramulator 2) alone, against the standard: a sequential read stream
// reaches at least 85% of the speed grade's peak and never exceeds it; random 64 B reads land
// where the activation limits (tRC per bank, tRRD and tFAW per rank or pseudo channel) bound
// them; jumping over idle time is exact (the same completion ticks as ticking every idle tick).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "arch/dram_standards.h"
#include "arch/loader.h"
#include "configs/embedded.h"
#include "sim/ramulator_backend.h"

using namespace npusim;
using npusim::sim::DramCompletion;
using npusim::sim::RamulatorBackend;

namespace {

// The edge-npu preset with its DRAM block replaced by the one under test.
arch::ArchConfigPtr with_dram(const std::string& dram) {
  std::string t = find_arch_preset("edge-npu")->text;
  const auto b = t.find("\ndram:"), e = t.find("\nenergy:");
  return arch::load_arch(t.substr(0, b) + "\ndram: " + dram + t.substr(e), "dram-test.yaml");
}

struct Part {
  const char* standard;
  const char* device;
  const char* grade;
  int channels;
  const char* refresh = "all_bank";
};

// How the sequential test configures the controller: MOP4CLXOR moves to the next bank group
// (pseudo channel for HBM) every 4 requests, so the stream's column reads alternate bank groups
// and issue every tCCD_S = tBL; FR-FCFS with row hits first keeps the rows open across them.
struct Controller {
  const char* mapping = "RoBaRaCoCh";
  const char* scheduler = "frfcfs";
};

std::string dram_yaml(const Part& p, Controller c = {}) {
  return fmt::format("{{standard: {}, device: {}, speed_grade: {}, channels: {}, interleave_bytes: 4096, "
                     "address_mapping: {}, page_policy: open, scheduler: {}, refresh: {}}}",
                     p.standard, p.device, p.grade, p.channels, c.mapping, c.scheduler, p.refresh);
}

struct Stream {
  double gb_per_s = 0;  // bytes over the time from the first request to the last completion
  std::int64_t ticks = 0;
  std::vector<DramCompletion> done;
};

// Offers each channel its addresses in order, as fast as its controller takes them (a channel
// whose queue is full does not hold the others up), then drains.
Stream stream(RamulatorBackend& dram, const std::vector<std::uint64_t>& addrs, bool write = false) {
  Stream r;
  std::vector<std::vector<std::size_t>> per_channel(static_cast<std::size_t>(dram.channels()));
  for (std::size_t i = 0; i < addrs.size(); ++i) per_channel[static_cast<std::size_t>(dram.channel_of(addrs[i]))].push_back(i);
  std::vector<std::size_t> next(per_channel.size(), 0);
  const std::int64_t start = dram.now();
  bool left = true;
  while (left || dram.in_flight() > 0) {
    left = false;
    for (std::size_t c = 0; c < per_channel.size(); ++c) {
      auto& q = per_channel[c];
      while (next[c] < q.size() && dram.send(write, addrs[q[next[c]]], q[next[c]])) ++next[c];
      left |= next[c] < q.size();
    }
    dram.tick(r.done);
  }
  std::int64_t last = start;
  for (const auto& d : r.done) last = std::max(last, d.tick);
  r.ticks = last - start;
  r.gb_per_s = double(addrs.size()) * dram.request_bytes() / (double(r.ticks) * dram.tick_ns());
  return r;
}

const Part kParts[] = {
    {"ddr3", "DDR3_4Gb_x8", "DDR3_2133M", 1},   {"ddr4", "DDR4_8Gb_x8", "DDR4_2400R", 1},
    {"ddr4", "DDR4_8Gb_x16", "DDR4_3200AA", 2}, {"ddr5", "DDR5_16Gb_x8", "DDR5_4800AN", 1},
    {"lpddr5", "LPDDR5_16Gb_x16", "LPDDR5_6400", 1, "per_bank"}, {"hbm2", "HBM2_8Gb", "HBM2_2400Mbps", 2},
    {"hbm3", "HBM3_4Gb", "HBM3_6400Mbps", 2},  {"gddr6", "GDDR6_16Gb_x16", "GDDR6_14000_1350mV_double", 1},
};

class PerPart : public ::testing::TestWithParam<Part> {};

std::string part_name(const ::testing::TestParamInfo<Part>& i) {
  std::string s = std::string(i.param.grade) + "_" + std::to_string(i.param.channels) + "ch_" + i.param.refresh;
  std::replace_if(s.begin(), s.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return s;
}

}  // namespace

TEST_P(PerPart, SequentialReadsReachAtLeast85PercentOfPeakAndNeverExceedIt) {
  const auto a = with_dram(dram_yaml(GetParam(), {"MOP4CLXOR", "frfcfs_rowhit"}));
  RamulatorBackend dram(a->dram);
  std::vector<std::uint64_t> addrs;
  const int n = 40000;
  for (int i = 0; i < n; ++i) addrs.push_back(std::uint64_t(i) * dram.request_bytes());
  const Stream r = stream(dram, addrs);
  const double peak = a->dram.bandwidth_gb_per_s;  // channels x buses x width x rate
  EXPECT_GE(r.gb_per_s, 0.85 * peak) << GetParam().grade << ": " << r.gb_per_s << " of " << peak << " GB/s";
  EXPECT_LE(r.gb_per_s, peak) << GetParam().grade;
  ASSERT_EQ(r.done.size(), addrs.size());
  std::int64_t reads = 0;
  for (const auto& c : dram.channel_stats()) reads += c.reads;
  EXPECT_EQ(reads, n);
}

TEST_P(PerPart, AStreamThroughOneRowAtATimeMissesOncePerRowAndPerRefresh) {
  // RoBaRaCoCh: the column is lowest, so a stream reads a whole row of one bank before moving
  // on; with an open page every read hits but the first of each row and the first after a
  // refresh (which closes the open rows).
  const auto a = with_dram(dram_yaml({GetParam().standard, GetParam().device, GetParam().grade, 1, GetParam().refresh}));
  RamulatorBackend dram(a->dram);
  std::vector<std::uint64_t> addrs;
  const int n = 20000;
  for (int i = 0; i < n; ++i) addrs.push_back(std::uint64_t(i) * dram.request_bytes());
  stream(dram, addrs);
  std::int64_t hits = 0, refreshes = 0;
  for (const auto& c : dram.channel_stats()) hits += c.row_hits, refreshes += c.refreshes;
  const std::int64_t rows = n * dram.request_bytes() / a->dram.timing.page_bytes;
  EXPECT_GE(hits, n - rows - 2 * refreshes - 2) << rows << " rows, " << refreshes << " refreshes";
  EXPECT_LE(hits, n - rows);
}

TEST_P(PerPart, RandomReadsAreBoundByTheActivationLimits) {
  const auto a = with_dram(dram_yaml(GetParam()));
  const arch::DramTiming& t = a->dram.timing;
  RamulatorBackend dram(a->dram);
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> addrs;
  const auto capacity = static_cast<std::uint64_t>(a->dram.capacity_gib * double(1ull << 30));
  for (int i = 0; i < 20000; ++i) addrs.push_back(rng() % (capacity / 64) * 64);
  const Stream r = stream(dram, addrs);
  // Every read opens a row. Per data bus (a rank or pseudo channel here): at most one
  // activation per tRRD_S, four per tFAW, and each bank one per tRC.
  const double acts_per_ns = std::min({1.0 / t.rrd_s_ns, 4.0 / t.faw_ns, double(t.banks_per_bus) / t.rc_ns});
  const double bound = acts_per_ns * t.buses * a->dram.channels * dram.request_bytes();  // GB/s
  std::int64_t misses = 0;
  for (const auto& c : dram.channel_stats()) misses += c.row_misses + c.row_conflicts;
  EXPECT_GE(double(misses), 0.95 * double(addrs.size()));
  EXPECT_LE(r.gb_per_s, 1.02 * bound) << GetParam().grade << ": " << r.gb_per_s << " GB/s, bound " << bound;
  EXPECT_GE(r.gb_per_s, 0.5 * bound) << GetParam().grade << ": " << r.gb_per_s << " GB/s, bound " << bound;
}

INSTANTIATE_TEST_SUITE_P(Standards, PerPart, ::testing::ValuesIn(kParts), part_name);

TEST(RamulatorBackend, JumpingOverIdleTimeIsExact) {
  // The same requests, with a long idle gap (many refresh intervals) between two bursts: the
  // backend that jumps the gap completes every request at the same tick as one that ticks
  // every idle tick.
  const auto a = with_dram(dram_yaml({"ddr4", "DDR4_8Gb_x8", "DDR4_2400R", 2}));
  auto run = [&](bool jump) {
    RamulatorBackend dram(a->dram, jump);
    std::vector<std::uint64_t> addrs;
    for (int i = 0; i < 2000; ++i) addrs.push_back(std::uint64_t(i) * 4160);
    std::vector<DramCompletion> all = stream(dram, addrs).done;
    const std::int64_t resume = dram.now() + 100000;
    dram.skip_to(resume);
    std::vector<DramCompletion> second = stream(dram, addrs, true).done;
    all.insert(all.end(), second.begin(), second.end());
    std::int64_t refreshes = 0;
    for (const auto& c : dram.channel_stats()) refreshes += c.refreshes;
    return std::make_pair(all, refreshes);
  };
  const auto [jumped, ref_j] = run(true);
  const auto [ticked, ref_t] = run(false);
  ASSERT_EQ(jumped.size(), ticked.size());
  for (std::size_t i = 0; i < jumped.size(); ++i) {
    EXPECT_EQ(jumped[i].tag, ticked[i].tag);
    EXPECT_EQ(jumped[i].tick, ticked[i].tick) << "request " << i;
  }
  EXPECT_EQ(ref_j, ref_t);
  EXPECT_GE(ref_j, 2 * 100000 / 9364);  // every nREFI (7.8 us at 833 ps) on both channels
}

TEST(RamulatorBackend, AFullQueueRefusesRequests) {
  const auto a = with_dram(dram_yaml({"ddr4", "DDR4_8Gb_x8", "DDR4_2400R", 1}));
  RamulatorBackend dram(a->dram);
  int accepted = 0;
  while (dram.send(false, std::uint64_t(accepted) * 64, accepted) && accepted < 1000) ++accepted;
  EXPECT_EQ(accepted, 32);  // Ramulator's read queue
  std::vector<DramCompletion> done;
  while (done.empty()) dram.tick(done);
  EXPECT_TRUE(dram.send(false, 1 << 20, 99));  // room again once a read has left
}

TEST(RamulatorBackend, ReadLatencyOfAnIdleChannelIsActivateThenRead) {
  const auto a = with_dram(dram_yaml({"ddr4", "DDR4_8Gb_x8", "DDR4_2400R", 1}));
  RamulatorBackend dram(a->dram);
  ASSERT_TRUE(dram.send(false, 0, 1));
  std::vector<DramCompletion> done;
  while (done.empty()) dram.tick(done);
  // ACT, then RD after tRCD, then the data after tCL + tBL (in ticks of tCK = 833 ps)
  const arch::DramTiming& t = a->dram.timing;
  const double expected = (t.rcd_ns + t.read_latency_ns) / dram.tick_ns();
  EXPECT_NEAR(double(done.front().tick), expected, 2.0);
  EXPECT_EQ(dram.read_latency().count(), 1);
}
