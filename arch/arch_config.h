// The validated architecture description: one immutable value, built only by arch::load()
// (raw YAML -> overrides -> validate()), shared as std::shared_ptr<const ArchConfig>.
// Every key, its unit, range and meaning is declared once, in arch/schema.cpp; docs/CONFIG.md
// is generated from that declaration (`npusim schema --markdown`).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/dtype.h"

namespace npusim::arch {

// Which GEMM operand stays in the PE array while the other streams through it.
enum class Dataflow : std::uint8_t {
  WeightStationary,  // ws: B (K x N) held in the array; A rows stream; psums flow down columns
  OutputStationary,  // os: C (M x N) accumulates in the array; A and B stream
  InputStationary,   // is: A (K x M, transposed) held in the array; B columns stream
};
std::string_view name_of(Dataflow d);  // "ws", "os", "is"

enum class Topology : std::uint8_t { Bus, Crossbar, Mesh, Ring };
std::string_view name_of(Topology t);

// The GPU architecture generation: which instructions and schedules its library kernels use
// (compiler/gpu_model.h). Ampere: warp-level mma.sync fed by cp.async; Hopper: warpgroup MMA
// (wgmma) fed by TMA, thread-block clusters, persistent and stream-K tile schedulers.
enum class GpuGeneration : std::uint8_t { Ampere, Hopper };
std::string_view name_of(GpuGeneration g);

// Classes of vector-unit operations, each with its own throughput.
enum class VecClass : std::uint8_t {
  Elementwise,     // add, mul, max, compare, convert, relu: one op per element
  Transcendental,  // exp, tanh, erf, rsqrt, sigmoid
  Reduction,       // one step of a sum/max reduction
};
inline constexpr std::size_t kNumVecClasses = 3;
std::string_view name_of(VecClass c);

struct DatatypeConfig {
  DType default_dtype = DType::Int8;  // operand datatype models are compiled to unless told otherwise
  DType accumulator = DType::Int32;   // partial-sum datatype in the array and accumulator buffer
  // MACs one PE completes per cycle for each operand datatype; 0 = not supported.
  std::array<std::int32_t, kNumDTypes> macs_per_pe_per_cycle{};

