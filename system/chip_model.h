// Per-chip compute in a multi-chip model: a graph (a block shard's training step, a prefill or
// decode pass) timed on the chip, each distinct graph once (memoised by the caller's key), so a
// model of hundreds of identical layers on thousands of chips costs its distinct shapes only.
//  - NPU: the graph is compiled (mapping search) and timed on the analytic engine, or the
//    SystemC engine where asked (driver/driver.h);
//  - GPU (an architecture with a gpu block): each lowered layer on the GPU kernel model
//    (compiler/gpu_layers.h).
// The graph's collectives (comm ops) are listed per phase with their bytes for the network
// model; on the chip they cost nothing.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "arch/arch_config.h"
#include "driver/driver.h"
#include "workloads/graph.h"
#include "workloads/training.h"

namespace npusim::system {

// A collective a graph asks for: its kind, the parallel group, and M (collectives.h: the buffer
// one rank holds).
struct CommOp {
  workloads::CommKind kind = workloads::CommKind::AllReduce;
  workloads::CommGroup group = workloads::CommGroup::Tensor;
  std::int32_t ranks = 1;
  double bytes = 0;
  std::string name;
};

struct PhaseWork {
  double seconds = 0;   // compute on the chip
  double energy_j = 0;
  double flops = 0;     // 2 x MACs
  std::vector<CommOp> comms;
  // Layers by name -> seconds (for attention-core extraction and reports).
  std::vector<std::pair<std::string, double>> layers;
};

struct GraphWork {
  std::array<PhaseWork, 4> phase;  // by workloads::Phase; an inference graph fills Forward only
  workloads::TrainingFigures figures;
  std::int64_t params = 0;         // weights of the forward graph on this chip
  double largest_tensor_bytes = 0; // the largest activation or gradient the step produces
  const PhaseWork& of(workloads::Phase p) const { return phase[static_cast<std::size_t>(p)]; }
};

class ChipModel {
 public:
  ChipModel(arch::ArchConfigPtr arch, driver::Engine engine);

  // The training step of the graph `build` makes (workloads/training.h), timed once per key.
  const GraphWork& training(const std::string& key, const std::function<workloads::Graph()>& build,
                            const workloads::TrainingOptions& o);
  // A forward pass, timed once per key.
  const GraphWork& forward(const std::string& key, const std::function<workloads::Graph()>& build);

  const arch::ArchConfig& arch() const { return *arch_; }
  const arch::ArchConfigPtr& arch_ptr() const { return arch_; }
  bool gpu() const { return arch_->gpu.enabled; }
  DType dtype() const { return dtype_; }
  double peak_flops() const;       // dense, in the model's datatype, the whole chip
  double static_watts() const;     // leakage power (idle chips in bubbles and waits)
  std::size_t distinct_graphs() const { return memo_.size(); }

 private:
  GraphWork time(const workloads::Graph& g, const std::vector<workloads::Phase>* phase);
  arch::ArchConfigPtr arch_;
  driver::Engine engine_;
  DType dtype_;
  std::map<std::string, std::unique_ptr<GraphWork>> memo_;
};

// The collectives of a graph with their bytes (M as collectives.h defines it), by the phase of
// each op (all Forward when `phase` is null).
void collect_comms(const workloads::Graph& g, const std::vector<workloads::Phase>* phase, std::array<PhaseWork, 4>& out);

}  // namespace npusim::system
