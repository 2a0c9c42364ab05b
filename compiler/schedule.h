// The Schedule: for each layer and core, an ordered list of commands with their dependencies,
// generated from the layer's mapping by walking its loop nest. The SystemC model executes it;
// its totals (MACs, DRAM bytes) equal the analytic cost's by construction, and tests check it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "compiler/compile.h"

namespace npusim::compiler {

enum class CmdKind : std::uint8_t {
  Load,     // DMA DRAM -> scratchpad / accumulator buffer
  Store,    // DMA scratchpad / accumulator buffer -> DRAM
  Compute,  // one GEMM tile on the PE array
  Vector,   // vector-unit work on a finished tile
  Barrier,  // wait until the layers this one depends on have finished on every core
};
std::string_view name_of(CmdKind k);

// What a command moves or works on.
enum class Data : std::uint8_t { A, B, Psum, Side, Out, None };
std::string_view name_of(Data d);

// On-chip buffers; each is a ring of slots sized by the mapping's BufferPlan.
enum class Buf : std::uint8_t { SpadA, SpadB, SpadOut, Acc, Reserved, None };
std::string_view name_of(Buf b);

// The output pixels of a convolution's compute tile: images x rows x cols from (img0, row0, col0).
struct ConvRect {
  std::int64_t img0 = 0, row0 = 0, col0 = 0, images = 0, rows = 0, cols = 0;
};

struct Command {
  CmdKind kind = CmdKind::Barrier;
  Data data = Data::None;
  Buf buf = Buf::None;
  std::uint32_t slot = 0;
  std::int64_t bytes = 0;       // Load / Store
  std::uint64_t dram_addr = 0;  // Load / Store
  // Compute: the tile (offsets in the layer's GEMM view) and its extents. Vector: elems, rows.
  std::int64_t g0 = 0, m0 = 0, n0 = 0, k0 = 0;
  std::int64_t tg = 0, tm = 0, tn = 0, tk = 0;
  std::int64_t elems = 0, rows = 0;
  // Vector: scratchpad bytes read (inputs, side operands) and written (results), accumulator bytes read
  std::int64_t spad_read = 0, spad_write = 0, acc_read = 0;
  ConvRect rect;  // Compute of a convolution
  VecOps ops{};
  std::uint32_t dep_begin = 0, dep_count = 0;  // into CoreProgram::deps (indices of earlier commands)

  std::int64_t macs() const { return kind == CmdKind::Compute ? tg * tm * tn * tk : 0; }
};

struct CoreProgram {
  std::int32_t core = 0;
  std::vector<Command> cmds;
  std::vector<std::uint32_t> deps;
  BufferPlan buffers;

  std::span<const std::uint32_t> deps_of(const Command& c) const { return {deps.data() + c.dep_begin, c.dep_count}; }
};

struct LayerSchedule {
  std::int32_t layer = 0;
  std::vector<std::int32_t> wait_layers;  // the Barrier of every core waits for these
  std::vector<CoreProgram> cores;
};

struct Schedule {
  std::vector<LayerSchedule> layers;
  std::vector<std::uint64_t> tensor_addr;  // DRAM base address of every tensor
};

// DRAM layout: every tensor at a 4 KiB-aligned base, views at their source's address.
std::vector<std::uint64_t> dram_layout(const CompiledModel& cm);

LayerSchedule schedule_layer(const CompiledModel& cm, std::size_t layer, const std::vector<std::uint64_t>& addr);
Schedule build_schedule(const CompiledModel& cm);

struct ScheduleTotals {
  std::int64_t commands = 0, macs = 0, dram_read_bytes = 0, dram_write_bytes = 0;
  std::int64_t sram_read_bytes = 0, sram_write_bytes = 0, acc_bytes = 0;
  VecOps vector_ops{};
};
// Totals of a layer's Schedule; the PE array's scratchpad and accumulator traffic per compute
// tile follows compiler::pe_traffic for the layer's architecture.
ScheduleTotals totals_of(const CompiledModel& cm, const LayerSchedule& s);

// Readable listing of one layer's commands (npusim compile --dump).
std::string dump(const CompiledModel& cm, const LayerSchedule& s);

}  // namespace npusim::compiler