  bool supports(DType t) const { return macs_per_pe_per_cycle[index_of(t)] > 0; }
  std::int32_t macs(DType t) const { return macs_per_pe_per_cycle[index_of(t)]; }
};

struct PeArrayConfig {
  std::int32_t rows = 0;
  std::int32_t cols = 0;
  Dataflow dataflow = Dataflow::WeightStationary;
  // The stationary operand of the next fold (weights for ws, inputs for is, the output
  // accumulators for os) has shadow registers, so it loads/drains while the current fold runs.
  bool stationary_double_buffer = true;
  // The next fold's streaming operands enter right behind the current fold's (no fill/drain
  // bubble between folds). Requires stationary_double_buffer.
  bool fold_overlap = true;
};

struct VectorUnitConfig {
  std::int32_t lanes = 0;
  std::int32_t latency_cycles = 0;  // pipeline depth paid once per vector command
  std::array<double, kNumVecClasses> ops_per_lane_per_cycle{};
  double ops_per_cycle(VecClass c) const { return lanes * ops_per_lane_per_cycle[static_cast<int>(c)]; }
};

struct ScratchpadConfig {
  bool partitioned = false;       // per-operand partitions instead of one unified pool
  std::int64_t total_bytes = 0;   // unified size, or the sum of the partitions
  std::int64_t inputs_bytes = 0;  // partitioned only: GEMM operand A (activations)
  std::int64_t weights_bytes = 0; // partitioned only: GEMM operand B (weights, or 2nd activation)
  std::int64_t outputs_bytes = 0; // partitioned only: results staged for store / reuse
  std::int32_t banks = 0;
  std::int32_t bank_bytes_per_cycle = 0;
  std::int64_t bytes_per_cycle() const { return std::int64_t{banks} * bank_bytes_per_cycle; }
};

struct AccumulatorBufferConfig {
  std::int64_t bytes = 0;
};

struct DmaConfig {
  std::int32_t burst_bytes = 0;      // transfers are cut into bursts of this size
  std::int32_t max_outstanding = 0;  // bursts in flight per direction
};

struct CoreConfig {
  PeArrayConfig pe_array;
  VectorUnitConfig vector_unit;
  ScratchpadConfig scratchpad;
  AccumulatorBufferConfig accumulator_buffer;
  DmaConfig dma;
};

struct InterconnectConfig {
  Topology topology = Topology::Bus;
  std::int32_t link_bytes_per_cycle = 0;
  std::int32_t hop_latency_cycles = 0;
  std::int32_t mesh_rows = 0;  // mesh only; mesh_rows * mesh_cols == cores
  std::int32_t mesh_cols = 0;
};

struct RowBufferConfig {
  bool enabled = false;     // absent: row-buffer effects are not modelled
  std::int32_t page_bytes = 0;
  std::int32_t banks = 0;   // per channel, each with one open row
  double miss_ns = 0;       // extra time to close a row and open another (tRP + tRCD)
};

// A JEDEC standard, or a generic DRAM given by its bandwidth and latency only.
enum class DramStandard : std::uint8_t { Generic, DDR3, DDR4, DDR5, LPDDR5, HBM2, HBM3, GDDR6 };

// How a channel's address bits map to rank, bank group, bank, row and column (Ramulator 2's
// mappers, most significant first): RoBaRaCoCh puts the column lowest, so a sequential stream
// fills a row before it moves to the next bank; ChRaBaRoCo puts the row below the banks;
// MOP4CLXOR interleaves 4 columns per bank and XORs the bank bits with the row's (minimalist
// open page, Kaseridis et al., MICRO 2011).
enum class DramMapping : std::uint8_t { RoBaRaCoCh, ChRaBaRoCo, MOP4CLXOR };
enum class PagePolicy : std::uint8_t {
  Open,       // a row stays open until another row of its bank is needed
  ClosedCap,  // a row is closed after dram.page_cap accesses (auto-precharge)
};
enum class DramScheduler : std::uint8_t {
  FrFcfs,        // first ready (timing met), then oldest
  FrFcfsRowHit,  // row hits first, then first ready, then oldest
};

enum class DramRefresh : std::uint8_t {
  AllBank,  // every bank of a rank (pseudo channel) at once, every tREFI
  PerBank,  // one bank at a time, every tREFI / banks (standards with REFpb: LPDDR5, HBM2, HBM3)
};

// A standard DRAM's figures, derived from its speed grade and organisation
// (arch/dram_standards.h); all zero for a generic DRAM.
struct DramTiming {
  double tck_ns = 0;             // command clock period
  double rate_mtps = 0;          // data rate per pin
  std::int32_t tx_bytes = 0;     // one read or write request: channel_width x prefetch / 8
  std::int32_t buses = 0;        // independent data buses per channel (pseudo channels for HBM)
  std::int32_t banks_per_bus = 0;  // ranks (stack IDs) x bank groups x banks behind one data bus
  std::int32_t bank_groups = 0;    // per rank
  std::int64_t page_bytes = 0;     // one row of one bank, as seen on its data bus
  std::int64_t rows = 0;           // per bank
  double bus_gb_per_s = 0;         // peak of one data bus
  double burst_ns = 0;             // data-bus time of one request (nBL)
  double cl_ns = 0, rcd_ns = 0, rp_ns = 0, ras_ns = 0, rc_ns = 0;
  double ccd_s_ns = 0, ccd_l_ns = 0, rrd_s_ns = 0, rrd_l_ns = 0, faw_ns = 0;
  double wr_ns = 0, cwl_ns = 0, wtr_s_ns = 0, wtr_l_ns = 0, rtp_ns = 0;
  double rfc_ns = 0, refi_ns = 0;  // all-bank refresh: its duration and interval
  double rfc_pb_ns = 0, refi_pb_ns = 0;  // per-bank refresh (0: the standard has none)
  double read_latency_ns = 0;      // read command to its last data (nCL + nBL)
};

struct DramConfig {
  DramStandard standard = DramStandard::Generic;
  std::string device;       // e.g. DDR4_8Gb_x8 (a standard only)
  std::string speed_grade;  // e.g. DDR4_2400R
  std::int32_t channels = 0;
  std::int32_t ranks = 0;            // standards with ranks; the device's unless given
  std::int32_t bank_groups = 0;      // per rank; the device's unless given
  std::int32_t banks_per_group = 0;  // the device's unless given
  DramMapping mapping = DramMapping::RoBaRaCoCh;
  PagePolicy page_policy = PagePolicy::Open;
  std::int32_t page_cap = 0;  // ClosedCap only
  DramScheduler scheduler = DramScheduler::FrFcfs;
  DramRefresh refresh = DramRefresh::AllBank;
  std::int32_t interleave_bytes = 0;  // consecutive blocks of this size go to consecutive channels
  // Given for a generic DRAM; derived from the standard otherwise.
  double bandwidth_gb_per_s = 0;  // all channels together, 1 GB = 1e9 bytes
  double latency_ns = 0;          // idle read latency, request to first byte
  double capacity_gib = 0;
  RowBufferConfig row_buffer;
  DramTiming timing;  // a standard only

