#include "arch/schema.h"

#include "arch/dram_standards.h"
#include "arch/schema_fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace npusim::arch {

namespace {

// ---- the architecture's fields: arch/schema_fields.h's builders bound to ArchConfig ----

template <class Acc>
Field integer(std::string path, std::string unit, std::string doc, Acc acc, double scale = 1.0) {
  return fields::integer<ArchConfig>(std::move(path), std::move(unit), std::move(doc), acc, scale);
}
template <class Acc>
Field real(std::string path, std::string unit, std::string doc, Acc acc) {
  return fields::real<ArchConfig>(std::move(path), std::move(unit), std::move(doc), acc);
}
template <class Acc>
Field boolean(std::string path, std::string doc, Acc acc) {
  return fields::boolean<ArchConfig>(std::move(path), std::move(doc), acc);
}
template <class Acc>
Field text(std::string path, std::string doc, Acc acc) {
  return fields::text<ArchConfig>(std::move(path), std::move(doc), acc);
}
template <class Acc>
Field choice(std::string path, std::vector<std::string> choices, std::string doc, Acc acc) {
  return fields::choice<ArchConfig>(std::move(path), std::move(choices), std::move(doc), acc);
}
using fields::above;
using fields::at_least;
using fields::at_most;
using fields::optional;
using fields::tech_default;

std::vector<std::string> dtype_names(bool operands_only) {
  std::vector<std::string> v;
  for (DType t : kAllDTypes) v.emplace_back(name_of(t));
  if (operands_only) v.pop_back();  // int32 is last and accumulator-only
  return v;
}

std::vector<Field> build_fields() {
  std::vector<Field> F;
  auto add = [&F](Field&& f) { F.push_back(std::move(f)); };

  // ---- identity and clock ----
  add(text("name", "Short name of the design, used in reports and result databases.",
           [](auto& c) -> auto& { return c.name; }));
  add(optional(text("description", "Free text: what the design is and where its figures come from.",
                    [](auto& c) -> auto& { return c.description; }),
               "empty"));
  add(at_most(above(real("clock_mhz", "MHz", "Clock of the cores, the interconnect and the DMA engines.",
                         [](auto& c) -> auto& { return c.clock_mhz; }),
                    0),
              100000));

  // ---- datatypes ----
  add(choice("datatypes.default", dtype_names(true),
             "Operand datatype models are compiled to unless --dtype says otherwise; the PE must support it.",
             [](auto& c) -> auto& { return c.datatypes.default_dtype; }));
  add(choice("datatypes.accumulator", dtype_names(false),
             "Datatype of partial sums in the PE array and the accumulator buffer (its width sets their bytes).",
             [](auto& c) -> auto& { return c.datatypes.accumulator; }));
  for (DType t : kOperandDTypes) {
    std::size_t i = index_of(t);
    Field f = integer(fmt::format("datatypes.macs_per_pe_per_cycle.{}", name_of(t)), "MAC/cycle",
                      fmt::format("MACs one PE completes per cycle on {} operands. A PE doing v > 1 MACs per "
                                  "cycle packs v reduction (K) elements per cycle.",
                                  name_of(t)),
                      [i](auto& c) -> auto& { return c.datatypes.macs_per_pe_per_cycle[i]; });
    add(at_most(at_least(optional(std::move(f), "0: the datatype is not supported"), 0), 64));
  }

  // ---- cores ----
  add(at_most(at_least(integer("cores", "", "Number of identical cores; each has the `core` block below.",
                               [](auto& c) -> auto& { return c.cores; }),
                       1),
              4096));

  add(at_most(at_least(integer("core.pe_array.rows", "PEs",
                               "Rows of the PE array: the reduction (K) dimension for ws and is, M for os.",
                               [](auto& c) -> auto& { return c.core.pe_array.rows; }),
                       1),
              65536));
  add(at_most(at_least(integer("core.pe_array.cols", "PEs",
                               "Columns of the PE array: N for ws and os, M for is.",
                               [](auto& c) -> auto& { return c.core.pe_array.cols; }),
                       1),
              65536));
  add(choice("core.pe_array.dataflow", {"ws", "os", "is"},
             "Which operand stays in the array: ws weights, os outputs, is inputs (docs/PE_TIMING.md).",
             [](auto& c) -> auto& { return c.core.pe_array.dataflow; }));
  add(boolean("core.pe_array.stationary_double_buffer",
              "Shadow registers for the stationary operand: the next fold's weights (ws) or inputs (is) load "
              "behind the current fold instead of through an idle array. No effect on os, whose finished sums "
              "leave on per-column output buses (docs/PE_TIMING.md).",
              [](auto& c) -> auto& { return c.core.pe_array.stationary_double_buffer; }));
  add(boolean("core.pe_array.fold_overlap",
              "The next fold's streaming operands enter right behind the current fold's (at least R cycles "
              "later), with no fill/drain bubble between folds. Requires stationary_double_buffer.",
              [](auto& c) -> auto& { return c.core.pe_array.fold_overlap; }));

  add(at_most(at_least(integer("core.vector_unit.lanes", "lanes", "SIMD lanes of the vector unit.",
                               [](auto& c) -> auto& { return c.core.vector_unit.lanes; }),
                       1),
              65536));
  add(at_most(at_least(integer("core.vector_unit.latency_cycles", "cycles",
                               "Pipeline depth of the vector unit, paid once per vector command.",
                               [](auto& c) -> auto& { return c.core.vector_unit.latency_cycles; }),
                       0),
              10000));
  const char* vec_doc[] = {
      "Elementwise operations (add, mul, max, compare, convert, relu) per lane per cycle.",
      "Transcendental operations (exp, tanh, erf, rsqrt, sigmoid) per lane per cycle.",
      "Reduction steps (one element folded into a running sum or max) per lane per cycle."};
  for (std::size_t i = 0; i < kNumVecClasses; ++i) {
    add(at_most(above(real(fmt::format("core.vector_unit.ops_per_lane_per_cycle.{}", name_of(static_cast<VecClass>(i))),
                           "op/lane/cycle", vec_doc[i],
                           [i](auto& c) -> auto& { return c.core.vector_unit.ops_per_lane_per_cycle[i]; }),
                      0),
                64));
  }

  auto has_unified = [](const ArchConfig& c) { return !c.core.scratchpad.partitioned; };
  auto has_parts = [](const ArchConfig& c) { return c.core.scratchpad.partitioned; };
  {
    Field f = integer("core.scratchpad.size_kib", "KiB",
                      "Unified scratchpad per core, shared by all operands. Give this or `partitions`.",
                      [](auto& c) -> auto& { return c.core.scratchpad.total_bytes; }, 1024.0);
    f.present_in = has_unified;
    add(at_most(at_least(optional(std::move(f), "the scratchpad is partitioned (core.scratchpad.partitions)"), 1),
                1 << 24));
  }
  const char* part_name[] = {"inputs", "weights", "outputs"};
  const char* part_doc[] = {"Partition for GEMM operand A (input activations).",
                            "Partition for GEMM operand B (weights, or the second activation of a batched matmul).",
                            "Partition for results staged for store or kept on chip for the next layer."};
  for (int i = 0; i < 3; ++i) {
    Field f = integer(fmt::format("core.scratchpad.partitions.{}_kib", part_name[i]), "KiB", part_doc[i],
                      [i](auto& c) -> auto& {
                        return i == 0 ? c.core.scratchpad.inputs_bytes
                                      : (i == 1 ? c.core.scratchpad.weights_bytes : c.core.scratchpad.outputs_bytes);
                      },
                      1024.0);
    f.present_in = has_parts;
    add(at_most(at_least(optional(std::move(f), "the scratchpad is unified (core.scratchpad.size_kib)"), 1),
                1 << 24));
  }
  add(at_most(at_least(integer("core.scratchpad.banks", "banks",
                               "Independently accessible banks; the PE array and the DMA engine use different banks.",
                               [](auto& c) -> auto& { return c.core.scratchpad.banks; }),
                       1),
              4096));
  add(at_most(at_least(integer("core.scratchpad.bank_bytes_per_cycle", "B/cycle", "Read or write width of one bank.",
                               [](auto& c) -> auto& { return c.core.scratchpad.bank_bytes_per_cycle; }),
                       1),
              1 << 20));
  add(at_most(at_least(integer("core.accumulator_buffer.size_kib", "KiB",
                               "Accumulator buffer per core: partial sums (accumulator datatype) of the output tiles "
                               "in flight. Its port is as wide as the array has columns.",
                               [](auto& c) -> auto& { return c.core.accumulator_buffer.bytes; }, 1024.0),
                       1),
              1 << 24));

  add(at_most(at_least(integer("core.dma.burst_bytes", "B",
                               "The DMA engine cuts every transfer into bursts of this size; each burst crosses the "
                               "interconnect and a DRAM channel as one transaction (the SystemC model's granularity).",
                               [](auto& c) -> auto& { return c.core.dma.burst_bytes; }),
                       16),
              1 << 24));
  add(at_most(at_least(integer("core.dma.max_outstanding", "bursts",
                               "Bursts the DMA engine keeps in flight per direction (loads, stores): with the DRAM "
                               "latency this bounds the bandwidth one core can draw.",
                               [](auto& c) -> auto& { return c.core.dma.max_outstanding; }),
                       1),
              65536));

  // ---- interconnect ----
  add(choice("interconnect.topology", {"bus", "crossbar", "mesh", "ring"},
             "How cores reach the DRAM channels: one shared bus, a crossbar (a link per core), a 2D mesh with "
             "XY routing, or a bidirectional ring (docs/ARCHITECTURE.md).",
             [](auto& c) -> auto& { return c.interconnect.topology; }));
  add(at_most(at_least(integer("interconnect.link_bytes_per_cycle", "B/cycle",
                               "Bandwidth of one link (the whole bus, for `bus`), each direction.",
                               [](auto& c) -> auto& { return c.interconnect.link_bytes_per_cycle; }),
                       1),
              1 << 20));
  add(at_most(at_least(integer("interconnect.hop_latency_cycles", "cycles",
                               "Latency of one router or bus traversal.",
                               [](auto& c) -> auto& { return c.interconnect.hop_latency_cycles; }),
                       0),
              10000));
  {
    Field r = integer("interconnect.mesh.rows", "routers", "Rows of the mesh; rows x cols must equal `cores`.",
                      [](auto& c) -> auto& { return c.interconnect.mesh_rows; });
    r.present_in = [](const ArchConfig& c) { return c.interconnect.topology == Topology::Mesh; };
    add(at_most(at_least(optional(std::move(r), "the topology is not a mesh"), 1), 4096));
    Field k = integer("interconnect.mesh.cols", "routers", "Columns of the mesh.",
                      [](auto& c) -> auto& { return c.interconnect.mesh_cols; });
    k.present_in = [](const ArchConfig& c) { return c.interconnect.topology == Topology::Mesh; };
    add(at_most(at_least(optional(std::move(k), "the topology is not a mesh"), 1), 4096));
  }

  // ---- DRAM ----
  // A standard DRAM is described by standard, device, speed grade and organisation, and its
  // bandwidth, latency, capacity and row buffer follow from them (arch/dram_standards.h); a
  // generic DRAM gives its bandwidth and latency instead (fast model only).
  auto standard_dram = [](const ArchConfig& c) { return c.dram.is_standard(); };
  auto generic_dram = [](const ArchConfig& c) { return !c.dram.is_standard(); };
  auto with_ranks = [](const ArchConfig& c) {
    return c.dram.is_standard() && c.dram.standard != DramStandard::HBM2 && c.dram.standard != DramStandard::HBM3 &&
           c.dram.standard != DramStandard::GDDR6;
  };
  add(optional(choice("dram.standard", {"generic", "ddr3", "ddr4", "ddr5", "lpddr5", "hbm2", "hbm3", "gddr6"},
                      "The JEDEC standard. `generic`: a DRAM given only by bandwidth_gb_per_s, latency_ns and "
                      "capacity_gib (and optionally row_buffer), which the detailed backend (docs/DRAM.md) cannot run.",
                      [](auto& c) -> auto& { return c.dram.standard; }),
               "generic"));
  {
    Field d = text("dram.device",
                   "Standard only: the device organisation, as Ramulator 2 names it (die density and width, "
                   "e.g. DDR4_8Gb_x8, HBM2_8Gb, LPDDR5_16Gb_x16; docs/DRAM.md lists them).",
                   [](auto& c) -> auto& { return c.dram.device; });
    d.present_in = standard_dram;
    add(optional(std::move(d), "a generic DRAM"));
    Field g = text("dram.speed_grade",
                   "Standard only: the JEDEC speed bin, as Ramulator 2 names it (e.g. DDR4_2400R, "
                   "LPDDR5_6400, HBM2_2400Mbps, HBM3_6400Mbps): the data rate and every timing.",
                   [](auto& c) -> auto& { return c.dram.speed_grade; });
    g.present_in = standard_dram;
    add(optional(std::move(g), "a generic DRAM"));
  }
  add(at_most(at_least(integer("dram.channels", "channels",
                               "Independent channels (for HBM: 128-bit channels, each of two pseudo channels); "
                               "addresses interleave across them.",
                               [](auto& c) -> auto& { return c.dram.channels; }),
                       1),
              4096));
  {
    Field r = integer("dram.ranks", "ranks", "Standard with ranks (DDR3/4/5, LPDDR5): ranks per channel.",
                      [](auto& c) -> auto& { return c.dram.ranks; });
    r.present_in = with_ranks;
    add(at_most(at_least(optional(std::move(r), "1 (or the standard has no ranks)"), 1), 8));
    Field bg = integer("dram.bank_groups", "bank groups",
                       "Standard only: bank groups per rank (a power of two). A what-if: the device's timings "
                       "are kept.",
                       [](auto& c) -> auto& { return c.dram.bank_groups; });
    bg.present_in = [](const ArchConfig& c) { return c.dram.is_standard() && c.dram.standard != DramStandard::DDR3; };
    add(at_most(at_least(optional(std::move(bg), "the device's"), 1), 64));
    Field b = integer("dram.banks_per_group", "banks",
                      "Standard only: banks per bank group (a power of two). A what-if: the device's timings are "
                      "kept.",
                      [](auto& c) -> auto& { return c.dram.banks_per_group; });
    b.present_in = standard_dram;
    add(at_most(at_least(optional(std::move(b), "the device's"), 1), 64));
  }
  {
    Field m = choice("dram.address_mapping", {"RoBaRaCoCh", "ChRaBaRoCo", "MOP4CLXOR"},
                     "Standard only: how a channel's address bits select rank, bank group, bank, row and column "
                     "(Ramulator 2's mappers, most significant first; the column is lowest in RoBaRaCoCh, so a "
                     "sequential stream fills a row before moving to the next bank; MOP4CLXOR puts 4 requests "
                     "per bank and XORs the bank bits).",
                     [](auto& c) -> auto& { return c.dram.mapping; });
    m.present_in = standard_dram;
    add(optional(std::move(m), "a generic DRAM"));
    Field p = choice("dram.page_policy", {"open", "closed_cap"},
                     "Standard only: `open` keeps a row open until another row of its bank is needed; "
                     "`closed_cap` closes it (auto-precharge) after dram.page_cap accesses.",
                     [](auto& c) -> auto& { return c.dram.page_policy; });
    p.present_in = standard_dram;
    add(optional(std::move(p), "a generic DRAM"));
    Field cap = integer("dram.page_cap", "accesses", "closed_cap only: accesses to a row before it is closed.",
                        [](auto& c) -> auto& { return c.dram.page_cap; });
    cap.present_in = [](const ArchConfig& c) {
      return c.dram.is_standard() && c.dram.page_policy == PagePolicy::ClosedCap;
    };
    add(at_most(at_least(optional(std::move(cap), "the page policy is open"), 1), 1 << 20));
    Field sch = choice("dram.scheduler", {"frfcfs", "frfcfs_rowhit"},
                       "Standard only: the controller's scheduler, FR-FCFS: `frfcfs` serves the oldest request "
                       "whose next command's timing is met; `frfcfs_rowhit` prefers row hits among them.",
                       [](auto& c) -> auto& { return c.dram.scheduler; });
    sch.present_in = standard_dram;
    add(optional(std::move(sch), "a generic DRAM"));
    Field ref = choice("dram.refresh", {"all_bank", "per_bank"},
                       "Standard only: `all_bank` refreshes every bank of a rank (pseudo channel) at once every "
                       "tREFI; `per_bank` one bank at a time every tREFI / banks, while the others serve "
                       "(LPDDR5, HBM2, HBM3).",
                       [](auto& c) -> auto& { return c.dram.refresh; });
    ref.present_in = standard_dram;
    add(optional(std::move(ref), "a generic DRAM"));
  }
  add(at_most(at_least(integer("dram.interleave_bytes", "B",
                               "Address interleaving: consecutive blocks of this size map to consecutive channels "
                               "(with a standard: a power of two, at least one request).",
                               [](auto& c) -> auto& { return c.dram.interleave_bytes; }),
                       16),
              1 << 30));
  {
    Field bw = real("dram.bandwidth_gb_per_s", "GB/s",
                    "Generic only: peak bandwidth of all channels together (1 GB = 1e9 B). A standard DRAM's "
                    "follows from its speed grade, width and channels.",
                    [](auto& c) -> auto& { return c.dram.bandwidth_gb_per_s; });
    bw.present_in = generic_dram;
    add(at_most(above(optional(std::move(bw), "a standard DRAM (derived)"), 0), 1e6));
    Field lat = real("dram.latency_ns", "ns",
                     "Generic only: idle latency from request to first data. A standard DRAM's is tRCD + tCL.",
                     [](auto& c) -> auto& { return c.dram.latency_ns; });
    lat.present_in = generic_dram;
    add(at_most(at_least(optional(std::move(lat), "a standard DRAM (derived)"), 0), 1e6));
    Field cap = real("dram.capacity_gib", "GiB",
                     "Generic only: capacity; a model whose tensors do not fit is an error. A standard DRAM's "
                     "follows from its organisation.",
                     [](auto& c) -> auto& { return c.dram.capacity_gib; });
    cap.present_in = generic_dram;
    add(at_most(above(optional(std::move(cap), "a standard DRAM (derived)"), 0), 1e6));
  }
  auto has_rows = [](const ArchConfig& c) { return !c.dram.is_standard() && c.dram.row_buffer.enabled; };
  {
    const char* absent = "generic only; absent: row-buffer effects are not modelled (give all three keys or none)";
    Field f = integer("dram.row_buffer.page_bytes", "B",
                      "Generic only: row (page) size of a bank: accesses within an open row hit.",
                      [](auto& c) -> auto& { return c.dram.row_buffer.page_bytes; });
    f.present_in = has_rows;
    add(at_most(at_least(optional(std::move(f), absent), 16), 1 << 24));
    Field b = integer("dram.row_buffer.banks", "banks", "Generic only: banks per channel, each with one open row.",
                      [](auto& c) -> auto& { return c.dram.row_buffer.banks; });
    b.present_in = has_rows;
    add(at_most(at_least(optional(std::move(b), absent), 1), 4096));
    Field m = real("dram.row_buffer.miss_ns", "ns",
                   "Generic only: extra channel time of an access to a row that is not open (precharge + "
                   "activate, tRP + tRCD).",
                   [](auto& c) -> auto& { return c.dram.row_buffer.miss_ns; });
    m.present_in = has_rows;
    add(at_most(at_least(optional(std::move(m), absent), 0), 1e6));
  }

  // ---- GPU: the shared L2, thread-block residency and kernel launches ----
  {
    const char* absent = "not a GPU (give every gpu key or none)";
    auto gpu_on = [](const ArchConfig& c) { return c.gpu.enabled; };
    auto opt = [&](Field&& f) -> Field&& {
      f.present_in = gpu_on;
      return optional(std::move(f), absent);
    };
    add(at_most(at_least(opt(integer("gpu.l2_kib", "KiB",
                                     "GPU only: the L2 cache all cores (SMs) share. Operand panels that CTAs of a "
                                     "wave, or of earlier waves, have brought in hit there instead of DRAM.",
                                     [](auto& c) -> auto& { return c.gpu.l2_bytes; }, 1024.0)),
                         1),
                1 << 24));
    add(at_most(above(opt(real("gpu.l2_bytes_per_cycle", "B/cycle",
                               "GPU only: L2 bandwidth to all SMs together, per core clock cycle.",
                               [](auto& c) -> auto& { return c.gpu.l2_bytes_per_cycle; })),
                      0),
                1e7));
    add(at_most(at_least(opt(real("gpu.launch_overhead_us", "us",
                                  "GPU only: time from one kernel launch to the next when launched back to back "
                                  "(paid once per kernel).",
                                  [](auto& c) -> auto& { return c.gpu.launch_overhead_us; })),
                         0),
                1e6));
    add(at_most(at_least(opt(integer("gpu.max_ctas_per_sm", "CTAs", "GPU only: thread blocks resident per SM at most.",
                                     [](auto& c) -> auto& { return c.gpu.max_ctas_per_sm; })),
                         1),
                1024));
    add(at_most(at_least(opt(integer("gpu.max_threads_per_sm", "threads", "GPU only: threads resident per SM at most.",
                                     [](auto& c) -> auto& { return c.gpu.max_threads_per_sm; })),
                         32),
                1 << 16));
    add(at_most(at_least(opt(integer("gpu.regs_per_sm", "registers", "GPU only: 32-bit registers per SM.",
                                     [](auto& c) -> auto& { return c.gpu.regs_per_sm; })),
                         1024),
                1 << 24));
    add(at_most(at_least(opt(integer("gpu.smem_per_cta_kib", "KiB",
                                     "GPU only: the most shared memory one thread block may use (opt-in maximum); "
                                     "core.scratchpad.size_kib is the SM's.",
                                     [](auto& c) -> auto& { return c.gpu.smem_per_cta_bytes; }, 1024.0)),
                         1),
                1 << 20));
    add(at_most(above(opt(real("gpu.mma_sync_fraction", "",
                               "GPU only: the share of the tensor cores' peak (the PE array's MACs per cycle) "
                               "that the warp-level mma.sync instruction sustains: the project's kernels, and "
                               "library kernels on ampere. Set by the mma_sync_peak microbenchmark (npusim "
                               "validate --calibrate) or fitted on public measurements (npusim validate --fit).",
                               [](auto& c) -> auto& { return c.gpu.mma_sync_fraction; })),
                      0),
                1));
    {
      Field f = choice("gpu.generation", {"ampere", "hopper"},
                       "GPU only: the architecture generation, which sets the instructions and schedules of the "
                       "library GEMM kernels the model predicts: ampere = warp-level mma.sync fed by cp.async, "
                       "hopper = warpgroup MMA (wgmma) fed by TMA, thread-block clusters, persistent and "
                       "stream-K tile schedulers (docs/VALIDATION.md).",
                       [](auto& c) -> auto& { return c.gpu.generation; });
      add(opt(std::move(f)));
    }
    add(at_most(at_least(opt(real("gpu.wgmma_fraction", "",
                                  "GPU only: the share of the tensor cores' dense peak that a library kernel's "
                                  "warpgroup MMA (wgmma) main loop sustains; 0 on a GPU without wgmma "
                                  "(generation ampere), above 0 on hopper. Fitted on public measurements "
                                  "(npusim validate --fit; docs/VALIDATION.md).",
                                  [](auto& c) -> auto& { return c.gpu.wgmma_fraction; })),
                         0),
                1));
    add(at_most(above(opt(real("gpu.simt_fraction", "",
                               "GPU only: the share of the FP32 FMA peak (core.vector_unit.lanes FMAs per SM per "
                               "clock) that a library SIMT GEMM (FP32 without tensor cores) sustains. Fitted on "
                               "public measurements (npusim validate --fit).",
                               [](auto& c) -> auto& { return c.gpu.simt_fraction; })),
                      0),
                1));
    add(at_most(above(opt(real("gpu.dram_fraction", "",
                               "GPU only: the share of dram.bandwidth_gb_per_s that streaming kernels sustain "
                               "(elementwise, normalisation, the DRAM bound of GEMMs). Fitted on public "
                               "measurements (npusim validate --fit).",
                               [](auto& c) -> auto& { return c.gpu.dram_fraction; })),
                      0),
                1));
    add(at_most(at_least(opt(real("gpu.kernel_fixed_us", "us",
                                  "GPU only: device time every kernel takes besides its work (the grid's start on "
                                  "the SMs, the set-up before the first load is issued, the drain after the last "
                                  "store), as a kernel's measured device time shows it. Fitted on public "
                                  "measurements (npusim validate --fit).",
                                  [](auto& c) -> auto& { return c.gpu.kernel_fixed_us; })),
                         0),
                1e6));
  }

  // ---- energy (pJ) ----
  add(optional(text("energy.technology",
                    "Technology node whose documented defaults (docs/ENERGY_AREA.md) fill every energy key not "
                    "given here. Without it every energy key is required.",
                    [](auto& c) -> auto& { return c.energy.technology; }),
               "no defaults: every energy key must be given"));
  for (DType t : kOperandDTypes) {
    std::size_t i = index_of(t);
    Field f = real(fmt::format("energy.mac_pj.{}", name_of(t)), "pJ",
                   fmt::format("Energy of one {} MAC including accumulation into the accumulator datatype.", name_of(t)),
                   [i](auto& c) -> auto& { return c.energy.mac_pj[i]; });
    f.for_dtype = t;
    add(at_most(at_least(tech_default(std::move(f), "energy"), 0), 1e6));
  }
  struct E { const char* key; const char* unit; const char* doc; double EnergyConfig::*m; };
  const E energy_keys[] = {
      {"sram_read_pj_per_byte", "pJ/B", "Scratchpad read energy per byte.", &EnergyConfig::sram_read_pj_per_byte},
      {"sram_write_pj_per_byte", "pJ/B", "Scratchpad write energy per byte.", &EnergyConfig::sram_write_pj_per_byte},
      {"accumulator_pj_per_byte", "pJ/B", "Accumulator buffer read or write energy per byte.",
       &EnergyConfig::accumulator_pj_per_byte},
      {"dram_pj_per_byte", "pJ/B", "DRAM energy per byte transferred, I/O included.", &EnergyConfig::dram_pj_per_byte},
      {"noc_pj_per_byte_hop", "pJ/(B*hop)", "Interconnect energy per byte per router or bus traversal.",
       &EnergyConfig::noc_pj_per_byte_hop},
      {"vector_op_pj", "pJ", "Energy of one vector-unit lane operation.", &EnergyConfig::vector_op_pj},
      {"leakage_mw_per_mm2", "mW/mm2", "Static power per mm2 of area (1 mW = 1 pJ/ns).",
       &EnergyConfig::leakage_mw_per_mm2},
  };
  for (const E& e : energy_keys) {
    auto m = e.m;
    add(at_most(at_least(tech_default(real(fmt::format("energy.{}", e.key), e.unit, e.doc,
                                           [m](auto& c) -> auto& { return c.energy.*m; }),
                                      "energy"),
                         0),
                1e9));
  }

  // ---- area (mm2) ----
  add(optional(text("area.technology",
                    "Technology node whose documented defaults (docs/ENERGY_AREA.md) fill every area key not given "
                    "here. Without it every area key is required.",
                    [](auto& c) -> auto& { return c.area.technology; }),
               "no defaults: every area key must be given"));
  for (DType t : kOperandDTypes) {
    std::size_t i = index_of(t);
    Field f = real(fmt::format("area.pe_mm2_per_mac.{}", name_of(t)), "mm2",
                   fmt::format("PE datapath area per {} MAC/cycle. A PE's area is the largest, over the datatypes "
                               "it supports, of this times its MACs/cycle.",
                               name_of(t)),
                   [i](auto& c) -> auto& { return c.area.pe_mm2_per_mac[i]; });
    f.for_dtype = t;
    add(at_most(at_least(tech_default(std::move(f), "area"), 0), 1e3));
  }
  add(at_most(at_least(tech_default(real("area.sram_mm2_per_kib", "mm2/KiB",
                                         "SRAM macro area per KiB (scratchpad and accumulator buffer).",
                                         [](auto& c) -> auto& { return c.area.sram_mm2_per_kib; }),
                                    "area"),
                       0),
              1e3));
  add(at_most(at_least(tech_default(real("area.vector_lane_mm2", "mm2", "Area of one vector-unit lane.",
                                         [](auto& c) -> auto& { return c.area.vector_lane_mm2; }),
                                    "area"),
                       0),
              1e3));
  add(at_most(at_least(real("area.fixed_mm2", "mm2",
                            "Everything else: control, DMA engines, interconnect, PHYs and I/O. Design specific, so "
                            "no technology default.",
                            [](auto& c) -> auto& { return c.area.fixed_mm2; }),
                       0),
              1e6));
  return F;
}

std::string fmt_num(double x) { return fmt::format("{}", x); }

}  // namespace

