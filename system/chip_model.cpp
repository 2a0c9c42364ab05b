#include "system/chip_model.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/error.h"
#include "compiler/stats.h"
#include "compiler/gpu_layers.h"
#include "compiler/results.h"

namespace npusim::system {

using workloads::Phase;

ChipModel::ChipModel(arch::ArchConfigPtr arch, driver::Engine engine)
    : arch_(std::move(arch)), engine_(engine), dtype_(driver::training_dtype(*arch_, std::nullopt)) {
  if (engine_ == driver::Engine::SystemC && arch_->gpu.enabled)
    throw Error(fmt::format("--engine systemc: chip '{}' is a GPU, timed by the GPU kernel model; use --engine analytic",
                            arch_->name));
}

double ChipModel::peak_flops() const {
  return 2.0 * double(arch_->peak_macs_per_cycle(dtype_)) * arch_->clock_mhz * 1e6;
}

double ChipModel::static_watts() const {
  return arch_->energy.leakage_mw_per_mm2 * arch_->area_mm2() * 1e-3;
}

void collect_comms(const workloads::Graph& g, const std::vector<Phase>* phase, std::array<PhaseWork, 4>& out) {
  for (std::size_t i = 0; i < g.ops().size(); ++i) {
    const workloads::Op& op = g.op(i);
    if (op.kind != workloads::OpKind::Comm) continue;
    const auto& a = op.as<workloads::CommAttrs>();
    if (a.kind == workloads::CommKind::Identity) continue;  // nothing moves
    const workloads::Tensor& in = g.tensor(op.inputs[0]);
    const workloads::Tensor& o = g.tensor(op.output);
    // M: all-gather's output, the others' input (what one rank holds before the collective).
    const double bytes = double(a.kind == workloads::CommKind::AllGather ? o.bytes() : in.bytes());
    const Phase p = phase ? (*phase)[i] : Phase::Forward;
    out[static_cast<std::size_t>(p)].comms.push_back(CommOp{a.kind, a.group, a.ranks, bytes, op.name});
  }
}

GraphWork ChipModel::time(const workloads::Graph& g, const std::vector<Phase>* phase) {
  GraphWork w;
  w.params = g.total_params();
  for (const auto& t : g.tensors())
    if (t.kind == workloads::TensorKind::Activation) w.largest_tensor_bytes = std::max(w.largest_tensor_bytes, double(t.bytes()));
  collect_comms(g, phase, w.phase);
  auto phase_of = [&](const compiler::Layer& L) {
    return phase ? (*phase)[static_cast<std::size_t>(L.graph_ops.front())] : Phase::Forward;
  };
  const double hz = arch_->clock_mhz * 1e6;
  if (arch_->gpu.enabled) {
    const compiler::GpuParams gp = compiler::GpuParams::from(*arch_);
    const compiler::LayerGraph lg = compiler::lower(g);
    for (const compiler::Layer& L : lg.layers) {
      const compiler::GpuLayerTime t = compiler::gpu_layer_time(gp, L, g.dtype());
      compiler::LayerStats n;
      n.macs = L.macs;
      n.dram_read_bytes = static_cast<std::int64_t>(t.dram_bytes);
      n.vector_ops = L.vector_ops();
      PhaseWork& pw = w.phase[static_cast<std::size_t>(phase_of(L))];
      pw.seconds += t.seconds;
      pw.energy_j += compiler::energy_of(*arch_, g.dtype(), n, t.seconds * hz).total() * 1e-12;
      pw.flops += 2.0 * double(L.macs);
      pw.layers.emplace_back(L.name, t.seconds);
    }
    return w;
  }
  compiler::CompileOptions co;
  co.check_capacity = false;  // the multi-chip model accounts memory per chip itself
  driver::LoadedModel m{g, 0};
  const compiler::CompiledModel cm = driver::compile(std::move(m), arch_, co, 1);
  const compiler::RunResult r = driver::run(cm, driver::run_options(engine_));
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    const compiler::LayerResult& lr = r.layers[i];
    PhaseWork& pw = w.phase[static_cast<std::size_t>(phase_of(cm.layers[i].layer))];
    const double s = double(lr.cycles) / hz;
    pw.seconds += s;
    pw.energy_j += lr.energy.total() * 1e-12;
    pw.flops += 2.0 * double(lr.macs);
    pw.layers.emplace_back(lr.name, s);
  }
  return w;
}

const GraphWork& ChipModel::training(const std::string& key, const std::function<workloads::Graph()>& build,
                                     const workloads::TrainingOptions& o) {
  const std::string k = "train|" + key;
  if (auto it = memo_.find(k); it != memo_.end()) return *it->second;
  const workloads::Graph fwd = build();
  workloads::TrainingGraph tg = workloads::make_training_graph(fwd, o);
  auto w = std::make_unique<GraphWork>(time(tg.graph, &tg.phase));
  w->figures = tg.figures;
  w->params = fwd.total_params();
  return *memo_.emplace(k, std::move(w)).first->second;
}

const GraphWork& ChipModel::forward(const std::string& key, const std::function<workloads::Graph()>& build) {
  const std::string k = "fwd|" + key;
  if (auto it = memo_.find(k); it != memo_.end()) return *it->second;
  auto w = std::make_unique<GraphWork>(time(build(), nullptr));
  return *memo_.emplace(k, std::move(w)).first->second;
}

}  // namespace npusim::system
