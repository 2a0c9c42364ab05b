#include "compiler/mapper.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <set>
#include <tuple>

#include "base/checked.h"
#include "base/error.h"
#include "compiler/mapping_cache.h"

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

Score score_of(const LayerCost& c) { return {c.cycles, c.dram_read_bytes, c.dram_write_bytes, c.energy.total()}; }

bool better(const Score& a, const Score& b, Objective o) {
  const double ea = a.energy, eb = b.energy;
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

constexpr std::array<Resident, 4> kResidents = {Resident::None, Resident::A, Resident::B, Resident::C};
constexpr std::size_t kOrdersPerTile = kAllOrders.size() * kResidents.size();

// Candidate tile extents for a dimension of `extent`: multiples of `quantum` doubling from
// `start`, the whole extent, balanced cuts (extent/2, /3, /4 rounded up to the quantum) so that
// remainders need not be small, and fractions of the quantum down to 1/16 (a memory-bound layer
// can prefer small first and last tiles to a full array).
std::vector<std::int64_t> dim_candidates(std::int64_t extent, std::int64_t quantum, std::int64_t start, bool fine) {
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
  if (fine) {
    // the exhaustive grid: every multiple of the quantum (and every power of two below it) when
    // there are at most 48, else 48 evenly spaced multiples and every power of two
    for (std::int64_t x = 1; x < quantum && x < extent; x *= 2) c.insert(x);
    for (std::int64_t x = quantum; x < extent; x *= 2) c.insert(x);
    const std::int64_t steps = ceil_div(extent, quantum);
    if (steps <= 48) {
      for (std::int64_t i = 1; i <= steps; ++i) c.insert(std::min(extent, i * quantum));
    } else {
      for (std::int64_t i = 1; i <= 48; ++i) c.insert(std::min(extent, round_up(ceil_div(extent * i, 48), quantum)));
    }
  }
  // largest first: good mappings are found early, so the lower bound prunes more
  return {c.rbegin(), c.rend()};
}

std::vector<ConvMTile> conv_m_candidates(const ConvGeometry& cg, const CoreProblem& p, bool fine) {
  std::vector<ConvMTile> v;
  for (std::int64_t i : dim_candidates(p.images, 1, 1, fine)) v.push_back({i, p.out_rows, cg.out_w});
  for (std::int64_t r : dim_candidates(p.out_rows, 1, 1, fine))
    if (r < p.out_rows) v.push_back({1, r, cg.out_w});
  for (std::int64_t w : dim_candidates(cg.out_w, 1, 4, fine))
    if (w < cg.out_w) v.push_back({1, 1, w});
  return v;
}

// The best mapping so far and its score (its full cost is evaluated once the search is done).
struct Best {
  std::optional<Mapping> m;
  Score score;
  void offer(const Mapping& x, const Score& s, Objective o) {
    if (!m || better(s, score, o)) m = x, score = s;
  }
};

double lower_bound(const CostContext& ctx, const Layer& L, const TilePhase& t, std::int32_t cores, const MapRequest& req) {
  // No mapping of these tiles beats its PE or vector time, nor moving each input once.
  const double compulsory = double((req.a_on_chip ? 0 : L.a_bytes) + L.b_bytes + L.side_bytes +
                                   (req.out_on_chip ? 0 : L.out_bytes));
  (void)cores;
  return std::max({double(t.compute), double(t.vector), ctx.ideal_memory ? 0.0 : compulsory / ctx.dram_bytes_per_cycle});
}

// The candidates are enumerated in a fixed order; `memo`, when given, holds what is known of each
// (by its index in that order) from searches on architectures that differ only in buffer
// capacities: buffer plans (fit is decided here, on this architecture) and costs (leakage taken
// from this architecture), so the same candidates are pruned, scored and chosen as without it.
// `exhaustive`: the finer grid (dim_candidates' `fine`) and no pruning (exhaustive_mapping).
void search_gemm(const CostContext& ctx, const Layer& L, const MapRequest& req, bool exhaustive, Best& best,
                 std::int64_t& evaluated, SearchMemo* memo) {
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

  // what this point's leakage is, for costs the memo holds (their leakage left out)
  const double leak_mw = leakage_mw(A), cycle_ns = A.cycle_ns();
  // the bound prunes only for the latency objective, against the best found so far
  auto pruned = [&](double bound) {
    return !exhaustive && best.m && req.objective == Objective::Latency && bound > double(best.score.cycles);
  };
  std::size_t index = 0;  // of the tile candidate in the enumeration, over all splits
  for (const auto& [split, cores] : splits) {
    const std::vector<CoreProblem> probs = core_problems(L, split, cores);
    const CoreProblem& p = probs.front();
    const std::int32_t used = static_cast<std::int32_t>(probs.size());
    const std::vector<std::int32_t> weights = {used};

    std::vector<std::int64_t> g_c = dim_candidates(p.G, 1, 1, exhaustive);
    std::vector<std::int64_t> n_c = dim_candidates(p.N, qn, sn, exhaustive);
    std::vector<std::int64_t> m_c, k_c;
    std::vector<ConvMTile> cm_c;
    if (L.conv) {
      cm_c = conv_m_candidates(*L.conv, p, exhaustive);
      const std::int64_t taps = L.conv->kh * L.conv->kw;
      const std::int64_t qc = pe.dataflow == Dataflow::OutputStationary ? 1 : std::max<std::int64_t>(1, Rk / taps);
      k_c = dim_candidates(L.conv->channels, 1, qc, exhaustive);
      if (qc > 1 && qc < L.conv->channels) k_c.push_back(qc / 2 > 0 ? qc / 2 : 1);  // allow a half-filled fold
    } else {
      m_c = dim_candidates(p.M, qm, sm, exhaustive);
      k_c = dim_candidates(p.K, qk, sk, exhaustive);
    }
    const std::size_t nm_c = L.conv ? cm_c.size() : m_c.size();
    if (memo) memo->grow(index + g_c.size() * nm_c * n_c.size() * k_c.size());

    for (std::int64_t tg : g_c)
      for (std::size_t mi = 0; mi < nm_c; ++mi)
        for (std::int64_t tn : n_c)
          for (std::int64_t tk : k_c) {
            const std::size_t at = index++;
            if (memo) {
              // what an earlier point learned decides here without building anything
              const double bound = memo->bounds[at];
              if (!std::isnan(bound) && (pruned(bound) || !buffers_fit(ctx, memo->probes[at]))) continue;
            }
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
            std::optional<TilePhase> phase;  // computed when something about these tiles is not known
            auto tiles = [&]() -> const TilePhase& {
              if (!phase) {
                Mapping tile = m;  // the tile sizes in the default order, as the search has always used
                tile.order = LoopOrder{};
                tile.resident = Resident::None;
                phase = gemm_tile_phase(ctx, L, tile, p);
              }
              return *phase;
            };
            if (!memo || std::isnan(memo->bounds[at])) {
              // The smallest buffer plan any order can have: two slots per operand.
              Mapping probe = m;
              probe.resident = Resident::None;
              const BufferNeed need = need_of(gemm_order_phase(ctx, L, probe, tiles()).buf);
              const double bound = lower_bound(ctx, L, tiles(), used, req);
              if (memo) memo->probes[at] = need, memo->bounds[at] = bound;
              if (!buffers_fit(ctx, need) || pruned(bound)) continue;
            }
            ScoredMapping* scored = nullptr;  // this candidate's orders in the memo
            if (memo) {
              if (memo->first[at] == SearchMemo::kNoOrders) {
                memo->first[at] = static_cast<std::uint32_t>(memo->orders.size());
                memo->orders.resize(memo->orders.size() + kOrdersPerTile);
              }
              scored = &memo->orders[memo->first[at]];
            }
            for (std::size_t slot = 0; slot < kOrdersPerTile; ++slot) {
              const Resident res = kResidents[slot % kResidents.size()];
              if (res == Resident::A && req.a_on_chip) continue;
              m.order = kAllOrders[slot / kResidents.size()];
              m.resident = res;
              ++evaluated;
              ScoredMapping* s = scored ? scored + slot : nullptr;
              if (s && s->planned && !buffers_fit(ctx, s->need)) continue;
              if (s && s->costed) {
                best.offer(m, s->score_on(leak_mw, cycle_ns), req.objective);
                continue;
              }
              CoreEval e = gemm_order_phase(ctx, L, m, tiles());
              if (s) s->need = need_of(e.buf), s->planned = true;
              if (!e.fits) continue;
              const LayerCost c = combine(ctx, L, m, {e}, weights);
              if (s) {
                s->costed = true;
                s->cycles = c.cycles, s->dram_read_bytes = c.dram_read_bytes, s->dram_write_bytes = c.dram_write_bytes;
                s->dynamic_energy = c.energy.dynamic();
              }
              best.offer(m, score_of(c), req.objective);
            }
          }
  }
}

void search_stream(const CostContext& ctx, const Layer& L, const MapRequest& req, bool exhaustive, Best& best,
                   std::int64_t& evaluated) {
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
    for (std::int64_t tr : dim_candidates(p.M, 1, 1, exhaustive)) {
      m.tm = tr, m.tn = L.row_elems;
      CoreEval e = stream_core(ctx, L, m, p);
      ++evaluated;
      if (!e.fits) continue;
      any_whole = true;
      best.offer(m, score_of(combine(ctx, L, m, {e}, weights)), req.objective);
    }
    if (any_whole) continue;
    for (std::int64_t chunk : dim_candidates(L.row_elems, 1, 16, exhaustive)) {  // a row does not fit: cut it
      if (chunk >= L.row_elems) continue;
      m.tm = 1, m.tn = chunk;
      CoreEval e = stream_core(ctx, L, m, p);
      ++evaluated;
      if (!e.fits) continue;
      best.offer(m, score_of(combine(ctx, L, m, {e}, weights)), req.objective);
    }
  }
}

