#include "system/pipeline.h"

#include <algorithm>

#include "base/error.h"

namespace npusim::system {

std::string_view name_of(PipelineSchedule s) {
  switch (s) {
    case PipelineSchedule::OneFOneB: return "1f1b";
    case PipelineSchedule::GPipe: return "gpipe";
    case PipelineSchedule::Interleaved: return "interleaved";
  }
  return "?";
}

std::vector<PipelineOp> stage_order(PipelineSchedule sched, std::int32_t s, std::int32_t pp, std::int64_t m,
                                    std::int32_t v) {
  std::vector<PipelineOp> ops;
  auto add = [&](std::int64_t mb, std::int32_t chunk, bool fwd) { ops.push_back(PipelineOp{mb, chunk, fwd, 0, 0}); };
  if (sched == PipelineSchedule::GPipe) {
    for (std::int64_t i = 0; i < m; ++i) add(i, 0, true);
    for (std::int64_t i = m; i-- > 0;) add(i, 0, false);
    return ops;
  }
  if (sched == PipelineSchedule::OneFOneB) {
    const std::int64_t warm = std::min<std::int64_t>(pp - s - 1, m);
    std::int64_t f = 0, b = 0;
    for (; f < warm; ++f) add(f, 0, true);
    while (f < m) {
      add(f++, 0, true);
      add(b++, 0, false);
    }
    while (b < m) add(b++, 0, false);
    return ops;
  }
  // Interleaved 1F1B as Megatron-LM orders it: the k-th forward of a stage is micro-batch
  // (k / (p v)) p + k % p of chunk (k / p) % v; the k-th backward the same micro-batch of chunk
  // v - 1 - (k / p) % v. Warm-up: (p - s - 1) x 2 + (v - 1) x p forwards.
  const std::int64_t total = m * v;
  auto mb_of = [&](std::int64_t k) { return (k / (std::int64_t{pp} * v)) * pp + k % pp; };
  const std::int64_t warm = std::min<std::int64_t>(total, std::int64_t{pp - s - 1} * 2 + std::int64_t{v - 1} * pp);
  std::int64_t f = 0, b = 0;
  auto fwd = [&] {
    add(mb_of(f), static_cast<std::int32_t>((f / pp) % v), true);
    ++f;
  };
  auto bwd = [&] {
    add(mb_of(b), static_cast<std::int32_t>(v - 1 - (b / pp) % v), false);
    ++b;
  };
  while (f < warm) fwd();
  while (f < total) {
    fwd();
    bwd();
  }
  while (b < total) bwd();
  return ops;
}

std::vector<StagePlay> play_pipeline(const PipelineInput& in) {
  const std::int32_t pp = in.stages, v = in.chunks, V = pp * v;
  const std::int64_t m = in.micro_batches;
  struct Done {
    double end = -1;
  };
  std::vector<std::vector<Done>> fdone(static_cast<std::size_t>(V), std::vector<Done>(static_cast<std::size_t>(m)));
  std::vector<std::vector<Done>> bdone = fdone;
  std::vector<std::vector<PipelineOp>> order(static_cast<std::size_t>(pp));
  for (std::int32_t s = 0; s < pp; ++s) order[static_cast<std::size_t>(s)] = stage_order(in.schedule, s, pp, m, v);
  std::vector<StagePlay> out(static_cast<std::size_t>(pp));
  std::vector<std::size_t> next(static_cast<std::size_t>(pp), 0);
  std::vector<double> in_flight(static_cast<std::size_t>(pp), 0);
  std::size_t remaining = 0;
  for (const auto& o : order) remaining += o.size();
  while (remaining > 0) {
    bool progress = false;
    for (std::int32_t s = 0; s < pp; ++s) {
      auto& q = order[static_cast<std::size_t>(s)];
      std::size_t& k = next[static_cast<std::size_t>(s)];
      StagePlay& S = out[static_cast<std::size_t>(s)];
      while (k < q.size()) {
        PipelineOp& op = q[k];
        const std::int32_t j = op.chunk * pp + s;
        const auto ju = static_cast<std::size_t>(j);
        const auto mu = static_cast<std::size_t>(op.mb);
        double dep_end = 0, ready = 0, transfer = 0;
        if (op.fwd) {
          if (j > 0) {
            const Done& d = fdone[ju - 1][mu];
            if (d.end < 0) break;
            dep_end = d.end, transfer = in.send_fwd[ju], ready = d.end + transfer;
          }
        } else {
          if (fdone[ju][mu].end < 0) break;
          ready = fdone[ju][mu].end;
          if (j + 1 < V) {
            const Done& d = bdone[ju + 1][mu];
            if (d.end < 0) break;
            dep_end = d.end, transfer = in.send_bwd[ju];
            ready = std::max(ready, d.end + transfer);
          }
        }
        const double start = std::max(S.end, ready);
        const double wait = start - S.end;
        if (wait > 0) {
          const double flying = transfer > 0 ? std::clamp(start - dep_end, 0.0, transfer) : 0.0;
          const double exposed = std::min(wait, flying);
          S.p2p_exposed += exposed;
          S.bubble += wait - exposed;
        }
        S.p2p_total += transfer;
        const double dur = op.fwd ? in.fwd[ju] : in.bwd[ju];
        op.start = start;
        op.end = start + dur;
        (op.fwd ? fdone : bdone)[ju][mu].end = op.end;
        S.end = op.end;
        S.busy += dur;
        double& fl = in_flight[static_cast<std::size_t>(s)];
        fl += op.fwd ? 1 : -1;
        S.max_in_flight = std::max(S.max_in_flight, fl);
        S.ops.push_back(op);
        ++k;
        --remaining;
        progress = true;
      }
    }
    if (!progress) throw Error("internal: the pipeline schedule deadlocked");
  }
  return out;
}

}  // namespace npusim::system