std::string FieldSpec::type_name() const {
  switch (type) {
    case FieldType::Integer: return "integer";
    case FieldType::Real: return "number";
    case FieldType::Boolean: return "boolean";
    case FieldType::Choice: return "choice";
    case FieldType::Text: return "text";
  }
  return "?";
}

std::string FieldSpec::range_text() const {
  if (type == FieldType::Choice) {
    std::string s = "one of ";
    for (std::size_t i = 0; i < choices.size(); ++i) s += (i ? "|" : "") + choices[i];
    return s;
  }
  if (min && max) return fmt::format("{} {}, <= {}", min_exclusive ? ">" : ">=", fmt_num(*min), fmt_num(*max));
  if (min) return fmt::format("{} {}", min_exclusive ? ">" : ">=", fmt_num(*min));
  if (max) return fmt::format("<= {}", fmt_num(*max));
  return "";
}

bool is_map_prefix(const std::vector<const FieldSpec*>& fields, std::string_view prefix) {
  if (prefix.empty()) return true;
  for (const FieldSpec* f : fields)
    if (f->path.size() > prefix.size() && f->path.compare(0, prefix.size(), prefix) == 0 && f->path[prefix.size()] == '.')
      return true;
  return false;
}

std::vector<std::string> child_names(const std::vector<const FieldSpec*>& fields, std::string_view prefix) {
  std::vector<std::string> out;
  std::size_t skip = prefix.empty() ? 0 : prefix.size() + 1;
  for (const FieldSpec* f : fields) {
    if (!prefix.empty() && !(f->path.size() > prefix.size() && f->path.compare(0, prefix.size(), prefix) == 0 &&
                             f->path[prefix.size()] == '.'))
      continue;
    std::string rest = f->path.substr(skip);
    std::string head = rest.substr(0, rest.find('.'));
    if (std::find(out.begin(), out.end(), head) == out.end()) out.push_back(head);
  }
  return out;
}

