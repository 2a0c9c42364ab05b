// SCALE-Sim layer lists, so users of SCALE-Sim bring their workloads unchanged:
//  - conv topology: "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width,
//    Channels, Num Filter, Strides[, Stride Width, ...]" with SCALE-Sim's conventions: the IFMAP
//    is taken as already padded and OFMAP = ceil((IFMAP - Filter + Stride) / Stride) (where the
//    stride does not divide IFMAP - Filter, the last window reaches past the bottom / right edge:
//    zeros there); a 9th column is the column stride when its header names a stride; a layer
//    whose name contains "DP" is depthwise per channel, as SCALE-Sim expands it (Num Filter
//    filters for every channel; SCALE-Sim runs the channels as separate layers, npusim as one
//    grouped convolution).
//  - GEMM list: "Layer, M, N, K".
// Each row becomes an independent layer reading its own input from DRAM.
#pragma once

#include <string>
#include <string_view>

#include "workloads/graph.h"
#include "workloads/zoo.h"

namespace npusim::workloads {

enum class CsvKind { ConvTopology, Gemm };

// Throws Error "FILE:LINE: ..." for a malformed row or an unrecognised header.
Graph read_scalesim_csv(std::string_view text, const std::string& file, const ModelParams& params);
CsvKind detect_csv_kind(std::string_view header_line, const std::string& file);

}  // namespace npusim::workloads