std::optional<MapResult> search(const CostContext& ctx, const Layer& L, const MapRequest& req, bool exhaustive,
                                SearchMemo* memo) {
  Best best;
  std::int64_t evaluated = 0;
  if (L.cls == LayerClass::Gemm)
    search_gemm(ctx, L, req, exhaustive, best, evaluated, memo);
  else
    search_stream(ctx, L, req, exhaustive, best, evaluated);
  if (!best.m) return std::nullopt;
  // Re-evaluate exactly: every core's own share (the search scored the largest for all).
  auto exact = evaluate(ctx, L, *best.m, true);
  if (!exact)  // every core's share fits whenever the largest does (slots are sized for the worst case)
    throw Error(fmt::format("internal: layer {}: mapping {} fits its largest share but not every core's", L.name,
                            best.m->str()));
  return MapResult{*best.m, *exact, evaluated};
}

}  // namespace

std::optional<MapResult> search_mapping(const CostContext& ctx, const Layer& L, const MapRequest& req,
                                        SearchMemo* memo) {
  return search(ctx, L, req, false, memo);
}

std::optional<MapResult> exhaustive_mapping(const CostContext& ctx, const Layer& L, const MapRequest& req) {
  return search(ctx, L, req, true, nullptr);
}

}  // namespace npusim::compiler
