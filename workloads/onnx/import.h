// The ONNX importer: an ONNX model file to the same workloads::Graph as the zoo's models.
//
// Weights are never read, only their shapes (external data files may be absent); small integer
// constants that feed shapes are read from the file (or its external data). Constant subgraphs,
// the shape arithmetic exporters emit included, are folded at import time; dynamic dimensions of
// the inputs are bound from ModelParams::inputs (`--input NAME=1x3x224x224`) and, for a leading
// batch dimension, from ModelParams::batch. BatchNormalization and zero Pads fold into the
// convolution before them, a MatMul and its bias Add into one layer, Erf-based GELU and
// decomposed layer normalisations into one op. Ops npusim has no model for become Opaque ops
// (the vector unit streams their bytes) and are listed, with counts, in one warning of the graph.
//
// Every problem is an npusim::Error of one line: "FILE: node 'NAME' (OP): what is wrong".
#pragma once

#include <string>
#include <string_view>

#include "workloads/graph.h"
#include "workloads/zoo.h"

namespace npusim::workloads::onnx {

// Opsets of the default domain (ai.onnx) the importer maps.
inline constexpr int kMinOpset = 7;
inline constexpr int kMaxOpset = 21;

// Imports the model in `path`; external data files are looked up next to it.
Graph import_file(const std::string& path, const ModelParams& params);

// Imports a model from its serialized bytes. `source` names it in errors; `base_dir` is where
// external data files are looked up ("" = none may be read).
Graph import_bytes(std::string_view bytes, const std::string& source, const std::string& base_dir,
                   const ModelParams& params);

// Whether `path` names an ONNX model: a ".onnx" extension, or a file whose first byte is the
// protobuf tag of ModelProto.ir_version.
bool looks_like_onnx(const std::string& path);

}  // namespace npusim::workloads::onnx
