#include "compiler/mapper.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "base/checked.h"
#include "base/error.h"

namespace npusim::compiler {

using arch::Dataflow;

std::string_view name_of(Objective o) {
  switch (o) {
    case Objective::Latency: return "latency";
    case Objective::Energy: return "energy";
    case Objective::Edp: return "edp";
    case Objective::Dram: return "dram";
  }
  return "?";
}

std::optional<Objective> parse_objective(std::string_view s) {
  for (Objective o : {Objective::Latency, Objective::Energy, Objective::Edp, Objective::Dram})
    if (name_of(o) == s) return o;
  return std::nullopt;
}

bool better(const LayerCost& a, const LayerCost& b, Objective o) {
  const double ea = a.energy.total(), eb = b.energy.total();
  switch (o) {
    case Objective::Latency:
      return std::tie(a.cycles, a.dram_read_bytes, a.dram_write_bytes) <
                 std::tie(b.cycles, b.dram_read_bytes, b.dram_write_bytes) ||
             (a.cycles == b.cycles && a.dram_bytes() == b.dram_bytes() && ea < eb);
    case Objective::Energy: return ea < eb || (ea == eb && a.cycles < b.cycles);
    case Objective::Edp: {
      const double pa = ea * double(a.cycles), pb = eb * double(b.cycles);
      return pa < pb || (pa == pb && a.cycles < b.cycles);
    }
    case Objective::Dram:
      return a.dram_bytes() < b.dram_bytes() || (a.dram_bytes() == b.dram_bytes() && a.cycles < b.cycles);
  }
  return false;
}

namespace {

// Candidate tile extents for a dimension of `extent`: multiples of `quantum` doubling from
// `start`, the whole extent, balanced cuts (extent/2, /3, /4 rounded up to the quantum) so that
// remainders need not be small, and fractions of the quantum down to 1/16 (a memory-bound layer
// can prefer small first and last tiles to a full array).
std::vector<std::int64_t> dim_candidates(std::int64_t extent, std::int64_t quantum, std::int64_t start) {
  std::set<std::int64_t> c;
  quantum = std::max<std::int64_t>(1, quantum);
  for (std::int64_t f = 2; f <= 16 && quantum / f >= 1; f *= 2)
    if (quantum / f < extent) c.insert(quantum / f);
  for (std::int64_t x = std::max(quantum, round_up(std::max<std::int64_t>(start, 1), quantum)); x < extent; x *= 2) c.insert(x);
  c.insert(extent);
  for (std::int64_t j = 2; j <= 4; ++j) {
    std::int64_t v = round_up(ceil_div(extent, j), quantum);
    if (v < extent) c.insert(v);
  }
  // largest first: good mappings are found early, so the lower bound prunes more
  return {c.rbegin(), c.rend()};
}

std::vector<ConvMTile> conv_m_candidates(const ConvGeometry& cg, const CoreProblem& p) {
  std::vector<ConvMTile> v;
  for (std::int64_t i : dim_candidates(p.images, 1, 1)) v.push_back({i, p.out_rows, cg.out_w});
  for (std::int64_t r : dim_candidates(p.out_rows, 1, 1))
    if (r < p.out_rows) v.push_back({1, r, cg.out_w});
  for (std::int64_t w : dim_candidates(cg.out_w, 1, 4))
    if (w < cg.out_w) v.push_back({1, 1, w});
  return v;
}

struct Best {
  std::optional<MapResult> r;
  void offer(const Mapping& m, const LayerCost& c, Objective o) {
    if (!r || better(c, r->cost, o)) r = MapResult{m, c, 0};
  }
};

double lower_bound(const CostContext& ctx, const Layer& L, const TilePhase& t, std::int32_t cores, const MapRequest& req) {
  // No mapping of these tiles beats its PE or vector time, nor moving each input once.
  const double compulsory = double((req.a_on_chip ? 0 : L.a_bytes) + L.b_bytes + L.side_bytes +
                                   (req.out_on_chip ? 0 : L.out_bytes));
  (void)cores;
  return std::max({double(t.compute), double(t.vector), ctx.ideal_memory ? 0.0 : compulsory / ctx.dram_bytes_per_cycle});
}

void search_gemm(const CostContext& ctx, const Layer& L, const MapRequest& req, Best& best, std::int64_t& evaluated) {
  const arch::ArchConfig& A = *ctx.arch;
  const PeGeometry& pe = ctx.pe;
  std::vector<std::pair<Split, std::int32_t>> splits = {{Split::None, 1}};
  if (A.cores > 1) {
    const std::int64_t m_extent = L.conv ? std::max(L.conv->batch, L.conv->out_h) : L.M;
    if (L.G >= 2) splits.push_back({Split::G, static_cast<std::int32_t>(std::min<std::int64_t>(A.cores, L.G))});
    if (m_extent >= 2) splits.push_back({Split::M, static_cast<std::int32_t>(std::min<std::int64_t>(A.cores, m_extent))});
    if (L.N >= 2) splits.push_back({Split::N, static_cast<std::int32_t>(std::min<std::int64_t>(A.cores, L.N))});
  }
  const std::int64_t Rk = pe.rows * pe.v;
  // quanta and start values for m, n, k by dataflow: spatial dims align to the array,
  // streamed dims double from a small start
  std::int64_t qm = 1, qn = pe.cols, qk = Rk, sm = 16, sn = pe.cols, sk = Rk;
  switch (pe.dataflow) {
    case Dataflow::WeightStationary: break;
    case Dataflow::OutputStationary: qm = pe.rows, sm = pe.rows, qk = pe.v, sk = 16 * pe.v; break;
    case Dataflow::InputStationary: qm = pe.cols, sm = pe.cols, qn = 1, sn = 16; break;
  }

  for (const auto& [split, cores] : splits) {
    const std::vector<CoreProblem> probs = core_problems(L, split, cores);
    const CoreProblem& p = probs.front();
    const std::int32_t used = static_cast<std::int32_t>(probs.size());
    const std::vector<std::int32_t> weights = {used};

    std::vector<std::int64_t> g_c = dim_candidates(p.G, 1, 1);
    std::vector<std::int64_t> n_c = dim_candidates(p.N, qn, sn);
    std::vector<std::int64_t> m_c, k_c;
    std::vector<ConvMTile> cm_c;
    if (L.conv) {
      cm_c = conv_m_candidates(*L.conv, p);
      const std::int64_t taps = L.conv->kh * L.conv->kw;
      const std::int64_t qc = pe.dataflow == Dataflow::OutputStationary ? 1 : std::max<std::int64_t>(1, Rk / taps);
      k_c = dim_candidates(L.conv->channels, 1, qc);
      if (qc > 1 && qc < L.conv->channels) k_c.push_back(qc / 2 > 0 ? qc / 2 : 1);  // allow a half-filled fold
    } else {
      m_c = dim_candidates(p.M, qm, sm);
      k_c = dim_candidates(p.K, qk, sk);
    }
    const std::size_t nm_c = L.conv ? cm_c.size() : m_c.size();

    for (std::int64_t tg : g_c)
      for (std::size_t mi = 0; mi < nm_c; ++mi)
        for (std::int64_t tn : n_c)
          for (std::int64_t tk : k_c) {
            Mapping m;
            m.split = split, m.cores = used;
            m.tg = tg, m.tn = tn;
            m.a_on_chip = req.a_on_chip, m.out_on_chip = req.out_on_chip;
            if (L.conv) {
              m.conv = true;
              m.conv_m = cm_c[mi];
              m.tm = m.conv_m.pixels();
              m.tc = tk;
              m.tk = tk * L.conv->kh * L.conv->kw;
            } else {
              m.tm = m_c[mi];
              m.tk = tk;
            }
            const TilePhase t = gemm_tile_phase(ctx, L, m, p);
            // The smallest buffer plan any order can have: two slots per operand.
            {
              Mapping probe = m;
              probe.resident = Resident::None;
              CoreEval e0 = gemm_order_phase(ctx, L, probe, t);
              if (!e0.fits) continue;
            }
            if (best.r && req.objective == Objective::Latency &&
                lower_bound(ctx, L, t, used, req) > double(best.r->cost.cycles))
              continue;
            for (const LoopOrder& order : kAllOrders)
              for (Resident res : {Resident::None, Resident::A, Resident::B, Resident::C}) {
                if (res == Resident::A && req.a_on_chip) continue;
                m.order = order;
                m.resident = res;
                CoreEval e = gemm_order_phase(ctx, L, m, t);
                ++evaluated;
                if (!e.fits) continue;
                LayerCost c = combine(ctx, L, m, {e}, weights);
                best.offer(m, c, req.objective);
              }
          }
  }
}

void search_stream(const CostContext& ctx, const Layer& L, const MapRequest& req, Best& best, std::int64_t& evaluated) {
  const arch::ArchConfig& A = *ctx.arch;
  std::vector<std::pair<Split, std::int32_t>> splits = {{Split::None, 1}};
  if (A.cores > 1 && L.rows >= 2)
    splits.push_back({Split::M, static_cast<std::int32_t>(std::min<std::int64_t>(A.cores, L.rows))});
  for (const auto& [split, cores] : splits) {
    const std::vector<CoreProblem> probs = core_problems(L, split, cores);
    const CoreProblem& p = probs.front();
    const std::vector<std::int32_t> weights = {static_cast<std::int32_t>(probs.size())};
    Mapping m;
    m.split = split, m.cores = static_cast<std::int32_t>(probs.size());
    m.a_on_chip = req.a_on_chip, m.out_on_chip = req.out_on_chip;
    bool any_whole = false;
    for (std::int64_t tr : dim_candidates(p.M, 1, 1)) {
      m.tm = tr, m.tn = L.row_elems;
      CoreEval e = stream_core(ctx, L, m, p);
      ++evaluated;
      if (!e.fits) continue;
      any_whole = true;
      best.offer(m, combine(ctx, L, m, {e}, weights), req.objective);
    }
    if (any_whole) continue;
    for (std::int64_t chunk : dim_candidates(L.row_elems, 1, 16)) {  // a row does not fit: cut it
      if (chunk >= L.row_elems) continue;
      m.tm = 1, m.tn = chunk;
      CoreEval e = stream_core(ctx, L, m, p);
      ++evaluated;
      if (!e.fits) continue;
      best.offer(m, combine(ctx, L, m, {e}, weights), req.objective);
    }
  }
}

}  // namespace

std::optional<MapResult> search_mapping(const CostContext& ctx, const Layer& L, const MapRequest& req) {
  Best best;
  std::int64_t evaluated = 0;
  if (L.cls == LayerClass::Gemm)
    search_gemm(ctx, L, req, best, evaluated);
  else
    search_stream(ctx, L, req, best, evaluated);
  if (!best.r) return std::nullopt;
  // Re-evaluate exactly: every core's own share (the search scored the largest for all).
  auto exact = evaluate(ctx, L, best.r->mapping, true);
  if (!exact)  // every core's share fits whenever the largest does (slots are sized for the worst case)
    throw Error(fmt::format("internal: layer {}: mapping {} fits its largest share but not every core's", L.name,
                            best.r->mapping.str()));
  best.r->cost = *exact;
  best.r->evaluated = evaluated;
  return best.r;
}

}  // namespace npusim::compiler
