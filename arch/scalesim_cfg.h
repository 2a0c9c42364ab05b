// SCALE-Sim architecture files (.cfg), so SCALE-Sim users bring their configurations unchanged:
// `npusim run --arch google.cfg`. The file becomes an npusim architecture description (YAML) in
// SCALE-Sim's setting, which then loads and validates like any other (--set applies to it):
//
//   ArrayHeight x ArrayWidth   core.pe_array.rows x cols, one core, int8 operands (1 B words),
//                              int32 accumulation
//   Dataflow ws|os|is          core.pe_array.dataflow, with SCALE-Sim's array: no shadow
//                              registers for the stationary operand and no overlap of
//                              consecutive folds (stationary_double_buffer and fold_overlap false)
//   Ifmap/Filter/OfmapSramSzkB the scratchpad's input, weight and output partitions (KiB); the
//                              accumulator buffer holds OfmapSramSzkB of int32 partial sums
//   Bandwidth (words/cycle)    the DRAM interface: Bandwidth B/cycle at the 1 GHz clock npusim
//                              gives SCALE-Sim designs (SCALE-Sim counts cycles only)
//   InterfaceBandwidth USER    that bandwidth; CALC: SCALE-Sim sizes the interface so the array
//                              never stalls; npusim gives it the array's full operand rate
//                              (rows + cols B/cycle in, cols x 4 B/cycle out); `--memory ideal`
//                              removes memory from the picture altogether
//   MemoryBanks                scratchpad banks (each as wide as the array needs)
//   (no vector unit)           SCALE-Sim models no post-processing of results: the description
//                              gives npusim's vector unit the widest legal configuration, so it
//                              never holds the array up
//
// Keys SCALE-Sim uses for things npusim does not model (address offsets, SRAM bank layouts,
// trace options) are accepted and listed in the generated description; sparsity support is an
// error. Any other key is an error naming FILE:LINE and the key.
#pragma once

#include <string>
#include <string_view>

namespace npusim::arch {

// True for a file name ending in ".cfg".
bool is_scalesim_cfg(std::string_view path);

// The npusim description (YAML text) of a SCALE-Sim .cfg. Throws Error "FILE:LINE: ..." for a
// malformed line, an unknown section or key, a missing key or a value out of range.
std::string scalesim_cfg_to_yaml(std::string_view text, const std::string& file);

}  // namespace npusim::arch