  bool is_standard() const { return standard != DramStandard::Generic; }
};

// What a GPU has and an NPU core lacks (optional: present for GPU descriptions, which model the
// SMs as `cores`, their tensor cores as the PE array and their shared memory as the scratchpad;
// docs/VALIDATION.md). Used by the GPU kernel model (compiler/gpu_model.h).
struct GpuConfig {
  bool enabled = false;
  std::int64_t l2_bytes = 0;          // the L2 cache all SMs share
  double l2_bytes_per_cycle = 0;      // L2 to the SMs, all together, per SM clock
  double launch_overhead_us = 0;      // from one kernel launch to the next, back to back
  std::int32_t max_ctas_per_sm = 0;   // resident thread blocks per SM
  std::int32_t max_threads_per_sm = 0;
  std::int32_t regs_per_sm = 0;       // 32-bit registers per SM
  std::int64_t smem_per_cta_bytes = 0;  // largest shared memory one CTA may opt in to
  double mma_sync_fraction = 0;       // of the tensor peak, sustained by the warp-level mma.sync path
  GpuGeneration generation = GpuGeneration::Hopper;
  double wgmma_fraction = 0;          // of the tensor peak, sustained by warpgroup MMA (0: none, Ampere)
  double simt_fraction = 0;           // of the FP32 FMA peak (vector lanes), sustained by SIMT GEMMs
  double dram_fraction = 0;           // of dram.bandwidth_gb_per_s, sustained by streaming kernels
  double kernel_fixed_us = 0;         // device time every kernel takes besides its work
};

struct EnergyConfig {
  std::string technology;                // node whose defaults filled absent keys, or "" if none
  std::array<double, kNumDTypes> mac_pj{};  // per MAC, by operand datatype
  double sram_read_pj_per_byte = 0;      // scratchpad
  double sram_write_pj_per_byte = 0;
  double accumulator_pj_per_byte = 0;    // accumulator buffer, read or write
  double dram_pj_per_byte = 0;
  double noc_pj_per_byte_hop = 0;
  double vector_op_pj = 0;               // per lane operation
  double leakage_mw_per_mm2 = 0;         // static power density (1 mW = 1 pJ/ns)
};

struct AreaConfig {
  std::string technology;
  std::array<double, kNumDTypes> pe_mm2_per_mac{};  // datapath area per MAC/cycle, by datatype
  double sram_mm2_per_kib = 0;
  double vector_lane_mm2 = 0;
  double fixed_mm2 = 0;  // control, DMA engines, PHYs and I/O
};

struct AreaBreakdown {
  double pe_arrays_mm2 = 0;
  double sram_mm2 = 0;
  double vector_units_mm2 = 0;
  double fixed_mm2 = 0;
  double total_mm2() const { return pe_arrays_mm2 + sram_mm2 + vector_units_mm2 + fixed_mm2; }
};

struct ArchConfig {
  std::string name;
  std::string description;
  std::string origin;  // file or preset it was loaded from, overrides included
  double clock_mhz = 0;
  DatatypeConfig datatypes;
  std::int32_t cores = 0;
  CoreConfig core;
  InterconnectConfig interconnect;
  DramConfig dram;
  GpuConfig gpu;
  EnergyConfig energy;
  AreaConfig area;

  // Derived figures (pure functions of the fields above).
  double cycle_ns() const { return 1e3 / clock_mhz; }
  double dram_bytes_per_cycle() const { return dram.bandwidth_gb_per_s * cycle_ns(); }
  std::int64_t dram_latency_cycles() const;
  std::int64_t peak_macs_per_cycle(DType t) const;  // all cores
  AreaBreakdown area_breakdown() const;
  double area_mm2() const { return area_breakdown().total_mm2(); }
};

using ArchConfigPtr = std::shared_ptr<const ArchConfig>;

// Bytes the scratchpad and the accumulator buffer must at least hold for the smallest tile the
// mapper can issue (one fold of the array, double-buffered), for the given operand datatype.
struct MinTileBytes {
  std::int64_t a = 0, b = 0, out = 0;  // scratchpad operands, per buffer copy
  std::int64_t acc = 0;                // accumulator buffer, per buffer copy
};
MinTileBytes min_tile_bytes(const PeArrayConfig& pe, std::int32_t macs_per_cycle, DType operand, DType accumulator);

}  // namespace npusim::arch