const Schema& arch_schema() {
  static const Schema schema(build_fields());  // immutable after first use
  return schema;
}

std::string schema_markdown() {
  std::string s =
      "# Architecture configuration reference\n\n"
      "Generated from `arch/schema.cpp` by `npusim schema --markdown`; a test keeps this file equal to that "
      "output. Every key is listed with its type, unit and legal range. *Required* keys must be given; "
      "*optional* keys say what their absence means; *technology default* keys may be left out when "
      "`energy.technology` / `area.technology` names a node (docs/ENERGY_AREA.md). Unknown keys, missing "
      "required keys, wrong types and out-of-range values are errors reported as `file:line:column: key.path: "
      "problem`.\n\n"
      "| key | type | unit | range | presence | meaning |\n|---|---|---|---|---|---|\n";
  std::vector<const FieldSpec*> specs;
  for (const auto& f : arch_schema().fields()) specs.push_back(&f);
  s += fields_markdown(specs);
  s += "\n## DRAM devices and speed grades\n\n"
       "The values of `dram.device` and `dram.speed_grade` for each `dram.standard`, with what follows from them "
       "(arch/dram_parts.inc, generated from Ramulator 2's JEDEC presets by scripts/ramulator_specs.py; "
       "docs/DRAM.md). A channel's peak is its data buses x width x data rate; banks are per data bus "
       "(rank or pseudo channel) of the device's organisation; a page is one row of one bank.\n\n"
       "| standard | device | speed grades | data buses x width | banks | page | request |\n|---|---|---|---|---|---|---|\n";
  for (DramStandard st : {DramStandard::DDR3, DramStandard::DDR4, DramStandard::DDR5, DramStandard::LPDDR5,
                          DramStandard::HBM2, DramStandard::HBM3, DramStandard::GDDR6}) {
    for (const std::string& dev : dram_devices(st)) {
      std::string grades;
      for (const std::string& g : dram_grades(st, dev)) {
        DramConfig d;
        d.standard = st, d.device = dev, d.speed_grade = g;
        const DramTiming t = derive_dram_timing(d);
        grades += fmt::format("{}{} ({:g} GB/s)", grades.empty() ? "" : ", ", g, t.buses * t.bus_gb_per_s);
      }
      DramConfig d;
      d.standard = st, d.device = dev, d.speed_grade = dram_grades(st, dev).front();
      const DramTiming t = derive_dram_timing(d);
      s += fmt::format("| {} | `{}` | {} | {} x {} bit | {} | {} B | {} B |\n", name_of(st), dev, grades, t.buses,
                       t.bus_gb_per_s * 8000.0 / t.rate_mtps, t.banks_per_bus, t.page_bytes, t.tx_bytes);
    }
  }
  return s;
}

std::string fields_markdown(const std::vector<const FieldSpec*>& fields) {
  std::string s;
  for (const FieldSpec* f : fields) {
    std::string presence;
    switch (f->presence) {
      case Presence::Required: presence = "required"; break;
      case Presence::Optional: presence = "optional: absent means " + f->absent_meaning; break;
      case Presence::TechDefault:
        presence = f->for_dtype ? "technology default (needed only if the datatype is supported)"
                                : "technology default";
        break;
    }
    s += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", f->path, f->type_name(), f->unit, f->range_text(), presence,
                     f->doc);
  }
  return s;
}

}  // namespace npusim::arch
