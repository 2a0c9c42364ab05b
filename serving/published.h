// Published serving measurements and npusim's predictions of them (docs/SERVING.md,
// "Against published measurements"). The measurements are CSV files with provenance beside them
// (validate/data/public/trtllm/): each row is re-run as the benchmark that produced it:
//  - ttft: one request of `input` prompt tokens and one output token, alone: its time to the
//    first token;
//  - throughput: `batch` requests of `input` + `output` tokens at once, as one static batch:
//    output tokens per second per chip.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "serving/chip_model.h"

namespace npusim::serving {

struct PublishedRow {
  std::string source, gpu, dtype, measure, unit;
  std::int32_t tp = 1;
  std::int64_t batch = 1, input = 0, output = 1;
  double value = 0;
  int line = 0;
};
// Columns source,gpu,dtype,tp,measure,batch,input,output,value,unit; throws Error (file:line).
std::vector<PublishedRow> load_published(const std::string& path);

struct Prediction {
  PublishedRow row;
  double predicted = 0;  // in the row's unit
  double error = 0;      // (predicted - measured) / measured
};

// The system preset (configs/systems/) of the machine a GPU's measurements were taken on: the
// tensor-parallel all-reduces run on its network (system/'s collective model).
std::string published_machine(const std::string& gpu);

// Re-runs every row of `model` (e.g. "llama2-70b") on the chip model.
std::vector<Prediction> predict_published(const std::vector<PublishedRow>& rows, const std::string& model);

}  // namespace npusim::serving
