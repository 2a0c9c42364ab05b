// libFuzzer target: the ONNX importer on arbitrary bytes. Every input must either import into a
// graph whose ops are consistent, or fail with one npusim::Error of a single line; anything
// else (a crash, a sanitizer report, another exception, a multi-line message) is a finding.
// How to build and run it, and what it found: docs/WORKLOADS.md ("Fuzzing the importer").
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "workloads/onnx/import.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace npusim::workloads;
  ModelParams params;
  try {
    const Graph g = onnx::import_bytes(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.onnx", "",
                                       params);
    for (const Op& op : g.ops()) {
      if (op.macs < 0 || op.output < 0 || static_cast<std::size_t>(op.output) >= g.tensors().size()) __builtin_trap();
      for (TensorId t : op.inputs)
        if (t < 0 || static_cast<std::size_t>(t) >= g.tensors().size()) __builtin_trap();
      (void)g.tensor(op.output).bytes();
    }
    (void)g.total_macs();
    (void)g.total_params();
  } catch (const npusim::Error& e) {
    for (const char* c = e.what(); *c; ++c)
      if (*c == '\n') __builtin_trap();  // errors are one line
  }
  return 0;
}
