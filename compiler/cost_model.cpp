#include "compiler/cost_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "base/checked.h"
#include "base/error.h"

namespace npusim::compiler {

using arch::Dataflow;

std::string_view name_of(Dim d) {
  switch (d) {
    case Dim::M: return "m";
    case Dim::N: return "n";
    case Dim::K: return "k";
  }
  return "?";
}
std::string_view name_of(Resident r) {
  switch (r) {
    case Resident::None: return "none";
    case Resident::A: return "A";
    case Resident::B: return "B";
    case Resident::C: return "C";
  }
  return "?";
}
std::string_view name_of(Split s) {
  switch (s) {
    case Split::None: return "none";
    case Split::G: return "g";
    case Split::M: return "m";
    case Split::N: return "n";
  }
  return "?";
}
std::string LoopOrder::str() const {
  return fmt::format("{}{}{}", name_of(dims[0]), name_of(dims[1]), name_of(dims[2]));
}

std::string Mapping::str() const {
  std::string s = fmt::format("split={} x{} tile g{} m{} n{} k{}", name_of(split), cores, tg, tm, tn, tk);
  if (conv) s += fmt::format(" (m = {}img x {}rows x {}cols, k = {}ch)", conv_m.images, conv_m.rows, conv_m.cols, tc);
  s += fmt::format(" order={} resident={}", order.str(), name_of(resident));
  if (a_on_chip) s += " a_on_chip";
  if (out_on_chip) s += " out_on_chip";
  return s;
}

CostContext CostContext::make(arch::ArchConfigPtr a, DType dtype) {
  if (!a->datatypes.supports(dtype))
    throw Error(fmt::format("architecture '{}' does not support {} operands (datatypes.macs_per_pe_per_cycle.{} is 0)",
                            a->name, name_of(dtype), name_of(dtype)));
  CostContext c;
  c.dtype = dtype;
  c.pe = PeGeometry::from(a->core.pe_array, a->datatypes.macs(dtype));
  c.noc = arch::build_noc(*a);
  c.dram_bytes_per_cycle = a->dram_bytes_per_cycle();
  c.dram_latency = a->dram_latency_cycles();
  c.spad_bytes_per_cycle = a->core.scratchpad.bytes_per_cycle();
  std::int32_t hops = 0;
  for (const auto& r : c.noc.routes) hops = std::max(hops, r.max_hops);
  const double burst = a->core.dma.burst_bytes;
  const double delay = double(c.dram_latency) + 2.0 * hops * a->interconnect.hop_latency_cycles;
  const double service = burst / std::min(double(a->interconnect.link_bytes_per_cycle), double(c.spad_bytes_per_cycle));
  // MVA for N customers: R(n) = s (1 + Q(n-1)), X(n) = n / (Z + R(n)), Q(n) = X(n) R(n)
  double q = 0, x = 0;
  for (std::int32_t n = 1; n <= a->core.dma.max_outstanding; ++n) {
    const double r = service * (1.0 + q);
    x = double(n) / (delay + r);
    q = x * r;
  }
  c.dma_window_bytes_per_cycle = x * burst;
  c.arch = std::move(a);
  return c;
}

bool relevant(Operand x, Dim d) {
  switch (x) {
    case Operand::A: return d != Dim::N;
    case Operand::B: return d != Dim::M;
    case Operand::C: return d != Dim::K;
  }
  return false;
}

std::int64_t reload_factor(Operand x, const std::array<std::int64_t, 4>& t, const LoopOrder& order, Resident res) {
  if ((x == Operand::A && res == Resident::A) || (x == Operand::B && res == Resident::B) ||
      (x == Operand::C && res == Resident::C))
    return 1;
  // Innermost loop that is relevant to x and actually iterates; loops outside it that x does not
  // depend on reload x's tiles once per iteration. The group loop (level 0) is relevant to all.
  int r = t[0] > 1 ? 0 : -1;
  for (int i = 1; i <= 3; ++i)
    if (relevant(x, order.dims[static_cast<std::size_t>(i - 1)]) && t[static_cast<std::size_t>(i)] > 1) r = i;
  std::int64_t f = 1;
  for (int i = 1; i <= r; ++i)
    if (!relevant(x, order.dims[static_cast<std::size_t>(i - 1)])) f *= t[static_cast<std::size_t>(i)];
  return f;
}

std::int64_t resident_slice_tiles(Operand x, const std::array<std::int64_t, 4>& t, const LoopOrder& order) {
  // The slice is what x touches during one iteration of the outermost m/n/k loop (level 1).
  std::int64_t n = 1;
  const bool outer_relevant = relevant(x, order.dims[0]);
  for (int i = 2; i <= 3; ++i)
    if (relevant(x, order.dims[static_cast<std::size_t>(i - 1)])) n *= t[static_cast<std::size_t>(i)];
  if (!outer_relevant) {
    // outer loop irrelevant: the slice is every tile of x for this group tile
    n = 1;
    for (int i = 1; i <= 3; ++i)
      if (relevant(x, order.dims[static_cast<std::size_t>(i - 1)])) n *= t[static_cast<std::size_t>(i)];
  }
  return n;
}

double resident_burst_fraction(Operand x, const std::array<std::int64_t, 4>& t, const LoopOrder& order) {
  const auto trip = [&](int level) { return double(t[static_cast<std::size_t>(level)]); };
  if (x == Operand::C) {
    // outputs finish in the last iteration of k; spread if k is the innermost loop
    for (int i = 1; i <= 2; ++i)
      if (order.dims[static_cast<std::size_t>(i - 1)] == Dim::K) return 1.0 / trip(i);
    return 1.0;
  }
  // A or B: the loop it does not depend on; if it is outside its inner relevant loop, the whole
  // slice is loaded during that loop's first iteration
  for (int i = 1; i <= 3; ++i) {
    if (relevant(x, order.dims[static_cast<std::size_t>(i - 1)])) continue;
    if (i == 3) return 1.0;                           // innermost: one tile per outer step, spread
    return 1.0 / trip(i);
  }
  return 1.0;
}

std::int64_t conv_span(std::int64_t in, std::int64_t o0, std::int64_t n, std::int64_t k, std::int64_t stride,
                       std::int64_t pad, std::int64_t dil) {
  if (n <= 0) return 0;
  const std::int64_t lo = o0 * stride - pad;
  const std::int64_t hi = (o0 + n - 1) * stride - pad + (k - 1) * dil;  // inclusive
  if (dil == 1 && stride <= k) {  // contiguous union
    return std::max<std::int64_t>(0, std::min(hi, in - 1) - std::max<std::int64_t>(lo, 0) + 1);
  }
  std::int64_t count = 0;
  for (std::int64_t p = std::max<std::int64_t>(lo, 0); p <= std::min(hi, in - 1); ++p) {
    // p is read if p = o*stride - pad + r*dil for some o in [o0, o0+n), r in [0, k)
    bool hit = false;
    for (std::int64_t r = 0; r < k && !hit; ++r) {
      std::int64_t q = p + pad - r * dil;
      if (q >= 0 && q % stride == 0) {
        std::int64_t o = q / stride;
        hit = o >= o0 && o < o0 + n;
      }
    }
    count += hit ? 1 : 0;
  }
  return count;
}

std::int64_t vector_command_cycles(const arch::VectorUnitConfig& vu, const VecOps& ops) {
  std::int64_t c = vu.latency_cycles;
  for (std::size_t i = 0; i < arch::kNumVecClasses; ++i)
    if (ops[i] > 0) c += static_cast<std::int64_t>(std::ceil(double(ops[i]) / vu.ops_per_cycle(static_cast<arch::VecClass>(i))));
  return c;
}

PeTraffic pe_traffic(const PeGeometry& pe, std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t groups) {
  const std::int64_t Rk = pe.rows * pe.v;
  PeTraffic t;
  switch (pe.dataflow) {
    case Dataflow::WeightStationary:
      t.a = m * k * ceil_div(n, pe.cols), t.b = k * n, t.acc = 2 * m * n * ceil_div(k, Rk);
      break;
    case Dataflow::InputStationary:
      t.a = m * k, t.b = k * n * ceil_div(m, pe.cols), t.acc = 2 * m * n * ceil_div(k, Rk);
      break;
    case Dataflow::OutputStationary:
      t.a = m * k * ceil_div(n, pe.cols), t.b = k * n * ceil_div(m, pe.rows), t.acc = 2 * m * n;
      break;
  }
  t.a *= groups, t.b *= groups, t.acc *= groups;
  return t;
}

namespace {

struct Share {
  std::int64_t begin, size;
};
std::vector<Share> shares(std::int64_t extent, std::int32_t parts) {
  const std::int64_t p = std::min<std::int64_t>(parts, extent);
  std::vector<Share> v;
  std::int64_t q = extent / p, r = extent % p, at = 0;
  for (std::int64_t i = 0; i < p; ++i) {
    std::int64_t s = q + (i < r ? 1 : 0);
    v.push_back({at, s});
    at += s;
  }
  return v;
}

// (size, count) classes of a dimension cut into tiles of `tile`.
struct Classes {
  std::array<std::int64_t, 2> size{0, 0}, count{0, 0};
  int n = 0;
};
Classes classes(std::int64_t extent, std::int64_t tile) {
  Classes c;
  tile = std::min(tile, extent);
  if (extent / tile > 0) c.size[c.n] = tile, c.count[c.n] = extent / tile, ++c.n;
  if (extent % tile) c.size[c.n] = extent % tile, c.count[c.n] = 1, ++c.n;
  return c;
}

struct MClass {
  std::int64_t size, count;
};

// Sums and maxima of a conv's input footprint over the row and column tiles of a core.
struct Footprint {
  std::int64_t rows_sum = 0, rows_max = 0, cols_sum = 0, cols_max = 0;
};
// Input rows (or columns) a run of n outputs can read wherever it sits: the buffer slot is sized
// for this, so every core and every tile position fits the same slot.
std::int64_t span_bound(std::int64_t in, std::int64_t n, std::int64_t k, std::int64_t stride, std::int64_t dil) {
  return std::min({in, n * k, (n - 1) * stride + (k - 1) * dil + 1});
}

Footprint conv_footprint(const ConvGeometry& cg, const CoreProblem& p, const ConvMTile& t) {
  Footprint f;
  const std::int64_t tr = std::min(t.rows, p.out_rows), tw = std::min(t.cols, cg.out_w);
  for (std::int64_t r = 0; r < p.out_rows; r += tr)
    f.rows_sum += conv_span(cg.in_h, p.oh0 + r, std::min(tr, p.out_rows - r), cg.kh, cg.stride_h, cg.pad_top, cg.dil_h);
  for (std::int64_t c = 0; c < cg.out_w; c += tw)
    f.cols_sum += conv_span(cg.in_w, c, std::min(tw, cg.out_w - c), cg.kw, cg.stride_w, cg.pad_left, cg.dil_w);
  f.rows_max = span_bound(cg.in_h, tr, cg.kh, cg.stride_h, cg.dil_h);
  f.cols_max = span_bound(cg.in_w, tw, cg.kw, cg.stride_w, cg.dil_w);
  return f;
}

// Vector-unit cycles for `elems` output elements in `rows` rows of layer L.
std::int64_t vector_cycles(const arch::VectorUnitConfig& vu, const Layer& L, std::int64_t elems, std::int64_t rows) {
  VecOps ops{};
  for (std::size_t i = 0; i < ops.size(); ++i) ops[i] = L.ops_per_elem[i] * elems + L.ops_per_row[i] * rows;
  return vector_command_cycles(vu, ops);
}

}  // namespace

BufferNeed need_of(const BufferPlan& b) {
  // A left on chip by the previous layer lives where that layer staged its output.
  return {b.acc_total(), b.spad_total(), b.a_slot * b.a_slots, b.spad_b(), b.spad_out() + b.reserved_in};
}


namespace {

std::int64_t ceil_to_i(double x) { return static_cast<std::int64_t>(std::ceil(x - 1e-9)); }

}  // namespace

TilePhase gemm_tile_phase(const CostContext& ctx, const Layer& L, const Mapping& m, const CoreProblem& p) {
  TilePhase t;
  const std::int64_t ab = ctx.operand_bytes();
  const bool conv = L.conv.has_value();
  const ConvGeometry* cg = conv ? &*L.conv : nullptr;
  const std::int64_t kunit = conv ? cg->kh * cg->kw : 1;

  const Classes gc = classes(p.G, m.tg), nc = classes(p.N, m.tn);
  const Classes kc = conv ? classes(cg->channels, m.tc) : classes(p.K, m.tk);
  std::array<MClass, 8> mcs{};
  int nmc = 0;
  Footprint fp;
  std::int64_t tm = 0;
  if (conv) {
    const Classes ic = classes(p.images, m.conv_m.images), rc = classes(p.out_rows, m.conv_m.rows),
                  wc = classes(cg->out_w, m.conv_m.cols);
    for (int i = 0; i < ic.n; ++i)
      for (int r = 0; r < rc.n; ++r)
        for (int w = 0; w < wc.n; ++w)
          mcs[static_cast<std::size_t>(nmc++)] = {ic.size[i] * rc.size[r] * wc.size[w], ic.count[i] * rc.count[r] * wc.count[w]};
    t.nm = ceil_div(p.images, ic.size[0]) * ceil_div(p.out_rows, rc.size[0]) * ceil_div(cg->out_w, wc.size[0]);
    fp = conv_footprint(*cg, p, m.conv_m);
    tm = ic.size[0] * rc.size[0] * wc.size[0];
    t.a_tile = gc.size[0] * ic.size[0] * fp.rows_max * fp.cols_max * kc.size[0] * ab;
    t.a_tiles_bytes = p.G * p.images * fp.rows_sum * fp.cols_sum * cg->channels * ab;
  } else {
    const Classes mc = classes(p.M, m.tm);
    for (int i = 0; i < mc.n; ++i) mcs[static_cast<std::size_t>(nmc++)] = {mc.size[i], mc.count[i]};
    t.nm = ceil_div(p.M, mc.size[0]);
    tm = mc.size[0];
    t.a_tile = gc.size[0] * tm * kc.size[0] * ab;
    t.a_tiles_bytes = p.G * p.M * p.K * ab;
  }
  t.ng = ceil_div(p.G, gc.size[0]);
  t.nn = ceil_div(p.N, nc.size[0]);
  t.nk = ceil_div(conv ? cg->channels : p.K, kc.size[0]);
  t.trips = loop_trips(t, m.order);
  t.b_tile = gc.size[0] * kc.size[0] * kunit * nc.size[0] * ab;
  t.b_tiles_bytes = p.G * p.K * p.N * ab;
  t.out_elems_tile = gc.size[0] * tm * nc.size[0];
  t.out_elems = p.G * p.M * p.N;

  const auto& vu = ctx.arch->core.vector_unit;
  t.n_g = gc.n, t.n_m = nmc, t.n_n = nc.n;
  for (int i = 0; i < gc.n; ++i) t.g_count[static_cast<std::size_t>(i)] = gc.count[i];
  for (int i = 0; i < nmc; ++i) t.m_count[static_cast<std::size_t>(i)] = mcs[static_cast<std::size_t>(i)].count;
  for (int i = 0; i < nc.n; ++i) t.n_count[static_cast<std::size_t>(i)] = nc.count[i];
  for (int gi = 0; gi < gc.n; ++gi)
    for (int mi = 0; mi < nmc; ++mi) {
      const MClass& mcl = mcs[static_cast<std::size_t>(mi)];
      for (int ni = 0; ni < nc.n; ++ni) {
        const std::int64_t cnt_out = gc.count[gi] * mcl.count * nc.count[ni];
        const std::int64_t vec = vector_cycles(vu, L, gc.size[gi] * mcl.size * nc.size[ni], 0);
        t.vector += cnt_out * vec;
        TilePhase::OutClass& oc = t.out[static_cast<std::size_t>((gi * 8 + mi) * 2 + ni)];
        oc.count = cnt_out;
        oc.vec = double(vec);
        for (int ki = 0; ki < kc.n; ++ki) {
          const std::int64_t cnt = cnt_out * kc.count[ki];
          const std::int64_t kk = kc.size[ki] * kunit;
          const PeTileTiming pt = pe_tile_timing(ctx.pe, mcl.size, nc.size[ni], kk, gc.size[gi]);
          t.compute += cnt * pt.cycles;
          oc.pe += double(kc.count[ki] * pt.cycles);
          t.folds += cnt * pt.folds;
          t.tiles += cnt;
          t.macs += cnt * pt.macs;
          const PeTraffic tr = pe_traffic(ctx.pe, mcl.size, nc.size[ni], kk, gc.size[gi]);
          t.pe_a += cnt * tr.a, t.pe_b += cnt * tr.b, t.pe_acc += cnt * tr.acc;
        }
      }
    }
  // the last output tile in loop order is the last class of every dimension (a remainder, if any)
  t.last_out_elems = gc.size[gc.n - 1] * mcs[static_cast<std::size_t>(nmc - 1)].size * nc.size[nc.n - 1];
  t.last_vector = vector_cycles(vu, L, t.last_out_elems, 0);
  return t;
}

// Cycles the PE array loses to the accumulator interlock: with two accumulator slots, output tile
// j+2 cannot start until the vector unit has drained tile j, so the array waits
// max(0, vec(j) - pe(j+1)). Output tiles follow the loop order: along the inner of m and n, each
// pass has its full tiles, then its remainder tiles. Estimated when k is the innermost loop (an
// output tile's computes are consecutive); otherwise 0.
double pe_vector_interlock(const TilePhase& t, const LoopOrder& order) {
  if (t.nk > 1 && order.dims[2] != Dim::K) return 0;
  Dim inner = Dim::N;  // the inner of m and n in the order
  for (int i = 2; i >= 0; --i)
    if (order.dims[static_cast<std::size_t>(i)] != Dim::K) {
      inner = order.dims[static_cast<std::size_t>(i)];
      break;
    }
  auto wait = [](const TilePhase::OutClass& prev, const TilePhase::OutClass& next) {
    return std::max(0.0, prev.vec - next.pe);
  };
  const bool n_inner = inner == Dim::N;
  const int outer_classes = n_inner ? t.n_m : t.n_n, inner_classes = n_inner ? t.n_n : t.n_m;
  const auto& outer_count = n_inner ? t.m_count : t.n_count;
  const auto& inner_count = n_inner ? t.n_count : t.m_count;
  double total = 0;
  for (int g = 0; g < t.n_g; ++g)
    for (int o = 0; o < outer_classes; ++o) {
      auto cls = [&](int i) -> const TilePhase::OutClass& { return n_inner ? t.out_class(g, o, i) : t.out_class(g, i, o); };
      const double passes = double(t.g_count[static_cast<std::size_t>(g)] * outer_count[static_cast<std::size_t>(o)]);
      const double full = double(inner_count[0]);
      double per_pass = 0;
      if (inner_classes == 1) {
        per_pass = full * wait(cls(0), cls(0));  // the last of a pass is followed by the next pass's first
      } else {
        per_pass = std::max(0.0, full - 1) * wait(cls(0), cls(0));
        for (int i = 1; i < inner_classes; ++i)
          per_pass += double(inner_count[static_cast<std::size_t>(i)]) * (wait(cls(0), cls(i)) + wait(cls(i), cls(0)));
      }
      total += passes * per_pass;
    }
  return total;
}

// The vector unit's backlog at the end: the last output tile's post-processing starts when both
// its compute and the previous tile's post-processing are done, max(0, vec(prev) - pe(last)) later
// than the compute alone. The previous tile is the last one's neighbour along the innermost
// output dimension that has more than one tile (inner of m and n, then the outer, then g).
double vector_backlog(const TilePhase& t, const LoopOrder& order) {
  Dim inner = Dim::N, outer = Dim::M;
  {
    int found = 0;
    for (int i = 2; i >= 0; --i) {
      const Dim d = order.dims[static_cast<std::size_t>(i)];
      if (d == Dim::K) continue;
      (found++ == 0 ? inner : outer) = d;
    }
  }
  int g = t.n_g - 1, m = t.n_m - 1, n = t.n_n - 1;  // the last tile: last class of every dimension
  const TilePhase::OutClass& last = t.out_class(g, m, n);
  auto tiles = [&](Dim d) { return d == Dim::M ? t.nm : t.nn; };
  auto step_back = [&](Dim d) {
    int& idx = d == Dim::M ? m : n;
    idx = 0;  // the tile before a remainder is a full one; before a full one, another full one
  };
  if (tiles(inner) > 1)
    step_back(inner);
  else if (tiles(outer) > 1)
    step_back(outer);
  else if (t.ng > 1)
    g = 0;
  else
    return 0;  // a single output tile
  return std::max(0.0, t.out_class(g, m, n).vec - last.pe);
}

std::array<std::int64_t, 4> loop_trips(const TilePhase& t, const LoopOrder& order) {
  auto trip = [&](Dim d) { return d == Dim::M ? t.nm : (d == Dim::N ? t.nn : t.nk); };
  return {t.ng, trip(order.dims[0]), trip(order.dims[1]), trip(order.dims[2])};
}

CoreEval gemm_order_phase(const CostContext& ctx, const Layer& L, const Mapping& m, const TilePhase& tp) {
  CoreEval e;
  const std::int64_t ob = ctx.operand_bytes(), accb = ctx.acc_bytes();
  struct {
    std::array<std::int64_t, 4> trips;
  } t{loop_trips(tp, m.order)};
  const std::int64_t rf_a = reload_factor(Operand::A, t.trips, m.order, m.resident);
  const std::int64_t rf_b = reload_factor(Operand::B, t.trips, m.order, m.resident);
  const std::int64_t visits = reload_factor(Operand::C, t.trips, m.order, m.resident);

  BufferPlan& buf = e.buf;
  buf.a_slot = tp.a_tile;
  buf.a_slots = m.a_on_chip ? 0 : (m.resident == Resident::A ? resident_slice_tiles(Operand::A, t.trips, m.order) + 1 : 2);
  buf.reserved_in = m.a_on_chip ? tp.a_tiles_bytes : 0;
  buf.b_slot = tp.b_tile;
  buf.b_slots = m.resident == Resident::B ? resident_slice_tiles(Operand::B, t.trips, m.order) + 1 : 2;
  // An output-stationary array keeps a tile's partial sums in its PEs while the tile sweeps K;
  // they need the accumulator buffer only when K is cut into several tiles (the sums of one
  // k-step wait there for the next).
  const bool sums_in_array = ctx.arch->core.pe_array.dataflow == arch::Dataflow::OutputStationary && tp.nk == 1;
  buf.acc_slot = sums_in_array ? 0 : tp.out_elems_tile * accb;
  buf.acc_slots = m.resident == Resident::C ? resident_slice_tiles(Operand::C, t.trips, m.order) + 1 : 2;
  buf.out_slot = (m.out_on_chip ? 0 : tp.out_elems_tile * ob) + tp.out_elems_tile * L.side_per_elem_bytes;
  buf.out_slots = buf.out_slot > 0 ? 2 : 0;
  buf.reserved_out = (m.out_on_chip ? tp.out_elems * ob : 0) + L.side_once_bytes;
  e.fits = buffers_fit(ctx, buf);
  if (!e.fits) return e;

  const std::int64_t a_dram = m.a_on_chip ? 0 : tp.a_tiles_bytes * rf_a;
  const std::int64_t b_dram = tp.b_tiles_bytes * rf_b;
  const std::int64_t psum = visits > 1 ? tp.out_elems * accb * (visits - 1) : 0;  // each way
  const std::int64_t side_dram = tp.out_elems * L.side_per_elem_bytes + L.side_once_bytes;
  const std::int64_t out_dram = m.out_on_chip ? 0 : tp.out_elems * ob;
  e.dram_r = a_dram + b_dram + psum + side_dram;
  e.dram_w = out_dram + psum;
  e.spad_w = a_dram + b_dram + side_dram + tp.out_elems * ob;        // DMA fills + vector-unit results
  e.spad_r = tp.pe_a * ob + tp.pe_b * ob + side_dram + out_dram;      // PE reads + vector reads + DMA store
  e.acc = tp.pe_acc * accb + tp.out_elems * accb + 2 * psum;           // accumulate, drain, spill
  e.compute = tp.compute, e.vector = tp.vector, e.folds = tp.folds, e.tiles = tp.tiles, e.macs = tp.macs;
  for (std::size_t i = 0; i < arch::kNumVecClasses; ++i) e.vops[i] = L.ops_per_elem[i] * tp.out_elems;
  e.interlock = pe_vector_interlock(tp, m.order);
  e.last_vector = tp.last_vector + static_cast<std::int64_t>(std::ceil(vector_backlog(tp, m.order)));
  if (m.resident == Resident::A && !m.a_on_chip) e.burst_bytes = a_dram;
  if (m.resident == Resident::B) e.burst_bytes = b_dram;
  if (m.resident == Resident::C) e.burst_bytes = out_dram;
  if (m.resident != Resident::None && e.burst_bytes > 0)
    e.burst_fraction = resident_burst_fraction(
        m.resident == Resident::A ? Operand::A : (m.resident == Resident::B ? Operand::B : Operand::C), t.trips, m.order);
  // every stream starts at once: the first A and B tiles, the first side tile and the data loaded
  // once per core share the core's bandwidth before the first compute
  e.first_load = (m.a_on_chip ? 0 : tp.a_tile) + tp.b_tile + tp.out_elems_tile * L.side_per_elem_bytes + L.side_once_bytes;
  e.last_store = m.out_on_chip ? 0 : tp.last_out_elems * ob;
  return e;
}

CoreEval stream_core(const CostContext& ctx, const Layer& L, const Mapping& m, const CoreProblem& p) {
  // Vector, gather and data-movement layers: rows streamed through the scratchpad in tiles of
  // tm rows; a row longer than the buffer is cut in chunks of tn elements (tm = 1).
  CoreEval e;
  const std::int64_t rows = p.M;
  const std::int64_t ob = ctx.operand_bytes();
  // Per row: the streamed input (absent when the previous layer left it on chip) and side
  // operands shaped like the output; once per core: broadcast inputs and small side operands.
  const std::int64_t in_row = (m.a_on_chip ? 0 : L.in_row_bytes) + L.row_elems * L.side_per_elem_bytes;
  const std::int64_t once = L.in_once_bytes + L.side_once_bytes;
  const std::int64_t out_row = L.row_elems * ob;
  const bool chunked = m.tn < L.row_elems;
  const std::int64_t chunk = chunked ? m.tn : L.row_elems;
  const std::int64_t passes = (chunked && L.whole_rows) ? 2 : 1;  // statistics pass, then the result
  const std::int64_t tile_rows = chunked ? 1 : std::min(m.tm, rows);
  const std::int64_t in_tile = chunked ? ceil_div(in_row * chunk, L.row_elems) : tile_rows * in_row;
  const std::int64_t out_tile = chunked ? chunk * ob : tile_rows * out_row;
  BufferPlan& b = e.buf;
  b.a_slot = in_tile;
  b.a_slots = in_tile == 0 ? 0 : 2;
  b.out_slot = m.out_on_chip ? 0 : out_tile;
  b.out_slots = m.out_on_chip ? 0 : 2;
  b.reserved_out = (m.out_on_chip ? rows * out_row : 0) + once;
  b.reserved_in = m.a_on_chip ? rows * L.in_row_bytes : 0;
  e.fits = buffers_fit(ctx, b);
  if (!e.fits) return e;

  const std::int64_t chunks_per_row = chunked ? ceil_div(L.row_elems, chunk) : 1;
  const std::int64_t tiles = chunked ? rows * chunks_per_row : ceil_div(rows, tile_rows);
  const std::int64_t in_total = rows * in_row;
  const std::int64_t out_total = rows * out_row;
  e.tiles = tiles * passes;
  const std::int64_t in_dram = in_total * passes;
  e.dram_r = in_dram + once;
  e.dram_w = m.out_on_chip ? 0 : out_total;
  const bool vec = L.cls == LayerClass::Vector;
  if (vec) {
    const auto& vu = ctx.arch->core.vector_unit;
    if (chunked) {
      // every chunk of a row is one command per pass; row operations run once per row
      const Classes cc = classes(L.row_elems, chunk);
      std::int64_t per_row = 0;
      for (int i = 0; i < cc.n; ++i) per_row += cc.count[i] * vector_cycles(vu, L, cc.size[i], 0);
      per_row += (passes - 1) * chunks_per_row * vu.latency_cycles + vector_cycles(vu, L, 0, 1) - vu.latency_cycles;
      e.vector = rows * per_row;
    } else {
      const Classes rc = classes(rows, tile_rows);
      for (int i = 0; i < rc.n; ++i) e.vector += rc.count[i] * vector_cycles(vu, L, rc.size[i] * L.row_elems, rc.size[i]);
    }
    for (std::size_t i = 0; i < arch::kNumVecClasses; ++i)
      e.vops[i] = L.ops_per_elem[i] * rows * L.row_elems + L.ops_per_row[i] * rows;
    e.last_vector = vector_cycles(vu, L, chunked ? chunk : tile_rows * L.row_elems, chunked ? 0 : tile_rows);
  }
  // Vector layers read inputs and write results in the scratchpad; gathers and data moves pass
  // rows through it unchanged (DMA in, DMA out).
  e.spad_w = in_dram + once + (vec ? out_total : 0);
  const std::int64_t kept = m.a_on_chip ? rows * L.in_row_bytes * passes : 0;  // read where it was left
  e.spad_r = (vec ? in_total * passes + kept + once : 0) + e.dram_w;
  e.first_load = in_tile + once;
  e.last_store = m.out_on_chip ? 0 : out_tile;
  return e;
}

std::vector<CoreProblem> core_problems(const Layer& L, Split split, std::int32_t cores) {
  std::vector<CoreProblem> out;
  CoreProblem whole;
  whole.G = L.G, whole.M = L.M, whole.N = L.N, whole.K = L.K;
  if (L.conv) whole.images = L.conv->batch, whole.out_rows = L.conv->out_h;
  if (L.cls != LayerClass::Gemm) whole.M = L.rows;
  if (split == Split::None || cores <= 1) return {whole};
  switch (split) {
    case Split::G:
      for (const Share& s : shares(L.G, cores)) {
        CoreProblem p = whole;
        p.G = s.size, p.g0 = s.begin;
        out.push_back(p);
      }
      break;
    case Split::N:
      for (const Share& s : shares(L.N, cores)) {
        CoreProblem p = whole;
        p.N = s.size, p.n0 = s.begin;
        out.push_back(p);
      }
      break;
    case Split::M:
      if (L.conv && L.conv->batch >= cores) {
        for (const Share& s : shares(L.conv->batch, cores)) {
          CoreProblem p = whole;
          p.images = s.size, p.img0 = s.begin;
          p.M = s.size * L.conv->out_h * L.conv->out_w;
          p.m0 = s.begin * L.conv->out_h * L.conv->out_w;
          out.push_back(p);
        }
      } else if (L.conv) {
        for (const Share& s : shares(L.conv->out_h, cores)) {
          CoreProblem p = whole;
          p.out_rows = s.size, p.oh0 = s.begin;
          p.M = L.conv->batch * s.size * L.conv->out_w;
          out.push_back(p);
        }
      } else {
        for (const Share& s : shares(whole.M, cores)) {
          CoreProblem p = whole;
          p.M = s.size, p.m0 = s.begin;
          out.push_back(p);
        }
      }
      break;
    case Split::None: break;
  }
  return out;
}

std::optional<LayerCost> evaluate(const CostContext& ctx, const Layer& L, const Mapping& m, bool exact) {
  std::vector<CoreProblem> probs = core_problems(L, m.split, m.cores);
  std::vector<std::int32_t> weights(probs.size(), 1);
  if (!exact && probs.size() > 1) {
    weights = {static_cast<std::int32_t>(probs.size())};
    probs.resize(1);  // shares are balanced; the first is the largest
  }
  std::vector<CoreEval> evals;
  evals.reserve(probs.size());
  for (const CoreProblem& p : probs) {
    CoreEval e = L.cls == LayerClass::Gemm ? gemm_order_phase(ctx, L, m, gemm_tile_phase(ctx, L, m, p))
                                           : stream_core(ctx, L, m, p);
    if (!e.fits) return std::nullopt;
    evals.push_back(e);
  }
  LayerCost c = combine(ctx, L, m, evals, weights);
  if (exact && L.cls == LayerClass::Gemm && c.macs != L.macs)
    throw Error(fmt::format("internal: the tiles of layer {} cover {} MACs, the layer has {}", L.name, c.macs, L.macs));
  return c;
}

LayerCost combine(const CostContext& ctx, const Layer& L, const Mapping& m, const std::vector<CoreEval>& evals,
                  const std::vector<std::int32_t>& weights) {
  const arch::ArchConfig& A = *ctx.arch;
  std::size_t ncores = 0;
  for (auto w : weights) ncores += static_cast<std::size_t>(w);
  LayerCost c;
  std::vector<double> rd(ncores, 0.0), wr(ncores, 0.0), first(ncores, 0.0);
  double max_compute = 0, max_vector = 0, max_sram = 0;
  std::int64_t first_load = 0, last_store = 0, last_vector = 0;
  std::size_t core = 0;
  for (std::size_t i = 0; i < evals.size(); ++i) {
    const CoreEval& e = evals[i];
    const std::int64_t W = weights[i];
    for (std::int64_t k = 0; k < W; ++k, ++core)
      rd[core] = double(e.dram_r), wr[core] = double(e.dram_w), first[core] = double(e.first_load);
    c.macs += W * e.macs;
    c.tiles += W * e.tiles;
    c.folds += W * e.folds;
    c.dram_read_bytes += W * e.dram_r;
    c.dram_write_bytes += W * e.dram_w;
    c.sram_read_bytes += W * e.spad_r;
    c.sram_write_bytes += W * e.spad_w;
    c.acc_bytes += W * e.acc;
    for (std::size_t v = 0; v < arch::kNumVecClasses; ++v) c.vector_ops[v] += W * e.vops[v];
    max_compute = std::max(max_compute, double(e.compute));
    max_vector = std::max(max_vector, double(e.vector));
    max_sram = std::max(max_sram, double(e.spad_r + e.spad_w) / double(ctx.spad_bytes_per_cycle));
    first_load = std::max(first_load, e.first_load);
    last_store = std::max(last_store, e.last_store);
    last_vector = std::max(last_vector, e.last_vector);
    if (i == 0) c.buffers = e.buf;
  }

  c.roof_compute = max_compute;
  c.roof_vector = max_vector;
  c.roof_sram = max_sram;
  c.roof_dram = double(c.dram_bytes()) / ctx.dram_bytes_per_cycle;
  c.roof_noc = ctx.noc.transfer_cycles(rd, wr);
  c.noc_byte_hops = ctx.noc.byte_hops(rd, wr);
  // The PE array and the vector unit pipeline through two accumulator slots.
  for (const CoreEval& e : evals) c.roof_interlock = std::max(c.roof_interlock, double(e.compute) + e.interlock);
  // Each direction of a core's DMA engine moves at most its window's worth per round trip.
  for (const CoreEval& e : evals)
    c.roof_dma = std::max(c.roof_dma, double(std::max(e.dram_r, e.dram_w)) / ctx.dma_window_bytes_per_cycle);
  // A core whose resident operand moves in a burst: the burst's steps and the others' each take
  // the larger of their compute and their transfers, which is more than the even spread assumes.
  {
    const double bw = std::min({ctx.dram_bytes_per_cycle / double(std::max<std::size_t>(ncores, 1)),
                                double(A.interconnect.link_bytes_per_cycle), ctx.dma_window_bytes_per_cycle});
    for (const CoreEval& e : evals) {
      if (e.burst_fraction >= 1.0 || e.burst_bytes <= 0) continue;
      const double f = e.burst_fraction, C = double(e.compute);
      const double rest = double(e.dram_r + e.dram_w - e.burst_bytes);
      const double phased = std::max(C * f, (double(e.burst_bytes) + rest * f) / bw) + std::max(C * (1 - f), rest * (1 - f) / bw);
      c.roof_burst = std::max(c.roof_burst, phased);
    }
  }

  // Exposed ends: the first tiles arrive before anything computes; the last tile's
  // post-processing and store follow the last compute. A core's share of the DRAM bandwidth is
  // bandwidth / cores in use, capped by its link.
  std::int32_t hops = 0;
  for (std::size_t i = 0; i < ncores && i < ctx.noc.routes.size(); ++i) hops = std::max(hops, ctx.noc.routes[i].max_hops);
  const double core_bw = std::min({ctx.dram_bytes_per_cycle / double(std::max<std::size_t>(ncores, 1)),
                                   double(A.interconnect.link_bytes_per_cycle), ctx.dma_window_bytes_per_cycle});
  const std::int64_t net = std::int64_t{hops} * A.interconnect.hop_latency_cycles;
  // the first tiles of every core at once: a core's own share, or the busiest link they all cross
  const double first_transfer = std::max(double(first_load) / core_bw,
                                         ctx.noc.transfer_cycles(first, std::vector<double>(ncores, 0.0)));
  c.prologue = first_load > 0 ? ctx.dram_latency + net + ceil_to_i(first_transfer) : 0;
  // a store is done when the channel has taken its data (no read latency): its hops and transfer
  const std::int64_t store_part = last_store > 0 ? net + ceil_to_i(double(last_store) / core_bw) : 0;
  c.epilogue = last_vector + store_part;
  if (ctx.ideal_memory) {  // nothing waits for memory
    c.roof_sram = c.roof_dram = c.roof_noc = c.roof_dma = c.roof_burst = 0;
    c.prologue = 0;
    c.epilogue = last_vector;
  }

  const double steady = std::max(
      {c.roof_compute, c.roof_vector, c.roof_sram, c.roof_dram, c.roof_noc, c.roof_burst, c.roof_dma, c.roof_interlock});
  const std::int64_t steady_i = ceil_to_i(steady);
  c.cycles = steady_i + c.prologue + c.epilogue;
  c.compute_cycles = static_cast<std::int64_t>(max_compute);

  // Stalls: everything beyond the PE array's own time, attributed to what bounds it.
  auto& st = c.stalls;
  Stall bound = Stall::Dram;
  if (steady == c.roof_vector || steady == c.roof_interlock) bound = Stall::VectorUnit;
  if (steady == c.roof_sram) bound = Stall::SramBank;
  if (steady == c.roof_noc) bound = Stall::Interconnect;
  if (steady == c.roof_dram || steady == c.roof_burst || steady == c.roof_dma) bound = Stall::Dram;
  st[static_cast<std::size_t>(bound)] += steady_i - c.compute_cycles;
  st[static_cast<std::size_t>(Stall::Dram)] += c.prologue + (c.epilogue - last_vector);
  st[static_cast<std::size_t>(Stall::VectorUnit)] += last_vector;

  c.compulsory_dram_bytes = (L.cls == LayerClass::Gemm ? (m.a_on_chip ? 0 : L.a_bytes) + L.b_bytes + L.side_bytes
                                                       : (m.a_on_chip ? 0 : L.in_bytes + L.side_per_elem_bytes * L.out_elems) +
                                                             L.side_once_bytes) +
                            (m.out_on_chip ? 0 : L.out_bytes);

  c.energy = energy_of(A, ctx.dtype, c, double(c.cycles));
  return c;
}

}  // namespace npusim::compiler
